package io.cutover.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
 *
 * <p>The receiver reads into one of three {@link Sink}s: a buffer it reuses and never looks at, the ceiling of the
 * path; mapped memory that nothing has touched yet, where every first write of a page costs the kernel a page fault
 * (what a destination that wrote its pages through their mapping would pay); or a reused buffer written into a
 * fresh file in {@code /dev/shm} (the kernel allocates and fills each page, as the destination's writes do).
 */
final class RawBlast {
    private static final int BUFFER_BYTES = 32 << 20;
    /** What a {@link Sink#FRESH_FILE} receiver reads at most before writing it: a destination's run of pages. */
    private static final int FILE_BUFFER_BYTES = 1 << 20;

    private RawBlast() {
    }

    /** Where the receiver puts the bytes. */
    enum Sink {
        /** A buffer of {@value #BUFFER_BYTES} bytes, faulted in before the clock starts and reused. */
        REUSED_BUFFER,
        /**
         * A fresh sparse mapping of a deleted file in {@code /dev/shm} as large as the bytes received, as a
         * synthetic guest's memory: each page is faulted in by its first write, under the clock.
         */
        FRESH_MEMORY,
        /**
         * A reused buffer of {@value #FILE_BUFFER_BYTES} bytes, each read written at once into a fresh deleted file
         * in {@code /dev/shm} as large as the bytes received: each page is allocated by the write, under the clock.
         */
        FRESH_FILE
    }

    /** Bytes moved and the time they took, from the first byte sent to the last byte received. */
    record Transfer(long bytes, long nanos) {
        double seconds() {
            return nanos / 1e9;
        }
    }

    /** Sends {@code bytes} in all, split evenly over {@code connections} loopback connections in parallel. */
    static Transfer run(long bytes, int connections, Sink sinkKind) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(2 * connections, r -> {
            Thread t = new Thread(r, "raw-blast");
            t.setDaemon(true);
            return t;
        });
        List<AutoCloseable> open = new ArrayList<>();
        List<ByteBuffer> sinks = new ArrayList<>();
        List<FileChannel> files = new ArrayList<>();
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
            for (int i = 0; i < connections; i++) {
                long share = bytes / connections + 1;
                switch (sinkKind) {
                    case REUSED_BUFFER -> sinks.add(ByteBuffer.allocateDirect(BUFFER_BYTES));
                    case FRESH_MEMORY -> sinks.add(freshMemory(share));
                    case FRESH_FILE -> {
                        sinks.add(ByteBuffer.allocateDirect(FILE_BUFFER_BYTES));
                        FileChannel file = freshFile();
                        open.add(file);
                        files.add(file);
                    }
                }
            }
            long start = System.nanoTime();
            List<CompletableFuture<Long>> receivers = new ArrayList<>();
            List<CompletableFuture<Void>> senders = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                long share = bytes / connections + (i < bytes % connections ? 1 : 0);
                SocketChannel out = pairs.get(i)[0];
                SocketChannel in = pairs.get(i)[1];
                ByteBuffer sink = sinks.get(i);
                FileChannel file = files.isEmpty() ? null : files.get(i);
                senders.add(CompletableFuture.runAsync(() -> send(out, source.duplicate(), share), threads));
                receivers.add(CompletableFuture.supplyAsync(() -> file == null ? receive(in, sink, share)
                        : receiveIntoFile(in, sink, file, share), threads));
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
            if (sinkKind == Sink.FRESH_MEMORY) {
                sinks.forEach(RawBlast::unmap);
            }
            for (AutoCloseable c : open) {
                c.close();
            }
            threads.shutdownNow();
        }
    }

    private static ByteBuffer freshMemory(long bytes) throws IOException {
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a fresh sink holds at most 2 GiB, not " + bytes + " bytes");
        }
        Path file = Files.createTempFile(Path.of("/dev/shm"), "cutover-bench-", ".mem");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return ch.map(FileChannel.MapMode.READ_WRITE, 0, bytes);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** A new file in /dev/shm, already deleted: its pages go when the channel closes. */
    private static FileChannel freshFile() throws IOException {
        Path file = Files.createTempFile(Path.of("/dev/shm"), "cutover-bench-", ".mem");
        try {
            return FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Gives a fresh sink's memory back now rather than when the GC finds the buffer. */
    private static void unmap(ByteBuffer mapping) {
        try {
            java.lang.reflect.Field field = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            field.setAccessible(true);
            ((sun.misc.Unsafe) field.get(null)).invokeCleaner(mapping);
        } catch (ReflectiveOperationException e) {
            // the GC unmaps it later
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

    /** Reads {@code bytes}, each read written into {@code file} after the one before; returns {@link System#nanoTime()} after the last write. */
    private static long receiveIntoFile(SocketChannel in, ByteBuffer buffer, FileChannel file, long bytes) {
        try {
            long total = 0;
            while (total < bytes) {
                buffer.clear();
                int n = in.read(buffer);
                if (n < 0) {
                    throw new IOException("the connection closed after " + total + " of " + bytes + " bytes");
                }
                buffer.flip();
                while (buffer.hasRemaining()) {
                    total += file.write(buffer, total);
                }
            }
            return System.nanoTime();
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
                // at most a buffer's worth a read, as into the reused buffer
                if (sink.remaining() > BUFFER_BYTES) {
                    sink.limit(sink.position() + BUFFER_BYTES);
                }
                int n = in.read(sink);
                sink.limit(sink.capacity());
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
