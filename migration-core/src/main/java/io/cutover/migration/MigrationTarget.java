package io.cutover.migration;

import io.cutover.api.CutoverListener;

import io.cutover.migration.impl.TargetServer;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.Consumer;

/**
 * The destination side: listens on a migration address, reserves a like guest for each incoming
 * migration, applies the pages, verifies the memory, and resumes the guest when the source commits.
 * A migration whose source disappears or aborts before activation is discarded.
 */
public interface MigrationTarget extends AutoCloseable {
    /** Largest guest a target reserves: {@value #DEFAULT_MAX_GUEST_BYTES} bytes. */
    long DEFAULT_MAX_GUEST_BYTES = 64L << 30;

    /**
     * Listens at {@code bind} (port 0 picks one).
     *
     * @param allocator  makes the destination guests
     * @param listeners  told of RESERVED, COMMITTED, ACTIVATED and FAILED at this side
     * @param onEnd      told of every incoming migration's end, on a transport thread
     */
    static MigrationTarget listen(InetSocketAddress bind, GuestAllocator allocator, long maxGuestBytes,
                                  List<CutoverListener> listeners, Consumer<IncomingMigration> onEnd) {
        return TargetServer.listen(bind, allocator, maxGuestBytes, listeners, onEnd, null);
    }

    /** As {@link #listen(InetSocketAddress, GuestAllocator, long, List, Consumer)}, accepting only mutual TLS. */
    static MigrationTarget listen(InetSocketAddress bind, GuestAllocator allocator, long maxGuestBytes,
                                  List<CutoverListener> listeners, Consumer<IncomingMigration> onEnd,
                                  MigrationTls tls) {
        return TargetServer.listen(bind, allocator, maxGuestBytes, listeners, onEnd, tls);
    }

    /** Where this target listens. */
    InetSocketAddress localAddress();

    /** Stops listening and cuts every connection; migrations not yet activated are discarded. */
    @Override
    void close();
}
