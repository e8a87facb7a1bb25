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
 */
public record ForwarderOptions(InetSocketAddress bind, int pathMtu, boolean nativeTransport,
                               ThreadFactory threadFactory, Path stateDir) {
    /** The IANA VXLAN port (RFC 7348). */
    public static final int DEFAULT_PORT = 4789;
    public static final int DEFAULT_PATH_MTU = 1500;
    public static final boolean DEFAULT_NATIVE_TRANSPORT = true;

    public ForwarderOptions {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(threadFactory, "threadFactory");
        if (pathMtu < 576 || pathMtu > 65_535) {
            throw new IllegalArgumentException("pathMtu must be 576..65535, was " + pathMtu);
        }
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

        public Builder bind(InetSocketAddress value) { this.bind = value; return this; }
        public Builder pathMtu(int value) { this.pathMtu = value; return this; }
        public Builder nativeTransport(boolean value) { this.nativeTransport = value; return this; }
        public Builder threadFactory(ThreadFactory value) { this.threadFactory = value; return this; }
        public Builder stateDir(Path value) { this.stateDir = value; return this; }

        public ForwarderOptions build() {
            return new ForwarderOptions(bind, pathMtu, nativeTransport, threadFactory, stateDir);
        }
    }
}
