package io.cutover.migration;

/** Why pre-copy stopped and stop-and-copy began. */
public enum SwitchoverReason {
    /** The expected downtime fell within the limit. */
    CONVERGED,
    /** The expected downtime fell within the limit while auto-converge throttled the guest. */
    CONVERGED_BY_AUTO_CONVERGE,
    /** Fallback bound: the maximum number of pre-copy rounds was reached. */
    MAX_ROUNDS,
    /** Fallback bound: more than the allowed multiple of the guest's memory was sent. */
    MAX_BYTES,
    /**
     * Xen's last-round rule for dynamic rate limiting: the round was sent at the bandwidth cap and sent more than the
     * round before: a faster pace is not allowed and rounds no longer shrink, so more of them only cost bandwidth.
     */
    RATE_AT_MAX,
    /** The completion timeout passed and the policy is {@link CompletionPolicy#PAUSE} or {@link CompletionPolicy#POSTCOPY}. */
    COMPLETION_TIMEOUT;

    /** Whether the downtime limit was met rather than forced. */
    public boolean converged() {
        return this == CONVERGED || this == CONVERGED_BY_AUTO_CONVERGE;
    }
}
