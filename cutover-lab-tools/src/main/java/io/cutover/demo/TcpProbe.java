package io.cutover.demo;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/**
 * One long-lived TCP connection to the VM, exchanging a numbered message every few milliseconds, so that the
 * demo can tell whether an established connection survives the cutover.
 */
public final class TcpProbe implements AutoCloseable {
    /** How long {@link #stop} waits for the echo of the message under way. */
    private static final Duration LAST_ECHO_WITHIN = Duration.ofSeconds(5);
    private final Socket socket;
    private final DataOutputStream out;
    private final DataInputStream in;
    private final Thread thread;
    private volatile boolean stopping;
    private volatile IOException failure;
    private volatile long exchanged;
    private volatile boolean stopped;
    private volatile boolean survived;

    private final Duration interval;

    private TcpProbe(Socket socket, Duration interval) throws IOException {
        this.socket = socket;
        this.interval = interval;
        this.out = new DataOutputStream(socket.getOutputStream());
        this.in = new DataInputStream(socket.getInputStream());
        this.thread = new Thread(this::exchange, "tcp-probe");
        this.thread.setDaemon(true);
    }

    /** Connects from the calling thread's namespace and starts exchanging every {@code interval}. */
    public static TcpProbe start(InetSocketAddress target, Duration interval) throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(target, 5_000);
        socket.setSoTimeout(30_000);
        TcpProbe probe = new TcpProbe(socket, interval);
        probe.thread.start();
        return probe;
    }

    private void exchange() {
        long seq = 0;
        try {
            while (!stopping) {
                out.writeLong(seq);
                out.flush();
                long echoed = in.readLong();
                if (echoed != seq) {
                    throw new IOException("the echo of message " + seq + " was " + echoed);
                }
                exchanged = ++seq;
                Thread.sleep(interval.toMillis());
            }
        } catch (IOException e) {
            if (!stopping) {
                failure = e;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Messages echoed so far. */
    public long exchanged() {
        return exchanged;
    }

    /**
     * Whether the connection is up and no exchange failed; once {@link #stop stopped}, whether it was up until then.
     */
    public boolean alive() {
        return failure == null && (stopped ? survived : thread.isAlive() && !socket.isClosed());
    }

    /**
     * Ends the exchange after the message under way (waiting for its echo at most {@link #LAST_ECHO_WITHIN}) and closes
     * the connection, so that nothing more reaches the VM's address from here; {@link #alive} then says whether the
     * connection was up until the end.
     */
    public void stop() throws IOException, InterruptedException {
        stopping = true;
        thread.join(LAST_ECHO_WITHIN.toMillis());
        survived = failure == null && !thread.isAlive();
        stopped = true;
        socket.close();
    }

    /** Why the connection broke, or {@code null}. */
    public IOException failure() {
        return failure;
    }

    @Override
    public void close() throws IOException {
        stopping = true;
        socket.close();
    }
}
