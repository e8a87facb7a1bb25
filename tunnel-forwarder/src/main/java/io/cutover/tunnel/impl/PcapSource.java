package io.cutover.tunnel.impl;

import io.cutover.tunnel.TunnelException;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;

/**
 * Catches frames on an interface with Pcap4J and a BPF filter, on a thread of its own (made by the
 * forwarder's thread factory, so in the forwarder's namespace). Frames are handed on one by one, from one
 * {@code pcap_loop} (a single native callback); {@link #close()} breaks the loop.
 */
public final class PcapSource implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PcapSource.class);
    static final int POLL_MILLIS = 50;
    /**
     * The kernel's capture ring. In immediate mode libpcap uses fixed slots of the snapshot length, so the
     * snapshot length is kept to the tunnel's path MTU (a longer frame could not be sent anyway: it arrives cut
     * and is dropped as TOO_BIG) and the ring holds some 20,000 frames.
     */
    static final int BUFFER_BYTES = 32 * 1024 * 1024;

    private final String moveId;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile PcapHandle handle;
    private long reportedDrops;

    private PcapSource(String moveId, String iface, String filter, int snaplen, Consumer<byte[]> sink,
                       ThreadFactory threads, CompletableFuture<Void> opened) {
        this.moveId = moveId;
        this.thread = threads.newThread(() -> run(iface, filter, snaplen, sink, opened));
        this.thread.setName("tunnel-capture-" + moveId);
        this.thread.setDaemon(true);
    }

    /**
     * Opens {@code iface} with {@code filter} (inbound frames only) and starts catching.
     *
     * @throws TunnelException when the interface cannot be opened or the filter does not compile
     */
    public static PcapSource start(String moveId, String iface, String filter, int snaplen, Consumer<byte[]> sink,
                                   ThreadFactory threads) {
        CompletableFuture<Void> opened = new CompletableFuture<>();
        PcapSource source = new PcapSource(moveId, iface, filter, snaplen, sink, threads, opened);
        source.thread.start();
        try {
            opened.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            source.close();
            throw new TunnelException(moveId, "interrupted while opening " + iface, e);
        } catch (ExecutionException e) {
            source.close();
            throw new TunnelException(moveId, "cannot catch on " + iface + ": " + e.getCause().getMessage(), e.getCause());
        }
        return source;
    }

    private void run(String iface, String filter, int snaplen, Consumer<byte[]> sink, CompletableFuture<Void> opened) {
        try {
            handle = new PcapHandle.Builder(iface)
                    .snaplen(snaplen)
                    .promiscuousMode(PcapNetworkInterface.PromiscuousMode.PROMISCUOUS)
                    .timeoutMillis(POLL_MILLIS)
                    .immediateMode(true)
                    .bufferSize(BUFFER_BYTES)
                    .direction(PcapHandle.PcapDirection.IN)
                    .build();
            handle.setFilter(filter, BpfProgram.BpfCompileMode.OPTIMIZE);
            opened.complete(null);
        } catch (PcapNativeException | NotOpenException | RuntimeException e) {
            if (handle != null) {
                handle.close();
            }
            opened.completeExceptionally(e);
            return;
        }
        LOG.info("move {}: catching on {} with filter '{}'", moveId, iface, filter);
        try {
            // one loop, one native callback: a dispatch per batch would make a JNA callback each time
            handle.loop(-1, sink::accept);
        } catch (InterruptedException e) {
            LOG.debug("move {}: capture loop broken", moveId);
        } catch (PcapNativeException | NotOpenException e) {
            if (running) {
                LOG.error("move {}: capture on {} failed: {}", moveId, iface, e.getMessage());
            }
        } catch (RuntimeException e) {
            LOG.error("move {}: capture on {} stopped by an error", moveId, iface, e);
        } finally {
            handle.close();
        }
    }

    /**
     * Frames the kernel dropped because the capture buffer was full, since the last call (libpcap's cumulative
     * {@code ps_drop}, as a difference).
     */
    public long newCaptureDrops() {
        PcapHandle h = handle;
        if (h == null || !h.isOpen()) {
            return 0;
        }
        try {
            long total = h.getStats().getNumPacketsDropped() & 0xFFFFFFFFL;
            long delta = Math.max(0, total - reportedDrops);
            reportedDrops = total;
            return delta;
        } catch (PcapNativeException | NotOpenException | RuntimeException e) {
            return 0;
        }
    }

    /** Stops catching and closes the handle. */
    @Override
    public void close() {
        running = false;
        PcapHandle h = handle;
        if (h != null && h.isOpen()) {
            try {
                h.breakLoop();
            } catch (NotOpenException e) {
                // closed meanwhile
            }
        }
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
