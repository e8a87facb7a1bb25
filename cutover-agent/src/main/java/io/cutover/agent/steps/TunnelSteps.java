package io.cutover.agent.steps;

import io.cutover.agent.plan.PlanStep;
import io.cutover.migration.CutoverStage;
import io.cutover.tunnel.Forwarder;

import java.util.List;

/**
 * The brownout tunnel's part of the plan: hold at SWITCHOVER, flush then forward at ACTIVATED, start draining
 * at DRAINING (the move then ends by its drain policy), close at COMPLETED. Each is applied to both ends;
 * undoing any of them discards the move (held frames included).
 */
public final class TunnelSteps {
    private TunnelSteps() {
    }

    public static List<PlanStep> of(String moveId, Forwarder source, Forwarder destination) {
        return List.of(
                stage("tunnel.hold", CutoverStage.SWITCHOVER, moveId, source, destination),
                stage("tunnel.flush", CutoverStage.ACTIVATED, moveId, source, destination),
                stage("tunnel.drain", CutoverStage.DRAINING, moveId, source, destination),
                stage("tunnel.close", CutoverStage.COMPLETED, moveId, source, destination));
    }

    private static PlanStep stage(String name, CutoverStage stage, String moveId, Forwarder source,
                                  Forwarder destination) {
        return Step.of(name, stage, () -> {
            destination.stage(moveId, stage);
            source.stage(moveId, stage);
        }, () -> {
            source.remove(moveId);
            destination.remove(moveId);
        });
    }
}
