package io.cutover.migration;

/** What a migration does when its completion timeout passes before it converged. */
public enum CompletionPolicy {
    /** Give up: the source resumes. */
    ABORT,
    /** Pause the guest and finish as stop-and-copy ("coma" migration), whatever the downtime. */
    PAUSE
}
