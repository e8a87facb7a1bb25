package io.cutover.arp;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link ReadinessGate} opened.
 *
 * @param outcome on time, early or late
 * @param waited  how long the announcement waited at the gate
 */
public record GateResult(Outcome outcome, Duration waited) {

    public GateResult {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(waited, "waited");
    }

    /** When the announcement left relative to the destination's readiness. */
    public enum Outcome {
        /** There was nothing to wait for. */
        UNGATED,
        /** The readiness future completed within the timeout; the announcement followed it. */
        READY,
        /** The timeout passed first and the gate announced anyway, before readiness was confirmed. */
        EARLY,
        /** The timeout passed, the gate kept waiting, and announced when readiness finally came. */
        LATE
    }
}
