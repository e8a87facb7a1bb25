package io.cutover.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The reference of the migration throughput: bytes sent as fast as plain blocking sockets go over loopback, on
 * as many connections as the migration it is compared with. The clock starts once every connection is open
 * (a migration's round 0 also starts on open connections) and stops when the last receiver has read its last
 * byte, not when the sender has handed it to the kernel.
 */
final class RawBlast {
    private static final int BUFFER_BYTES = 32 << 20;

    private RawBlast() {
    }

    /** Bytes moved and the time they took, from the first byte sent to the last byte received. */
    record Transfer(long bytes, long nanos) {
        double seconds() {
            return nanos / 1e9;
        }
    }

    /** Sends {@code bytes} in all, split evenly over {@code connections} loopback connections in parallel. */
    static Transfer run(long bytes, int connections) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(2 * connections, r -> {
            Thread t = new Thread(r, "raw-blast");
            t.setDaemon(true);
            return t;
        });
        List<AutoCloseable> open = new ArrayList<>();
        try {
            List<SocketChannel[]> pairs = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
                open.add(server);
                SocketChannel out = SocketChannel.open(server.getLocalAddress());
                open.add(out);
                SocketChannel in = server.accept();
                open.add(in);
                out.socket().setTcpNoDelay(true);
                pairs.add(new SocketChannel[] {out, in});
            }
            // the buffers are ready (and faulted in) before the clock starts
            ByteBuffer source = ByteBuffer.allocateDirect(BUFFER_BYTES);
            for (int i = 0; i < source.capacity(); i += 8) {
                source.putLong(i, i * 0x9E3779B97F4A7C15L);
            }
            List<ByteBuffer> sinks = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                sinks.add(ByteBuffer.allocateDirect(BUFFER_BYTES));
            }
            long start = System.nanoTime();
            List<CompletableFuture<Long>> receivers = new ArrayList<>();
            List<CompletableFuture<Void>> senders = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                long share = bytes / connections + (i < bytes % connections ? 1 : 0);
                SocketChannel out = pairs.get(i)[0];
                SocketChannel in = pairs.get(i)[1];
                ByteBuffer sink = sinks.get(i);
                senders.add(CompletableFuture.runAsync(() -> send(out, source.duplicate(), share), threads));
                receivers.add(CompletableFuture.supplyAsync(() -> receive(in, sink, share), threads));
            }
            long end = start;
            for (CompletableFuture<Long> receiver : receivers) {
                end = Math.max(end, receiver.get(2, TimeUnit.MINUTES));
            }
            for (CompletableFuture<Void> sender : senders) {
                sender.get(1, TimeUnit.MINUTES);
            }
            return new Transfer(bytes, end - start);
        } finally {
            for (AutoCloseable c : open) {
                c.close();
            }
            threads.shutdownNow();
        }
    }

    private static void send(SocketChannel out, ByteBuffer source, long bytes) {
        try {
            long sent = 0;
            while (sent < bytes) {
                ByteBuffer b = source.duplicate().clear();
                b.limit((int) Math.min(b.capacity(), bytes - sent));
                while (b.hasRemaining()) {
                    sent += out.write(b);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads {@code bytes}; returns {@link System#nanoTime()} after the last. */
    private static long receive(SocketChannel in, ByteBuffer sink, long bytes) {
        try {
            long total = 0;
            while (total < bytes) {
                if (!sink.hasRemaining()) {
                    sink.clear();
                }
                int n = in.read(sink);
                if (n < 0) {
                    throw new IOException("the connection closed after " + total + " of " + bytes + " bytes");
                }
                total += n;
            }
            return System.nanoTime();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
