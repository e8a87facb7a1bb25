package io.cutover.migration;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link MigrationTarget} guards its port, immutable; build with {@link #builder()}. Every limit has a
 * documented default. A peer is told apart by its IP address.
 */
public final class TargetOptions {
    /** Largest guest a target reserves, whatever was expected: {@value #DEFAULT_MAX_GUEST_BYTES} bytes. */
    public static final long DEFAULT_MAX_GUEST_BYTES = 64L << 30;
    /** Connections open at once, from everyone: {@value #DEFAULT_MAX_CONNECTIONS}. */
    public static final int DEFAULT_MAX_CONNECTIONS = 256;
    /** Connections open at once from one peer (a multifd migration takes up to 16): {@value #DEFAULT_MAX_PEER_CONNECTIONS}. */
    public static final int DEFAULT_MAX_PEER_CONNECTIONS = 64;
    /** Migrations admitted and not yet activated or discarded, at once: {@value #DEFAULT_MAX_MIGRATIONS}. */
    public static final int DEFAULT_MAX_MIGRATIONS = 8;
    /** Bytes of guests reserved for migrations not yet activated, in all: {@value #DEFAULT_MAX_PENDING_BYTES}. */
    public static final long DEFAULT_MAX_PENDING_BYTES = 128L << 30;
    /** Bytes of guests reserved for one peer's migrations not yet activated: {@value #DEFAULT_MAX_PEER_PENDING_BYTES}. */
    public static final long DEFAULT_MAX_PEER_PENDING_BYTES = 64L << 30;
    /** From connect to a complete HELLO, not restarted by bytes that arrive: {@value #DEFAULT_HELLO_TIMEOUT_S} s. */
    public static final long DEFAULT_HELLO_TIMEOUT_S = 10;
    /** Longest wait for the next complete frame (a byte alone restarts nothing): {@value #DEFAULT_IDLE_TIMEOUT_S} s. */
    public static final long DEFAULT_IDLE_TIMEOUT_S = 60;

    private final long maxGuestBytes;
    private final int maxConnections;
    private final int maxPeerConnections;
    private final int maxMigrations;
    private final long maxPendingBytes;
    private final long maxPeerPendingBytes;
    private final Duration helloTimeout;
    private final Duration idleTimeout;
    private final MigrationTls tls;

    private TargetOptions(Builder b) {
        if (b.maxGuestBytes < 1 || b.maxConnections < 1 || b.maxPeerConnections < 1 || b.maxMigrations < 1
                || b.maxPendingBytes < 1 || b.maxPeerPendingBytes < 1) {
            throw new IllegalArgumentException("target limits must be positive");
        }
        maxGuestBytes = b.maxGuestBytes;
        maxConnections = b.maxConnections;
        maxPeerConnections = b.maxPeerConnections;
        maxMigrations = b.maxMigrations;
        maxPendingBytes = b.maxPendingBytes;
        maxPeerPendingBytes = b.maxPeerPendingBytes;
        helloTimeout = positive(b.helloTimeout, "HELLO timeout");
        idleTimeout = positive(b.idleTimeout, "idle timeout");
        tls = b.tls;
    }

    private static Duration positive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, was " + d);
        }
        return d;
    }

    public static TargetOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Largest guest reserved, whatever an expectation allows. */
    public long maxGuestBytes() {
        return maxGuestBytes;
    }

    public int maxConnections() {
        return maxConnections;
    }

    public int maxPeerConnections() {
        return maxPeerConnections;
    }

    public int maxMigrations() {
        return maxMigrations;
    }

    public long maxPendingBytes() {
        return maxPendingBytes;
    }

    public long maxPeerPendingBytes() {
        return maxPeerPendingBytes;
    }

    public Duration helloTimeout() {
        return helloTimeout;
    }

    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** Mutual TLS on every connection, or {@code null} for plain TCP (default). */
    public MigrationTls tls() {
        return tls;
    }

    /** Builds {@link TargetOptions}; every setter has the default of the matching {@code DEFAULT_*}. */
    public static final class Builder {
        private long maxGuestBytes = DEFAULT_MAX_GUEST_BYTES;
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private int maxPeerConnections = DEFAULT_MAX_PEER_CONNECTIONS;
        private int maxMigrations = DEFAULT_MAX_MIGRATIONS;
        private long maxPendingBytes = DEFAULT_MAX_PENDING_BYTES;
        private long maxPeerPendingBytes = DEFAULT_MAX_PEER_PENDING_BYTES;
        private Duration helloTimeout = Duration.ofSeconds(DEFAULT_HELLO_TIMEOUT_S);
        private Duration idleTimeout = Duration.ofSeconds(DEFAULT_IDLE_TIMEOUT_S);
        private MigrationTls tls;

        private Builder() {
        }

        public Builder maxGuestBytes(long v) {
            maxGuestBytes = v;
            return this;
        }

        /** Connections at once: in all, and from one peer. */
        public Builder maxConnections(int total, int perPeer) {
            maxConnections = total;
            maxPeerConnections = perPeer;
            return this;
        }

        public Builder maxMigrations(int v) {
            maxMigrations = v;
            return this;
        }

        /** Bytes of guests reserved for migrations not yet activated: in all, and for one peer. */
        public Builder maxPendingBytes(long total, long perPeer) {
            maxPendingBytes = total;
            maxPeerPendingBytes = perPeer;
            return this;
        }

        public Builder helloTimeout(Duration v) {
            helloTimeout = v;
            return this;
        }

        public Builder idleTimeout(Duration v) {
            idleTimeout = v;
            return this;
        }

        public Builder tls(MigrationTls v) {
            tls = v;
            return this;
        }

        public TargetOptions build() {
            return new TargetOptions(this);
        }
    }
}
