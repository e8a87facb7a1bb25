package io.cutover.migration;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy in front of a destination that meters what the source sends it: the bytes that reached the destination's
 * side by {@link System#nanoTime()}, so that a test sees a migration's pace on the wire rather than as the source
 * reports it.
 */
final class MeteringProxy implements AutoCloseable {
    private final ServerSocket server;
    private final InetSocketAddress target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    /** (nanoTime, bytes forwarded so far) after every read. */
    private final List<long[]> meter = new CopyOnWriteArrayList<>();
    private long forwarded;

    MeteringProxy(InetSocketAddress target) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.target = target;
        Thread accept = new Thread(this::accept, "metering-accept");
        accept.setDaemon(true);
        accept.start();
    }

    InetSocketAddress address() {
        return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
    }

    /** Bytes the source sent that were forwarded between {@code fromNanos} and {@code toNanos}. */
    long bytesBetween(long fromNanos, long toNanos) {
        return forwardedBy(toNanos) - forwardedBy(fromNanos);
    }

    private long forwardedBy(long nanos) {
        long bytes = 0;
        for (long[] sample : meter) {
            if (sample[0] - nanos > 0) {
                break;
            }
            bytes = sample[1];
        }
        return bytes;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket source = server.accept();
                Socket destination = new Socket(target.getAddress(), target.getPort());
                sockets.add(source);
                sockets.add(destination);
                pump(source, destination, true);
                pump(destination, source, false);
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pump(Socket from, Socket to, boolean metered) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    out.write(buffer, 0, n);
                    if (metered) {
                        synchronized (this) {
                            forwarded += n;
                            meter.add(new long[] {System.nanoTime(), forwarded});
                        }
                    }
                }
            } catch (IOException e) {
                // either side closed
            } finally {
                try {
                    from.close();
                    to.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
        }, "metering-pump");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
