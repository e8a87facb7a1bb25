package io.cutover.migration;

import io.cutover.api.CutoverListener;

import io.cutover.migration.impl.TargetServer;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * The destination side: listens on a migration address, reserves a like guest for each incoming
 * migration, applies the pages, verifies the memory, and resumes the guest when the source commits.
 * A migration whose source disappears or aborts before activation is discarded.
 *
 * <p>Only a migration the target expects is served: its HELLO presents a secret given out by {@link #expect} (or
 * {@link #admit}) and asks for no larger a guest than was expected. Anything else — a port scan, garbage, a HELLO
 * without the secret or too large, too many connections, a HELLO that does not arrive in time — is refused before
 * any guest memory is reserved, counted in {@link #stats()} with one log line, and ends no {@link IncomingMigration}.
 * Guest memory is reserved lazily (it costs nothing until a page arrives) and returned to the system when a
 * migration is discarded.
 */
public interface MigrationTarget extends AutoCloseable {
    /** Largest guest a target reserves by default: {@value #DEFAULT_MAX_GUEST_BYTES} bytes. */
    long DEFAULT_MAX_GUEST_BYTES = TargetOptions.DEFAULT_MAX_GUEST_BYTES;
    /** Shortest secret {@link #admit} takes. */
    int MIN_SECRET_LENGTH = 16;

    /**
     * Listens at {@code bind} (port 0 picks one).
     *
     * @param allocator  makes the destination guests (what kinds of guest it makes is this host's configuration,
     *                   never the peer's: a descriptor it does not accept is refused)
     * @param listeners  told of RESERVED, COMMITTED, ACTIVATED and FAILED at this side
     * @param onEnd      told of every admitted migration's end, on a transport thread
     */
    static MigrationTarget listen(InetSocketAddress bind, GuestAllocator allocator, TargetOptions options,
                                  List<CutoverListener> listeners, Consumer<IncomingMigration> onEnd) {
        return TargetServer.listen(bind, allocator, options, listeners, onEnd);
    }

    /** As {@link #listen(InetSocketAddress, GuestAllocator, TargetOptions, List, Consumer)} with default limits. */
    static MigrationTarget listen(InetSocketAddress bind, GuestAllocator allocator, long maxGuestBytes,
                                  List<CutoverListener> listeners, Consumer<IncomingMigration> onEnd) {
        return listen(bind, allocator, TargetOptions.builder().maxGuestBytes(maxGuestBytes).build(), listeners, onEnd);
    }

    /** As above, accepting only mutual TLS. */
    static MigrationTarget listen(InetSocketAddress bind, GuestAllocator allocator, long maxGuestBytes,
                                  List<CutoverListener> listeners, Consumer<IncomingMigration> onEnd,
                                  MigrationTls tls) {
        return listen(bind, allocator, TargetOptions.builder().maxGuestBytes(maxGuestBytes).tls(tls).build(),
                listeners, onEnd);
    }

    /**
     * Expects one migration of a guest of at most {@code maxGuestBytes}, arriving within {@code validFor}.
     *
     * @return a new random secret for the source to present ({@link MigrationOptions.Builder#secret}); it admits one
     *         migration, then is spent (also if that migration is discarded)
     */
    String expect(long maxGuestBytes, Duration validFor);

    /**
     * Admits every migration that presents {@code secret} (of a guest of at most {@code maxGuestBytes}) until it is
     * {@linkplain #withdraw withdrawn}: for a destination whose secret is shared beforehand, as {@code cutover migrate
     * listen} does. A second call with the same secret replaces the limit.
     *
     * @throws IllegalArgumentException if the secret is shorter than {@value #MIN_SECRET_LENGTH} characters
     */
    void admit(String secret, long maxGuestBytes);

    /** Forgets an expectation not yet used; returns whether there was one. Migrations under way go on. */
    boolean withdraw(String secret);

    /** What the target holds now and what it refused. */
    TargetStats stats();

    /** Where this target listens. */
    InetSocketAddress localAddress();

    /** Stops listening and cuts every connection; migrations not yet activated are discarded. */
    @Override
    void close();
}
