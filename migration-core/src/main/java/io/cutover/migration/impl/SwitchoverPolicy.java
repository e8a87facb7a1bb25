package io.cutover.migration.impl;

import io.cutover.migration.CompletionPolicy;
import io.cutover.migration.MigrationOptions;
import io.cutover.migration.SwitchoverReason;

import java.time.Duration;

/**
 * The convergence decision after each pre-copy round, a pure function of the round's outcome and the
 * options:
 * <ol>
 *   <li>past the completion timeout: abort, or switch over anyway ("coma") by policy;</li>
 *   <li>no new low of the remaining bytes for the progress window: abort;</li>
 *   <li>expected downtime (remaining / bandwidth) within the limit in force: switch over — unless the
 *       last round still halved the remaining bytes and they would take more than
 *       {@link #NEGLIGIBLE_DOWNTIME} to send, in which case one more round shortens the blackout further;</li>
 *   <li>fallback bounds: the last allowed round, or more than the allowed multiple of memory sent:
 *       switch over, forced.</li>
 * </ol>
 */
final class SwitchoverPolicy {
    /** A blackout so short that more rounds are not worth it. */
    static final Duration NEGLIGIBLE_DOWNTIME = Duration.ofMillis(1);

    private final MigrationOptions options;

    SwitchoverPolicy(MigrationOptions options) {
        this.options = options;
    }

    Decision decide(RoundOutcome r) {
        if (r.elapsed().compareTo(options.completionTimeout()) >= 0) {
            return options.completionPolicy() == CompletionPolicy.PAUSE
                    ? Decision.switchover(SwitchoverReason.COMPLETION_TIMEOUT)
                    : Decision.abort("not converged within the completion timeout of " + options.completionTimeout());
        }
        if (r.sinceProgress().compareTo(options.progressTimeout()) >= 0) {
            return Decision.abort("no progress for " + r.sinceProgress() + " (remaining " + r.remainingBytes()
                    + " bytes)");
        }
        Duration expected = r.expectedDowntime();
        boolean lastRound = r.round() + 1 >= options.maxRounds();
        if (expected.compareTo(options.downtimeLimitAt(r.elapsed())) <= 0) {
            boolean stillHalving = r.remainingBytes() * 2 <= r.previousRemaining();
            if (!stillHalving || lastRound || expected.compareTo(NEGLIGIBLE_DOWNTIME) <= 0) {
                return Decision.switchover(r.throttlePercent() > 0
                        ? SwitchoverReason.CONVERGED_BY_AUTO_CONVERGE : SwitchoverReason.CONVERGED);
            }
            return Decision.CONTINUE;
        }
        if (lastRound) {
            return Decision.switchover(SwitchoverReason.MAX_ROUNDS);
        }
        if (r.totalSent() > options.maxBytesFactor() * r.guestBytes()) {
            return Decision.switchover(SwitchoverReason.MAX_BYTES);
        }
        return Decision.CONTINUE;
    }

    /**
     * Auto-converge: the next throttle after a round in which the guest dirtied {@code dirtiedBytes} while
     * {@code sentBytes} went out. Starts at {@value MigrationOptions#THROTTLE_INITIAL} %, adds
     * {@value MigrationOptions#THROTTLE_INCREMENT} % per round, stops at {@value MigrationOptions#THROTTLE_MAX} %.
     */
    static int nextThrottle(int current, long dirtiedBytes, long sentBytes) {
        if (dirtiedBytes <= MigrationOptions.THROTTLE_TRIGGER_RATIO * sentBytes) {
            return current;
        }
        if (current == 0) {
            return MigrationOptions.THROTTLE_INITIAL;
        }
        return Math.min(MigrationOptions.THROTTLE_MAX, current + MigrationOptions.THROTTLE_INCREMENT);
    }

    /**
     * The rate of the next round in bytes/s, 0 for unlimited: the fixed maximum, or with dynamic rate
     * limiting the minimum for round 0, then the observed dirty rate plus the step, capped at the maximum.
     */
    long rateFor(int round, double dirtyBytesPerSecond) {
        long max = options.maxBandwidth();
        if (!options.dynamicRate()) {
            return max;
        }
        long rate = round == 0 ? options.minBandwidth()
                : Math.max(options.minBandwidth(), (long) dirtyBytesPerSecond + options.rateStep());
        return max > 0 ? Math.min(rate, max) : rate;
    }
}
