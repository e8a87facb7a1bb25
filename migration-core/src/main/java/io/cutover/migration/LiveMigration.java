package io.cutover.migration;

import io.cutover.api.CutoverListener;

import io.cutover.migration.impl.SourceMigration;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The source side of one live migration: sends a running guest to a {@link MigrationTarget} by iterative
 * pre-copy, stop-and-copy and a verified commit, and raises the cutover events on the way.
 *
 * <pre>{@code
 * LiveMigration m = LiveMigration.start(guest, new InetSocketAddress("198.19.0.2", 7070),
 *         MigrationOptions.defaults(), List.of(sdnListener, tunnelListener));
 * MigrationReport report = m.result().toCompletableFuture().join();
 * }</pre>
 *
 * <p>Any failure before the destination acknowledges the verified memory resumes the guest at the source;
 * after that acknowledgement the guest belongs to the destination.
 */
public interface LiveMigration {

    /** Starts migrating {@code guest} (which must be running) to the target listening at {@code destination}. */
    static LiveMigration start(Guest guest, InetSocketAddress destination, MigrationOptions options,
                               List<CutoverListener> listeners) {
        return SourceMigration.start(guest, destination, options, listeners);
    }

    /** This migration's id, as carried by its events. */
    String id();

    /** A snapshot of where the migration is. */
    MigrationProgress progress();

    /**
     * Completes with the report once the guest runs at the destination; fails with a
     * {@link MigrationException} (whose {@link MigrationException#report()} is present) otherwise.
     */
    CompletionStage<MigrationReport> result();

    /** Asks the migration to stop; before commitment the source resumes, after it this does nothing. */
    void cancel();
}
