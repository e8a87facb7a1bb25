package io.cutover.migration.impl;

import java.time.Duration;

/**
 * What one pre-copy round left behind, as the switchover decision sees it.
 *
 * @param round              the round just finished, from 0
 * @param remainingBytes     dirty bytes still to send
 * @param previousRemaining  dirty bytes left after the round before (or the guest's size after round 0)
 * @param bandwidth          estimated bytes per second of the stop-and-copy
 * @param totalSent          bytes sent since the start
 * @param guestBytes         the guest's memory
 * @param throttlePercent    auto-converge's throttle during the round
 * @param elapsed            since the start of the migration
 * @param sinceProgress      since the remaining bytes last reached a new low
 * @param rate               the round's pace in bytes/s, 0 for unpaced
 * @param sent               bytes the round sent
 * @param previousSent       bytes the round before sent (0 for round 0)
 */
record RoundOutcome(int round, long remainingBytes, long previousRemaining, double bandwidth, long totalSent,
                    long guestBytes, int throttlePercent, Duration elapsed, Duration sinceProgress, long rate,
                    long sent, long previousSent) {

    /** A round sent unpaced. */
    RoundOutcome(int round, long remainingBytes, long previousRemaining, double bandwidth, long totalSent,
                 long guestBytes, int throttlePercent, Duration elapsed, Duration sinceProgress) {
        this(round, remainingBytes, previousRemaining, bandwidth, totalSent, guestBytes, throttlePercent, elapsed,
                sinceProgress, 0, 0, 0);
    }

    /** Remaining bytes / bandwidth. */
    Duration expectedDowntime() {
        if (remainingBytes == 0) {
            return Duration.ZERO;
        }
        if (bandwidth <= 0) {
            return Duration.ofDays(1);
        }
        return Duration.ofNanos((long) Math.min(remainingBytes / bandwidth * 1e9, 8.64e13));
    }
}
