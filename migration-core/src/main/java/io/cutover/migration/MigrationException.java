package io.cutover.migration;

/**
 * A migration failed. Says in which state, and whether the guest still runs at the source (always, before
 * commitment) or belongs to the destination (after it).
 */
public class MigrationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String migrationId;
    private final MigrationState state;
    private final boolean sourceResumed;
    private final transient MigrationReport report;

    public MigrationException(String migrationId, MigrationState state, boolean sourceResumed, String message,
                              Throwable cause) {
        this(migrationId, state, sourceResumed, message, cause, null);
    }

    public MigrationException(String migrationId, MigrationState state, boolean sourceResumed, String message,
                              Throwable cause, MigrationReport report) {
        super("migration " + migrationId + " failed in " + state + ": " + message
                + (sourceResumed ? " (the guest runs at the source)" : ""), cause);
        this.migrationId = migrationId;
        this.state = state;
        this.sourceResumed = sourceResumed;
        this.report = report;
    }

    /** The report of the failed migration, if the source side made one. */
    public java.util.Optional<MigrationReport> report() {
        return java.util.Optional.ofNullable(report);
    }

    public String migrationId() {
        return migrationId;
    }

    /** The state the migration was in when it failed. */
    public MigrationState state() {
        return state;
    }

    /** Whether the guest was resumed at the source. */
    public boolean sourceResumed() {
        return sourceResumed;
    }
}
