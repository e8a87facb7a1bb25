package io.cutover.agent;

import io.cutover.agent.plan.Timeline;
import io.cutover.agent.plan.TimelineEntry;
import io.cutover.api.CutoverStage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The agent's cutovers as meters, read off each cutover's timeline as it is written (so they say what the timeline
 * says): {@code cutover_cutovers_total{outcome}} ({@code completed}, {@code rolled_back}) when a cutover ends,
 * {@code cutover_stages_total{stage}} for each stage entered, {@code cutover_step_seconds{step,outcome}} (a
 * histogram: {@code done} or {@code failed}) for each step, and {@code cutover_blackout_seconds} (a histogram) from
 * SWITCHOVER to ACTIVATED as this agent saw them.
 */
public final class CutoverMetrics {
    private static final Set<String> STAGES = Arrays.stream(CutoverStage.values()).map(Enum::name)
            .collect(Collectors.toUnmodifiableSet());

    private final MeterRegistry registry;

    public CutoverMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Follows {@code timeline}, one cutover's, from now on. */
    public void follow(Timeline timeline) {
        timeline.subscribe(new Follower());
    }

    /** One cutover's: the start of each step running, and when SWITCHOVER began. */
    private final class Follower implements Consumer<TimelineEntry> {
        private final Map<String, Long> started = new HashMap<>();
        private Long switchoverAt;

        @Override
        public synchronized void accept(TimelineEntry entry) {
            String what = entry.what();
            switch (entry.event()) {
                case "stage" -> {
                    if (STAGES.contains(what)) {
                        stage(what, entry.atMicros());
                    }
                }
                case "start" -> started.put(what, entry.atMicros());
                case "done", "failed" -> {
                    Long start = started.remove(what);
                    if (start != null) {
                        Timer.builder("cutover.step").tag("step", what).tag("outcome", entry.event())
                                .description("how long each step of a cutover took").publishPercentileHistogram()
                                .register(registry).record(Duration.ofNanos((entry.atMicros() - start) * 1_000));
                    }
                }
                default -> {
                }
            }
        }

        private void stage(String stage, long atMicros) {
            Counter.builder("cutover.stages").tag("stage", stage).description("stages the agent's cutovers entered")
                    .register(registry).increment();
            if (stage.equals(CutoverStage.SWITCHOVER.name()) && switchoverAt == null) {
                switchoverAt = atMicros;
            } else if (stage.equals(CutoverStage.ACTIVATED.name()) && switchoverAt != null) {
                Timer.builder("cutover.blackout").description("from SWITCHOVER to ACTIVATED, as this agent saw them")
                        .publishPercentileHistogram().register(registry)
                        .record(Duration.ofNanos((atMicros - switchoverAt) * 1_000));
            }
            if (stage.equals(CutoverStage.UNVERIFIED.name())) {
                Counter.builder("cutover.unverified").description("completed cutovers whose VM did not answer at the "
                        + "destination's port when asked").register(registry).increment();
            }
            if (stage.equals(CutoverStage.COMPLETED.name()) || stage.equals(CutoverStage.ROLLED_BACK.name())) {
                Counter.builder("cutover.cutovers").tag("outcome", stage.toLowerCase(Locale.ROOT))
                        .description("cutovers that ended, by how").register(registry).increment();
            }
        }
    }
}
