package io.cutover.migration.impl;

import io.cutover.migration.CompletionPolicy;
import io.cutover.migration.MigrationOptions;
import io.cutover.migration.SwitchoverReason;

import java.time.Duration;

/**
 * The convergence decision after each pre-copy round, a pure function of the round's outcome and the
 * options:
 * <ol>
 *   <li>past the completion timeout: abort, or switch over anyway by policy ("coma" stop-and-copy, or post-copy);</li>
 *   <li>no new low of the remaining bytes for the progress window: abort (the progress watchdog);</li>
 *   <li>expected downtime (remaining / bandwidth) within the limit in force: switch over — unless the
 *       last round still halved the remaining bytes and they would take more than
 *       {@link #NEGLIGIBLE_DOWNTIME} to send, in which case one more round shortens the blackout further;</li>
 *   <li>Xen's last-round rule, with dynamic rate limiting: a round paced at the bandwidth cap that sent more than
 *       the round before: switch over, forced;</li>
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
        if (pastCompletion(r.elapsed())) {
            return options.completionPolicy() == CompletionPolicy.ABORT
                    ? Decision.abort(Decision.Abort.COMPLETION_TIMEOUT, "not converged within the completion timeout of "
                            + Waits.format(options.completionTimeout()), options.completionTimeout())
                    : Decision.switchover(SwitchoverReason.COMPLETION_TIMEOUT);
        }
        if (r.sinceProgress().compareTo(options.progressTimeout()) >= 0) {
            return Decision.abort(Decision.Abort.NO_PROGRESS, "the memory left to send reached no new low for "
                    + Waits.format(options.progressTimeout()) + " (" + r.remainingBytes() + " bytes left)",
                    options.progressTimeout());
        }
        Duration expected = r.expectedDowntime();
        boolean lastRound = r.round() + 1 >= options.maxRounds();
        if (expected.compareTo(options.downtimeLimitAt(r.elapsed(), r.guestBytes())) <= 0) {
            boolean stillHalving = r.remainingBytes() * 2 <= r.previousRemaining();
            if (!stillHalving || lastRound || expected.compareTo(NEGLIGIBLE_DOWNTIME) <= 0) {
                return Decision.switchover(r.throttlePercent() > 0
                        ? SwitchoverReason.CONVERGED_BY_AUTO_CONVERGE : SwitchoverReason.CONVERGED);
            }
            return Decision.CONTINUE;
        }
        if (atRateCap(r.rate()) && r.round() > 0 && r.sent() > r.previousSent()) {
            return Decision.switchover(SwitchoverReason.RATE_AT_MAX);
        }
        if (lastRound) {
            return Decision.switchover(SwitchoverReason.MAX_ROUNDS);
        }
        if (r.totalSent() > options.maxBytesFactor() * r.guestBytes()) {
            return Decision.switchover(SwitchoverReason.MAX_BYTES);
        }
        return Decision.CONTINUE;
    }

    /** Whether the completion timeout has passed {@code elapsed} after the start: the round in progress ends. */
    boolean pastCompletion(Duration elapsed) {
        return elapsed.compareTo(options.completionTimeout()) >= 0;
    }

    /**
     * Whether a switchover for {@code reason} goes on in post-copy: at the completion timeout with policy POSTCOPY,
     * or whenever pre-copy did not converge and post-copy is allowed.
     */
    boolean postCopyAfter(SwitchoverReason reason) {
        if (reason == SwitchoverReason.COMPLETION_TIMEOUT && options.completionPolicy() == CompletionPolicy.POSTCOPY) {
            return true;
        }
        return options.postCopy() && !reason.converged();
    }

    /**
     * Whether a round paced at {@code rate} ran at the dynamic rate's cap (Xen's {@code RATE_IS_MAX}): never without
     * dynamic rate limiting or without a cap.
     */
    boolean atRateCap(long rate) {
        return options.dynamicRate() && options.maxBandwidth() > 0 && rate >= options.maxBandwidth();
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
