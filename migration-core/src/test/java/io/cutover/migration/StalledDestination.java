package io.cutover.migration;

import io.cutover.migration.transport.FrameType;
import io.cutover.migration.transport.Frames;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A destination on loopback that accepts connections and then reads nothing at all, or reserves the guest (reads
 * the HELLO, answers RESERVED) and then stops reading, so that the source stalls inside pre-copy — its small receive
 * buffer makes the source's buffers fill soon — or reads on at a trickle.
 */
final class StalledDestination implements AutoCloseable {
    private static final long TICK_MS = 50;
    private final ServerSocket server;
    private final long reservePages;
    private final int bytesPerTick;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    /** Accepts and reads nothing. */
    static StalledDestination silent() throws IOException {
        return new StalledDestination(0, 0);
    }

    /** Reserves {@code pages}, then reads nothing. */
    static StalledDestination stopsAfterReserving(long pages) throws IOException {
        return new StalledDestination(pages, 0);
    }

    /** Reserves {@code pages}, then reads at most {@code bytes} every {@value #TICK_MS} ms: slow, but not stalled. */
    static StalledDestination trickling(long pages, int bytes) throws IOException {
        return new StalledDestination(pages, bytes);
    }

    private StalledDestination(long reservePages, int bytesPerTick) throws IOException {
        this.reservePages = reservePages;
        this.bytesPerTick = bytesPerTick;
        server = new ServerSocket();
        if (bytesPerTick == 0) {
            server.setReceiveBufferSize(4096);
        }
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        acceptor = new Thread(this::serve, "stalled-destination");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    InetSocketAddress address() {
        return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
    }

    /** One connection at a time: the migrations here have one. */
    private void serve() {
        try {
            while (true) {
                Socket s = server.accept();
                sockets.add(s);
                if (reservePages > 0) {
                    reserve(s);
                }
                if (bytesPerTick > 0) {
                    trickle(s.getInputStream());
                }
            }
        } catch (IOException | InterruptedException e) {
            // closed
        }
    }

    private void reserve(Socket s) throws IOException {
        DataInputStream in = new DataInputStream(s.getInputStream());
        byte[] header = new byte[Frames.HEADER_BYTES];
        in.readFully(header);
        in.readFully(new byte[ByteBuffer.wrap(header).getInt(4)]);
        ByteBuffer reserved = ByteBuffer.allocate(Frames.HEADER_BYTES).put((byte) FrameType.RESERVED.code())
                .put((byte) 0).putShort((short) Frames.MAGIC).putInt(0).putLong(reservePages);
        s.getOutputStream().write(reserved.array());
    }

    private void trickle(InputStream in) throws IOException, InterruptedException {
        byte[] buffer = new byte[bytesPerTick];
        while (in.read(buffer) >= 0) {
            Thread.sleep(TICK_MS);
        }
    }

    @Override
    public void close() throws Exception {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
        acceptor.join(5000);
    }
}
