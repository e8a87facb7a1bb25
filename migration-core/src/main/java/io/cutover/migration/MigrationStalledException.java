package io.cutover.migration;

import java.time.Duration;

/**
 * A migration failed because the destination made no progress: it took no bytes for the progress timeout
 * ({@link MigrationOptions#progressTimeout()}), or did not connect or answer within the shorter of the progress and
 * I/O timeouts. Before commitment the guest runs on at the source.
 */
public final class MigrationStalledException extends MigrationException {
    private static final long serialVersionUID = 1L;

    private final Duration stalledFor;

    public MigrationStalledException(String migrationId, MigrationState state, boolean sourceResumed, String message,
                                     Throwable cause, MigrationReport report, Duration stalledFor) {
        super(migrationId, state, sourceResumed, message, cause, report);
        this.stalledFor = stalledFor;
    }

    /** How long the destination made no progress before the migration gave up. */
    public Duration stalledFor() {
        return stalledFor;
    }
}
