package io.cutover.migration;

/**
 * What a migration does when its completion timeout passes before it converged (Nova's
 * {@code live_migration_timeout_action}, with QEMU's post-copy as a third answer). The timeout ends a round in
 * progress: the action does not wait for a long round to finish.
 */
public enum CompletionPolicy {
    /** Give up: the source resumes and the migration fails with a {@link MigrationTimeoutException}. */
    ABORT,
    /** Pause the guest and finish as stop-and-copy ("coma" migration), whatever the downtime. */
    PAUSE,
    /**
     * Switch to post-copy: the destination resumes at once and fetches the pages still missing on demand, so the
     * blackout stays short whatever the guest dirties; a failure of the source or the link after that loses the
     * guest. Runs over one connection, like {@link MigrationOptions#postCopy()}, which it does not need.
     */
    POSTCOPY
}
