package io.cutover.migration.impl;

import io.cutover.migration.CompletionPolicy;
import io.cutover.migration.MigrationOptions;
import io.cutover.migration.SwitchoverReason;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class SwitchoverPolicyTest {
    private static final long MB = 1_000_000;
    private static final long GUEST = 1024 * MB;
    private final SwitchoverPolicy policy = new SwitchoverPolicy(MigrationOptions.defaults());

    private static RoundOutcome round(int round, long remaining, long previous, double bandwidth) {
        return new RoundOutcome(round, remaining, previous, bandwidth, (round + 1) * GUEST / 2, GUEST, 0,
                Duration.ofSeconds(1), Duration.ZERO);
    }

    @Test
    void switchesWhenExpectedDowntimeIsWithinTheLimitAndRoundsNoLongerHelp() {
        // 250 MB at 1000 MB/s = 250 ms <= 300 ms; the round before left 300 MB: no halving
        Decision d = policy.decide(round(3, 250 * MB, 300 * MB, 1000 * MB));
        assertThat(d.action()).isEqualTo(Decision.Action.SWITCHOVER);
        assertThat(d.reason()).isEqualTo(SwitchoverReason.CONVERGED);
    }

    @Test
    void continuesAboveTheLimit() {
        // 400 MB at 1000 MB/s = 400 ms > 300 ms
        assertThat(policy.decide(round(3, 400 * MB, 500 * MB, 1000 * MB)).action()).isEqualTo(Decision.Action.CONTINUE);
    }

    @Test
    void keepsIteratingWhileRoundsStillHalveTheRemainder() {
        // 50 MB at 1000 MB/s = 50 ms, within the limit, but the last round went from 1000 MB to 50 MB
        assertThat(policy.decide(round(0, 50 * MB, 1000 * MB, 1000 * MB)).action())
                .isEqualTo(Decision.Action.CONTINUE);
        // under a millisecond: not worth another round
        assertThat(policy.decide(round(2, MB / 2, 50 * MB, 1000 * MB)).reason()).isEqualTo(SwitchoverReason.CONVERGED);
        assertThat(policy.decide(round(2, 0, 50 * MB, 1000 * MB)).reason()).isEqualTo(SwitchoverReason.CONVERGED);
    }

    @Test
    void saysWhenAutoConvergeMadeItConverge() {
        RoundOutcome throttled = new RoundOutcome(5, 10 * MB, 11 * MB, 1000 * MB, GUEST, GUEST, 60,
                Duration.ofSeconds(1), Duration.ZERO);
        assertThat(policy.decide(throttled).reason()).isEqualTo(SwitchoverReason.CONVERGED_BY_AUTO_CONVERGE);
    }

    @Test
    void forcesTheSwitchoverAtTheFallbackBounds() {
        assertThat(policy.decide(round(MigrationOptions.DEFAULT_MAX_ROUNDS - 1, 900 * MB, 900 * MB, 1000 * MB)).reason())
                .isEqualTo(SwitchoverReason.MAX_ROUNDS);
        RoundOutcome tooMuch = new RoundOutcome(4, 900 * MB, 900 * MB, 1000 * MB, 3 * GUEST + 1, GUEST, 0,
                Duration.ofSeconds(1), Duration.ZERO);
        assertThat(policy.decide(tooMuch).reason()).isEqualTo(SwitchoverReason.MAX_BYTES);
        assertThat(SwitchoverReason.MAX_BYTES.converged()).isFalse();
    }

    @Test
    void completionTimeoutAbortsOrPausesByPolicyAndTheWatchdogAborts() {
        RoundOutcome late = new RoundOutcome(4, 900 * MB, 900 * MB, 1000 * MB, GUEST, GUEST, 0,
                Duration.ofMinutes(10), Duration.ZERO);
        assertThat(policy.decide(late).action()).isEqualTo(Decision.Action.ABORT);
        assertThat(policy.decide(late).abort()).isEqualTo(Decision.Abort.COMPLETION_TIMEOUT);
        assertThat(policy.decide(late).detail()).contains("completion timeout of 300 s");
        SwitchoverPolicy coma = new SwitchoverPolicy(MigrationOptions.builder()
                .completionTimeout(Duration.ofSeconds(5), CompletionPolicy.PAUSE).build());
        assertThat(coma.decide(late).reason()).isEqualTo(SwitchoverReason.COMPLETION_TIMEOUT);
        assertThat(coma.postCopyAfter(SwitchoverReason.COMPLETION_TIMEOUT)).isFalse();
        SwitchoverPolicy postCopy = new SwitchoverPolicy(MigrationOptions.builder()
                .completionTimeout(Duration.ofSeconds(5), CompletionPolicy.POSTCOPY).build());
        assertThat(postCopy.decide(late).reason()).isEqualTo(SwitchoverReason.COMPLETION_TIMEOUT);
        assertThat(postCopy.postCopyAfter(SwitchoverReason.COMPLETION_TIMEOUT)).as("post-copy as the action").isTrue();
        assertThat(postCopy.postCopyAfter(SwitchoverReason.MAX_ROUNDS)).as("without --post-copy").isFalse();
        RoundOutcome stuck = new RoundOutcome(4, 900 * MB, 900 * MB, 1000 * MB, GUEST, GUEST, 0,
                Duration.ofSeconds(70), Duration.ofSeconds(31));
        assertThat(policy.decide(stuck).abort()).isEqualTo(Decision.Abort.NO_PROGRESS);
        assertThat(policy.decide(stuck).detail()).contains("no new low for 30 s");
    }

    @Test
    void theDynamicRateAtItsCapEndsPreCopyOnceRoundsGrowAsXenDoes() {
        SwitchoverPolicy dynamic = new SwitchoverPolicy(MigrationOptions.builder().maxBandwidth(500 * MB)
                .dynamicRate(10 * MB, 5 * MB).build());
        RoundOutcome growingAtCap = new RoundOutcome(3, 900 * MB, 800 * MB, 500 * MB, GUEST, GUEST, 0,
                Duration.ofSeconds(1), Duration.ZERO, 500 * MB, 900 * MB, 800 * MB);
        assertThat(dynamic.decide(growingAtCap).reason()).isEqualTo(SwitchoverReason.RATE_AT_MAX);
        assertThat(SwitchoverReason.RATE_AT_MAX.converged()).isFalse();
        RoundOutcome shrinkingAtCap = new RoundOutcome(3, 700 * MB, 800 * MB, 500 * MB, GUEST, GUEST, 0,
                Duration.ofSeconds(1), Duration.ZERO, 500 * MB, 700 * MB, 800 * MB);
        assertThat(dynamic.decide(shrinkingAtCap).action()).isEqualTo(Decision.Action.CONTINUE);
        RoundOutcome growingBelowCap = new RoundOutcome(3, 900 * MB, 800 * MB, 500 * MB, GUEST, GUEST, 0,
                Duration.ofSeconds(1), Duration.ZERO, 400 * MB, 900 * MB, 800 * MB);
        assertThat(dynamic.decide(growingBelowCap).action()).isEqualTo(Decision.Action.CONTINUE);
        SwitchoverPolicy fixed = new SwitchoverPolicy(MigrationOptions.builder().maxBandwidth(500 * MB).build());
        assertThat(fixed.decide(growingAtCap).action()).as("a fixed rate is always at its cap").isEqualTo(
                Decision.Action.CONTINUE);
    }

    @Test
    void downtimeStepsRaiseTheLimitOverTime() {
        SwitchoverPolicy stepped = new SwitchoverPolicy(MigrationOptions.builder()
                .downtimeSteps(3, Duration.ofSeconds(1)).build());
        RoundOutcome early = new RoundOutcome(3, 200 * MB, 210 * MB, 1000 * MB, GUEST, GUEST, 0,
                Duration.ofMillis(100), Duration.ZERO);
        RoundOutcome later = new RoundOutcome(3, 200 * MB, 210 * MB, 1000 * MB, GUEST, GUEST, 0,
                Duration.ofMillis(2100), Duration.ZERO);
        assertThat(stepped.decide(early).action()).isEqualTo(Decision.Action.CONTINUE);
        assertThat(stepped.decide(later).action()).isEqualTo(Decision.Action.SWITCHOVER);
    }

    @Test
    void autoConvergeThrottlesInStepsOnlyWhenTheGuestOutpacesTheTransfer() {
        assertThat(SwitchoverPolicy.nextThrottle(0, 40, 100)).isZero();
        assertThat(SwitchoverPolicy.nextThrottle(0, 60, 100)).isEqualTo(20);
        assertThat(SwitchoverPolicy.nextThrottle(20, 60, 100)).isEqualTo(30);
        assertThat(SwitchoverPolicy.nextThrottle(90, 60, 100)).isEqualTo(99);
        assertThat(SwitchoverPolicy.nextThrottle(99, 60, 100)).isEqualTo(99);
    }

    @Test
    void dynamicRateStartsLowThenFollowsTheDirtyRate() {
        SwitchoverPolicy fixed = new SwitchoverPolicy(MigrationOptions.builder().maxBandwidth(500 * MB).build());
        assertThat(fixed.rateFor(0, 0)).isEqualTo(500 * MB);
        SwitchoverPolicy dynamic = new SwitchoverPolicy(MigrationOptions.builder().maxBandwidth(500 * MB)
                .dynamicRate(10 * MB, 5 * MB).build());
        assertThat(dynamic.rateFor(0, 0)).isEqualTo(10 * MB);
        assertThat(dynamic.rateFor(1, 100 * MB)).isEqualTo(105 * MB);
        assertThat(dynamic.rateFor(2, 1 * MB)).isEqualTo(10 * MB);
        assertThat(dynamic.rateFor(3, 900 * MB)).isEqualTo(500 * MB);
    }
}
