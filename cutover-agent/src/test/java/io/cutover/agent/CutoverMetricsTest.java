package io.cutover.agent;

import io.cutover.agent.plan.Timeline;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class CutoverMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final CutoverMetrics metrics = new CutoverMetrics(registry);

    @Test
    void aCompletedCutoverCountsItsStagesStepsAndBlackout() throws Exception {
        Timeline timeline = new Timeline();
        metrics.follow(timeline);
        timeline.add("PLANNED", "stage", null);
        timeline.add("sdn.prepare", "start", null);
        timeline.add("sdn.prepare", "done", null);
        timeline.add("SWITCHOVER", "stage", null);
        Thread.sleep(20);
        timeline.add("ACTIVATED", "stage", null);
        timeline.add("COMPLETED", "stage", null);

        assertThat(registry.get("cutover.cutovers").tag("outcome", "completed").counter().count()).isEqualTo(1);
        assertThat(registry.get("cutover.stages").tag("stage", "SWITCHOVER").counter().count()).isEqualTo(1);
        assertThat(registry.get("cutover.step").tag("step", "sdn.prepare").tag("outcome", "done").timer().count())
                .isEqualTo(1);
        assertThat(registry.get("cutover.blackout").timer().totalTime(TimeUnit.MILLISECONDS))
                .as("from SWITCHOVER to ACTIVATED").isGreaterThanOrEqualTo(20);
    }

    @Test
    void aRolledBackCutoverCountsItsFailedStepAndNoBlackout() {
        Timeline timeline = new Timeline();
        metrics.follow(timeline);
        timeline.add("PLANNED", "stage", null);
        timeline.add("tunnel.register", "start", null);
        timeline.add("tunnel.register", "failed", "refused");
        timeline.add("FAILED", "stage", "refused");
        timeline.add("ROLLED_BACK", "stage", null);
        timeline.add("qemu", "stage", "not a stage of ours");

        assertThat(registry.get("cutover.cutovers").tag("outcome", "rolled_back").counter().count()).isEqualTo(1);
        assertThat(registry.find("cutover.cutovers").tag("outcome", "completed").counter()).isNull();
        assertThat(registry.get("cutover.step").tag("outcome", "failed").timer().count()).isEqualTo(1);
        assertThat(registry.find("cutover.blackout").timer()).isNull();
        assertThat(registry.find("cutover.stages").tag("stage", "qemu").counter()).isNull();
    }
}
