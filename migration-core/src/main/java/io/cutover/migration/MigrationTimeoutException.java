package io.cutover.migration;

import java.time.Duration;

/**
 * A migration did not converge within its completion timeout ({@link MigrationOptions#completionTimeout()}) and its
 * policy was {@link CompletionPolicy#ABORT}: the guest runs on at the source.
 */
public final class MigrationTimeoutException extends MigrationException {
    private static final long serialVersionUID = 1L;

    private final Duration timeout;

    public MigrationTimeoutException(String migrationId, MigrationState state, boolean sourceResumed, String message,
                                     Throwable cause, MigrationReport report, Duration timeout) {
        super(migrationId, state, sourceResumed, message, cause, report);
        this.timeout = timeout;
    }

    /** The completion timeout that passed. */
    public Duration timeout() {
        return timeout;
    }
}
