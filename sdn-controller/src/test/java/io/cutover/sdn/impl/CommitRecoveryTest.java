package io.cutover.sdn.impl;

import io.cutover.sdn.Move;
import io.cutover.sdn.MoveState;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CommitRecoveryTest {
    private static final Move PREPARED = new Move(7, "vm1", FlowPlannerTest.A, "vm1", 0, FlowPlannerTest.B, "vm1", null, MoveState.PREPARED);

    @Test
    void aSwitchHoldingTheCommittedFlowsRollsTheMoveForward() {
        ModelState journaled = FlowPlannerTest.lan().withMove(PREPARED);
        ModelState committed = CommitRecovery.committed(journaled, PREPARED);
        var destinationFlows = FlowPlanner.plan(committed, FlowPlannerTest.PORTS).get(FlowPlannerTest.B).values();
        ModelState recovered = CommitRecovery.rollForward(journaled, destinationFlows);
        assertThat(recovered).isEqualTo(committed);
        assertThat(recovered.endpoints().get("vm1").endpoint().switchId()).isEqualTo(FlowPlannerTest.B);
        assertThat(recovered.moves().get(7).state()).isEqualTo(MoveState.COMMITTED);
    }

    @Test
    void aSwitchOnTheWayHoldsNoProofOfTheCommit() {
        ModelState journaled = FlowPlannerTest.lan().withMove(PREPARED);
        ModelState committed = CommitRecovery.committed(journaled, PREPARED);
        var torFlows = FlowPlanner.plan(committed, FlowPlannerTest.PORTS).get(FlowPlannerTest.TOR).values();
        assertThat(CommitRecovery.rollForward(journaled, torFlows)).as("its flow towards vm1 is no move's")
                .isEqualTo(journaled);
    }

    @Test
    void preparedFlowsAloneDoNotCountAsACommit() {
        ModelState journaled = FlowPlannerTest.lan().withMove(PREPARED);
        Map<io.cutover.sdn.Dpid, Map<FlowKey, FlowSpec>> plan = FlowPlanner.plan(journaled, FlowPlannerTest.PORTS);
        assertThat(CommitRecovery.rollForward(journaled, plan.get(FlowPlannerTest.B).values())).isEqualTo(journaled);
        assertThat(CommitRecovery.rollForward(journaled, plan.get(FlowPlannerTest.TOR).values())).isEqualTo(journaled);
    }
}
