package io.cutover.tunnel.impl;

import io.cutover.tunnel.TunnelException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Catches frames on an interface through a {@link PacketRing} and a BPF filter, on a thread of its own (made by the
 * forwarder's thread factory, so in the forwarder's namespace), and hands them on one by one, each copied out of the
 * ring into an array of its own (the sink keeps it: the hold, the tunnel's queue). While the sink says it is
 * backlogged, the frames wait in the ring (the kernel drops what it cannot hold, counted as CAPTURE_OVERFLOW): catching
 * them only to drop them would take the CPU the tunnel lacks. {@link #close()} stops it within {@value #POLL_MILLIS} ms.
 */
public final class RingCapture implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RingCapture.class);
    static final int POLL_MILLIS = 50;
    /** Frames read between two looks at the sink's backlog. */
    static final int BATCH = 256;
    private static final long BACKLOG_WAIT_NANOS = 100_000;

    private final String moveId;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile PacketRing ring;

    private RingCapture(String moveId, String iface, String filter, int snaplen, Consumer<byte[]> sink,
                        BooleanSupplier backlogged, ThreadFactory threads, CompletableFuture<Void> opened) {
        this.moveId = moveId;
        this.thread = threads.newThread(() -> run(iface, filter, snaplen, sink, backlogged, opened));
        this.thread.setName("tunnel-capture-" + moveId);
        this.thread.setDaemon(true);
    }

    /**
     * Opens {@code iface} with {@code filter} (inbound frames only, cut at {@code snaplen} bytes) and starts catching,
     * handing frames to {@code sink} while {@code backlogged} says false.
     *
     * @throws TunnelException when the interface cannot be opened, the filter does not compile or the ring cannot be
     *                         set up
     */
    public static RingCapture start(String moveId, String iface, String filter, int snaplen, Consumer<byte[]> sink,
                                    BooleanSupplier backlogged, ThreadFactory threads) {
        CompletableFuture<Void> opened = new CompletableFuture<>();
        RingCapture capture = new RingCapture(moveId, iface, filter, snaplen, sink, backlogged, threads, opened);
        capture.thread.start();
        try {
            opened.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            capture.close();
            throw new TunnelException(moveId, "interrupted while opening " + iface, e);
        } catch (ExecutionException e) {
            capture.close();
            if (e.getCause() instanceof TunnelException t) {
                throw t;
            }
            throw new TunnelException(moveId, "cannot catch on " + iface + ": " + e.getCause().getMessage(), e.getCause());
        }
        return capture;
    }

    private void run(String iface, String filter, int snaplen, Consumer<byte[]> sink, BooleanSupplier backlogged,
                     CompletableFuture<Void> opened) {
        PacketRing r;
        try {
            r = PacketRing.open(moveId, iface, filter, snaplen);
        } catch (RuntimeException e) {
            opened.completeExceptionally(e);
            return;
        }
        ring = r;
        opened.complete(null);
        LOG.info("move {}: catching on {} with filter '{}'", moveId, iface, filter);
        PacketRing.FrameReader reader = (buffer, offset, length, wireLength) -> {
            byte[] frame = new byte[length];
            buffer.get(offset, frame);
            sink.accept(frame);
        };
        try {
            while (running) {
                if (backlogged.getAsBoolean()) {
                    LockSupport.parkNanos(BACKLOG_WAIT_NANOS);
                } else {
                    r.read(POLL_MILLIS, BATCH, reader);
                }
            }
        } catch (RuntimeException e) {
            LOG.error("move {}: capture on {} stopped by an error", moveId, iface, e);
        } finally {
            r.close();
        }
    }

    /** Frames the kernel dropped because the capture ring was full, since the last call. */
    public long newCaptureDrops() {
        PacketRing r = ring;
        return r == null ? 0 : r.newDrops();
    }

    /** Stops catching and closes the ring. */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
