package io.cutover.tunnel;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;

/**
 * How a forwarder runs. Build with {@link #builder()}; every field has a default.
 *
 * @param bind          the UDP address the tunnel listens on (default {@code 0.0.0.0:}{@value #DEFAULT_PORT})
 * @param pathMtu       the underlay's MTU: outer packets larger than this are dropped as TOO_BIG, never
 *                      fragmented (default {@value #DEFAULT_PATH_MTU})
 * @param nativeTransport use Netty's epoll transport where available (default {@value #DEFAULT_NATIVE_TRANSPORT})
 * @param threadFactory makes every thread the forwarder runs (event loops, capture, control): give one that
 *                      enters a network namespace to run the forwarder there
 * @param stateDir      where the journal is kept, or {@code null} for none
 * @param flushRate     how fast a move's held frames go out at activation, in frames a second (live frames wait
 *                      behind them), or 0 for all at once (default {@value #DEFAULT_FLUSH_RATE}: a blackout's worth
 *                      in milliseconds, not in one burst into a guest that has just resumed)
 */
public record ForwarderOptions(InetSocketAddress bind, int pathMtu, boolean nativeTransport,
                               ThreadFactory threadFactory, Path stateDir, int flushRate) {
    /** The IANA VXLAN port (RFC 7348). */
    public static final int DEFAULT_PORT = 4789;
    public static final int DEFAULT_PATH_MTU = 1500;
    public static final boolean DEFAULT_NATIVE_TRANSPORT = true;
    public static final int DEFAULT_FLUSH_RATE = 50_000;
    /** The highest flush rate taken: beyond it pacing is no pacing. */
    public static final int MAX_FLUSH_RATE = 10_000_000;

    public ForwarderOptions {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(threadFactory, "threadFactory");
        if (pathMtu < 576 || pathMtu > 65_535) {
            throw new IllegalArgumentException("pathMtu must be 576..65535, was " + pathMtu);
        }
        requireFlushRate(flushRate);
    }

    /**
     * Checks a flush rate (the daemon's config too, so that a bad one names its file).
     *
     * @throws IllegalArgumentException unless 0 (at once) or 1..{@value #MAX_FLUSH_RATE}
     */
    public static int requireFlushRate(int flushRate) {
        if (flushRate < 0 || flushRate > MAX_FLUSH_RATE) {
            throw new IllegalArgumentException("flushRate must be 0 (at once) or 1.." + MAX_FLUSH_RATE
                    + " frames a second, was " + flushRate);
        }
        return flushRate;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link ForwarderOptions}. */
    public static final class Builder {
        private InetSocketAddress bind = new InetSocketAddress(DEFAULT_PORT);
        private int pathMtu = DEFAULT_PATH_MTU;
        private boolean nativeTransport = DEFAULT_NATIVE_TRANSPORT;
        private ThreadFactory threadFactory = Executors.defaultThreadFactory();
        private Path stateDir;
        private int flushRate = DEFAULT_FLUSH_RATE;

        public Builder bind(InetSocketAddress value) { this.bind = value; return this; }
        public Builder pathMtu(int value) { this.pathMtu = value; return this; }
        public Builder nativeTransport(boolean value) { this.nativeTransport = value; return this; }
        public Builder threadFactory(ThreadFactory value) { this.threadFactory = value; return this; }
        public Builder stateDir(Path value) { this.stateDir = value; return this; }
        public Builder flushRate(int value) { this.flushRate = value; return this; }

        public ForwarderOptions build() {
            return new ForwarderOptions(bind, pathMtu, nativeTransport, threadFactory, stateDir, flushRate);
        }
    }
}
