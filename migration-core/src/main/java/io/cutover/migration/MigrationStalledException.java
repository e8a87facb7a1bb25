package io.cutover.migration;

import java.time.Duration;

/**
 * A migration failed because it made no progress for the progress timeout ({@link MigrationOptions#progressTimeout()}):
 * the destination took no bytes, or did not connect or answer within the shorter of the progress and I/O timeouts, or
 * the memory left to send reached no new low from round to round (the progress watchdog: a guest that dirties memory
 * as fast as it is sent). Before commitment the guest runs on at the source.
 */
public final class MigrationStalledException extends MigrationException {
    private static final long serialVersionUID = 1L;

    private final Duration stalledFor;

    public MigrationStalledException(String migrationId, MigrationState state, boolean sourceResumed, String message,
                                     Throwable cause, MigrationReport report, Duration stalledFor) {
        super(migrationId, state, sourceResumed, message, cause, report);
        this.stalledFor = stalledFor;
    }

    /** How long the migration made no progress before it gave up. */
    public Duration stalledFor() {
        return stalledFor;
    }
}
