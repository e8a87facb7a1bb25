package io.cutover.api;

import java.util.concurrent.CompletionStage;

/** One migration a {@link Hypervisor} runs, seen from the source. */
public interface HypervisorMigration {

    /** The cutover's id. */
    String id();

    /** Where it is now, in the hypervisor's own figures. */
    MigrationFigures progress();

    /**
     * Completes with the final figures once the guest runs at the destination; fails when the migration failed or
     * was cancelled, and then the guest runs at the source unless the destination had already taken it over (a
     * failure after the commit, or in post-copy).
     */
    CompletionStage<MigrationFigures> result();

    /** Asks the migration to stop; before the switchover completes the guest runs on at the source. */
    void cancel();
}
