package io.cutover.demo;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * The VM's service in the demo: echoes every UDP datagram back to its sender. Open it on a thread inside the
 * VM's namespace; {@link #pause()} and {@link #resume()} stand for the guest's pause at switchover.
 */
public final class UdpEchoResponder implements AutoCloseable {
    /** How often a paused responder looks whether it may go on (it must not burn a core meanwhile). */
    static final Duration PAUSED_POLL = Duration.ofMillis(1);
    private final DatagramChannel channel;
    private final Thread thread;
    /** How long {@link #close()} waits for the port to be free. */
    private static final Duration CLOSE_WITHIN = Duration.ofSeconds(5);
    private volatile boolean paused;
    private volatile long received;

    private UdpEchoResponder(DatagramChannel channel) {
        this.channel = channel;
        this.thread = new Thread(this::serve, "udp-echo");
        this.thread.setDaemon(true);
    }

    /** Binds {@code port} on every address of the calling thread's namespace and starts echoing. */
    public static UdpEchoResponder start(int port) throws IOException {
        return start(new InetSocketAddress(port));
    }

    /**
     * Binds {@code address} in the calling thread's namespace and starts echoing. Bound to one address, the
     * echoes leave from it even when the host's preferred source address changes (a VM renumbered by a WAN
     * move keeps answering on its old address); a wildcard socket would answer from the new one, which the
     * client's connected socket drops.
     */
    public static UdpEchoResponder start(InetSocketAddress address) throws IOException {
        DatagramChannel channel = DatagramChannel.open();
        channel.setOption(java.net.StandardSocketOptions.SO_RCVBUF, UdpProber.SOCKET_BUFFER_BYTES);
        channel.bind(address);
        UdpEchoResponder responder = new UdpEchoResponder(channel);
        responder.thread.start();
        return responder;
    }

    private void serve() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(2048);
        try {
            while (true) {
                buffer.clear();
                SocketAddress from = channel.receive(buffer);
                received++;
                while (paused) {
                    LockSupport.parkNanos(PAUSED_POLL.toNanos());
                }
                buffer.flip();
                channel.send(buffer, from);
            }
        } catch (ClosedChannelException closed) {
            // stopped
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public void pause() {
        paused = true;
    }

    public void resume() {
        paused = false;
    }

    /** The UDP port it listens on (the one bound when {@link #start} was given 0). */
    public int port() throws IOException {
        return ((InetSocketAddress) channel.getLocalAddress()).getPort();
    }

    /** Datagrams that reached the service. */
    public long received() {
        return received;
    }

    /**
     * Stops echoing. Returns once the port is free: a channel closed while its thread is blocked receiving is
     * released by that thread, so this waits for it.
     */
    @Override
    public void close() throws IOException {
        channel.close();
        try {
            thread.join(CLOSE_WITHIN.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
