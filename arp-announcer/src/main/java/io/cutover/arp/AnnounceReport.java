package io.cutover.arp;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What an announcement sent.
 *
 * @param announcement what was announced
 * @param gate         how the readiness gate opened
 * @param calledNanos  {@link System#nanoTime()} when the announcement was asked for
 * @param roundNanos   {@link System#nanoTime()} just before each round's first frame left, in order
 * @param framesSent   frames handed to the interface
 */
public record AnnounceReport(Announcement announcement, GateResult gate, long calledNanos, List<Long> roundNanos,
                             long framesSent) {

    public AnnounceReport {
        Objects.requireNonNull(announcement, "announcement");
        Objects.requireNonNull(gate, "gate");
        roundNanos = List.copyOf(roundNanos);
    }

    public int rounds() {
        return roundNanos.size();
    }

    /** From the call to the first frame (includes the wait at the gate). */
    public Duration firstFrameDelay() {
        return roundNanos.isEmpty() ? Duration.ZERO : Duration.ofNanos(roundNanos.get(0) - calledNanos);
    }
}
