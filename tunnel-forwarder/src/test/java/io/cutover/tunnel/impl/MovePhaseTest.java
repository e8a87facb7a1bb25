package io.cutover.tunnel.impl;

import io.cutover.tunnel.DrainPolicy;
import io.cutover.tunnel.MoveState;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link MovePhase#drainDue}: when each end's drain may end its move. */
class MovePhaseTest {
    private static final DrainPolicy DRAIN = new DrainPolicy(Duration.ofMillis(300), Duration.ofMillis(400), null);
    private static final long MS = 1_000_000L;

    @Test
    void pastTheHardMaximumASourceEndsButADestinationWaitsUntilItsSourceHasGoneQuiet() throws Exception {
        MovePhase source = new MovePhase(MoveState.FORWARDING, DRAIN, false);
        MovePhase destination = new MovePhase(MoveState.FORWARDING, DRAIN, true);
        long activated = System.nanoTime();
        destination.trafficPassed();
        Thread.sleep(150);
        source.trafficPassed();
        destination.trafficPassed();
        long lastFrame = System.nanoTime();

        long pastHardMax = activated + 420 * MS;
        assertThat(source.drainDue(DRAIN, pastHardMax)).contains(DrainPolicy.Rule.HARD_MAXIMUM);
        assertThat(destination.drainDue(DRAIN, pastHardMax)).as("its source sent less than the idle period ago")
                .isEmpty();
        assertThat(destination.drainDue(DRAIN, lastFrame + 310 * MS)).as("once the source has gone quiet")
                .contains(DrainPolicy.Rule.HARD_MAXIMUM);
    }
}
