package io.cutover.migration;

import io.cutover.migration.transport.FrameType;
import io.cutover.migration.transport.Frames;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy between a source and a target that cuts its first connection — both sides, without forwarding
 * the frame — when a frame of a given type passes in a given direction. Later connections pass untouched,
 * unless {@link #refuseAfterCut()} was called.
 */
final class CuttingProxy implements AutoCloseable {
    private final ServerSocket server;
    private final InetSocketAddress target;
    private final FrameType cutAt;
    private final boolean fromDestination;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean cut;
    private volatile boolean refuse;
    private volatile boolean refuseAfterCut;
    private volatile int connections;

    /** Cuts at the first {@code cutAt} frame sent by the destination ({@code fromDestination}) or the source. */
    CuttingProxy(InetSocketAddress target, FrameType cutAt, boolean fromDestination) throws IOException {
        this.server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        this.target = target;
        this.cutAt = cutAt;
        this.fromDestination = fromDestination;
        Thread accept = new Thread(this::accept, "proxy-accept");
        accept.setDaemon(true);
        accept.start();
    }

    InetSocketAddress address() {
        return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
    }

    /** Whether the first connection was cut. */
    boolean cut() {
        return cut;
    }

    /** After the cut, closes new connections at once (as if the destination were unreachable). */
    CuttingProxy refuseAfterCut() {
        refuseAfterCut = true;
        return this;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                sockets.add(client);
                if (refuse) {
                    client.close();
                    continue;
                }
                Socket upstream = new Socket(target.getAddress(), target.getPort());
                sockets.add(upstream);
                boolean first = connections++ == 0;
                pump(client, upstream, first && !fromDestination);
                pump(upstream, client, first && fromDestination);
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pump(Socket from, Socket to, boolean watch) {
        Thread t = new Thread(() -> {
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                if (!watch) {
                    in.transferTo(out);
                    return;
                }
                DataInputStream frames = new DataInputStream(in);
                byte[] header = new byte[Frames.HEADER_BYTES];
                while (true) {
                    frames.readFully(header);
                    int type = header[0] & 0xff;
                    byte[] payload = new byte[ByteBuffer.wrap(header).getInt(4)];
                    frames.readFully(payload);
                    if (type == cutAt.code()) {
                        refuse = refuseAfterCut;
                        cut = true;
                        from.close();
                        to.close();
                        return;
                    }
                    out.write(header);
                    out.write(payload);
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
        }, "proxy-pump");
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
