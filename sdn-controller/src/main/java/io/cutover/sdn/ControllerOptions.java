package io.cutover.sdn;

import io.netty.handler.ssl.SslContext;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;

/**
 * How the controller runs. Immutable; made by {@link #builder()}.
 *
 * <pre>{@code
 * ControllerOptions options = ControllerOptions.builder().port(0).stateDir(dir).build();
 * }</pre>
 */
public final class ControllerOptions {
    /** The IANA OpenFlow port. */
    public static final int DEFAULT_PORT = 6653;
    /** Loopback: switches on the same host (or network namespace). */
    public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";
    /** How long a connection may idle before the controller sends an ECHO_REQUEST. */
    public static final Duration DEFAULT_ECHO_INTERVAL = Duration.ofSeconds(5);
    /** How long the handshake (HELLO to port description) may take before the connection is closed. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);
    /** How long a request (barrier, bundle commit, statistics) may wait for its answer. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /** Commits use the ONF bundle extension (atomic per switch) unless told otherwise. */
    public static final boolean DEFAULT_BUNDLES = true;

    private final String bindAddress;
    private final int port;
    private final ThreadFactory threadFactory;
    private final ThreadFactory storeThreadFactory;
    private final Duration echoInterval;
    private final Duration handshakeTimeout;
    private final Duration requestTimeout;
    private final Path stateDir;
    private final boolean bundles;
    private final SslContext sslContext;
    private final SwitchIdentities switchIdentities;
    private final ControllerRole role;
    private final long generation;
    private final io.cutover.store.StoreOptions store;

    private ControllerOptions(Builder b) {
        this.bindAddress = b.bindAddress;
        this.port = b.port;
        this.threadFactory = b.threadFactory;
        this.storeThreadFactory = b.storeThreadFactory;
        this.echoInterval = b.echoInterval;
        this.handshakeTimeout = b.handshakeTimeout;
        this.requestTimeout = b.requestTimeout;
        this.stateDir = b.stateDir;
        this.bundles = b.bundles;
        this.sslContext = b.sslContext;
        this.switchIdentities = b.switchIdentities;
        this.role = b.role;
        this.generation = b.generation;
        this.store = b.store;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The defaults. */
    public static ControllerOptions defaults() {
        return builder().build();
    }

    public String bindAddress() {
        return bindAddress;
    }

    /** The TCP port to listen on; 0 for any free one. */
    public int port() {
        return port;
    }

    /** The factory of the event loop's threads (for example one that enters a network namespace), or null. */
    public ThreadFactory threadFactory() {
        return threadFactory;
    }

    /**
     * The factory of the threads that reach the store (one that enters the namespace the store is reachable from), or
     * null: then {@link #threadFactory()}'s.
     */
    public ThreadFactory storeThreadFactory() {
        return storeThreadFactory;
    }

    public Duration echoInterval() {
        return echoInterval;
    }

    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    public Duration requestTimeout() {
        return requestTimeout;
    }

    /** Where the desired state is journaled, or null to keep it in memory only. */
    public Path stateDir() {
        return stateDir;
    }

    /** Whether commits use bundles (else ordered flow-mods and a barrier). */
    public boolean bundles() {
        return bundles;
    }

    /** TLS for the switch connections ({@link ControllerTls#server}), or null for plain TCP. */
    public SslContext sslContext() {
        return sslContext;
    }

    /**
     * The certificate name each switch must present, by datapath id, or null to let any certificate the switch CA
     * signed claim any datapath id. Needs an {@link #sslContext()} that requires client certificates.
     */
    public SwitchIdentities switchIdentities() {
        return switchIdentities;
    }

    /** The role the controller starts in ({@link ControllerRole#EQUAL}: alone), before any switch connects. */
    public ControllerRole role() {
        return role;
    }

    /** The generation id of {@link #role()}'s role requests (for a master or a slave). */
    public long generation() {
        return generation;
    }

    /**
     * The replicated store of a controller cluster, or {@code null} for a controller alone. With one, the controller
     * keeps its desired state in the store (not in {@link #stateDir()}), joins the cluster's election and is the master
     * while it leads, a slave otherwise ({@link #role()} is ignored); see docs/scale-out.md.
     */
    public io.cutover.store.StoreOptions store() {
        return store;
    }

    /** Builds {@link ControllerOptions}. */
    public static final class Builder {
        private String bindAddress = DEFAULT_BIND_ADDRESS;
        private int port = DEFAULT_PORT;
        private ThreadFactory threadFactory;
        private ThreadFactory storeThreadFactory;
        private Duration echoInterval = DEFAULT_ECHO_INTERVAL;
        private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private Path stateDir;
        private boolean bundles = DEFAULT_BUNDLES;
        private SslContext sslContext;
        private SwitchIdentities switchIdentities;
        private ControllerRole role = ControllerRole.EQUAL;
        private long generation;
        private io.cutover.store.StoreOptions store;

        private Builder() {
        }

        public Builder bindAddress(String value) {
            this.bindAddress = Objects.requireNonNull(value, "bindAddress");
            return this;
        }

        /**
         * The role to start in, with its generation id: a controller of a cluster starts as a slave, so that it writes
         * nothing to the switches that connect before it knows whether it is the master.
         */
        public Builder role(ControllerRole value, long generationId) {
            this.role = java.util.Objects.requireNonNull(value, "role");
            this.generation = generationId;
            return this;
        }

        public Builder port(int value) {
            if (value < 0 || value > 65535) {
                throw new IllegalArgumentException("port " + value + " is outside 0..65535");
            }
            this.port = value;
            return this;
        }

        public Builder threadFactory(ThreadFactory value) {
            this.threadFactory = value;
            return this;
        }

        public Builder storeThreadFactory(ThreadFactory value) {
            this.storeThreadFactory = value;
            return this;
        }

        public Builder echoInterval(Duration value) {
            this.echoInterval = positive("echoInterval", value);
            return this;
        }

        public Builder handshakeTimeout(Duration value) {
            this.handshakeTimeout = positive("handshakeTimeout", value);
            return this;
        }

        public Builder requestTimeout(Duration value) {
            this.requestTimeout = positive("requestTimeout", value);
            return this;
        }

        /** Makes the controller a member of the cluster that shares {@code value}'s store (see {@link #store()}). */
        public Builder store(io.cutover.store.StoreOptions value) {
            this.store = value;
            return this;
        }

        public Builder stateDir(Path value) {
            this.stateDir = value;
            return this;
        }

        public Builder bundles(boolean value) {
            this.bundles = value;
            return this;
        }

        public Builder sslContext(SslContext value) {
            this.sslContext = value;
            return this;
        }

        public Builder switchIdentities(SwitchIdentities value) {
            this.switchIdentities = value;
            return this;
        }

        /** @throws IllegalArgumentException when switch identities are given without TLS */
        public ControllerOptions build() {
            if (switchIdentities != null && sslContext == null) {
                throw new IllegalArgumentException("switch identities need TLS with a switch CA");
            }
            if (store != null && stateDir != null) {
                throw new IllegalArgumentException("a controller keeps its desired state in a journal (stateDir) or in "
                        + "its cluster's store, not both");
            }
            return new ControllerOptions(this);
        }

        private static Duration positive(String what, Duration value) {
            if (value == null || value.isZero() || value.isNegative()) {
                throw new IllegalArgumentException(what + " must be positive, not " + value);
            }
            return value;
        }
    }
}
