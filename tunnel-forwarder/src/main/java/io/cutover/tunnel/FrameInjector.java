package io.cutover.tunnel;

import io.cutover.tunnel.impl.PacketSocketSink;

import java.util.List;

/**
 * Sends raw Ethernet frames out of an interface the way the forwarder injects them: a packet socket bound to the
 * interface, up to {@value PacketSocketSink#BATCH} frames per {@code sendmmsg}. For tools that need frames on a link
 * faster than one system call each (the benchmarks' generator). Open it on a thread in the interface's namespace; one
 * sending thread.
 */
public final class FrameInjector implements AutoCloseable {
    private final PacketSocketSink socket;

    private FrameInjector(PacketSocketSink socket) {
        this.socket = socket;
    }

    /**
     * Opens a packet socket on {@code iface}, in the calling thread's namespace.
     *
     * @throws TunnelException when the interface is unknown or the socket cannot be opened (needs CAP_NET_RAW)
     */
    public static FrameInjector open(String iface) {
        return new FrameInjector(PacketSocketSink.open(null, iface));
    }

    /** Sends {@code frames} in order, in batches; returns how many the kernel took. */
    public int sendAll(List<byte[]> frames) {
        return socket.injectAll(frames);
    }

    @Override
    public void close() {
        socket.close();
    }
}
