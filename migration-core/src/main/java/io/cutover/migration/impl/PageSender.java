package io.cutover.migration.impl;

import io.cutover.migration.Compression;
import io.cutover.migration.Guest;
import io.cutover.migration.transport.FrameType;
import io.cutover.migration.transport.Frames;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;

import java.nio.ByteBuffer;
import java.util.concurrent.locks.LockSupport;

/**
 * Lays pages out as PAGE frames in large direct batches and writes them to the channel, waiting while
 * the channel is not writable (up to the deadline of {@link Waits#forBytes}) and pacing to a rate. Keeps the
 * per-page checksums of what was sent and the running whole-memory digest, and knows which destination pages
 * are still zero (never sent, or last sent as zero) so that zero pages need not be sent again.
 */
final class PageSender {
    /** Thrown when the channel closes under the sender. */
    static final class ChannelClosedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ChannelClosedException() {
            super("the connection to the destination closed");
        }
    }

    private final Guest guest;
    private final Channel channel;
    private final Waits waits;
    private final int pageSize;
    private final int batchBytes;
    private final PageDigest digestOf;
    private final int[] sentCrc;
    private final long[] destinationZero;
    private final LZ4Compressor lz4;
    private final int lz4Limit;
    private final PageCache cache;
    private final byte[] snapshot;
    private final ByteBuffer snapshotView;
    private volatile Thread waiter;
    private ByteBuf batch;
    private long digest;

    private long rate;
    private long paceStart;
    private long pacedBytes;

    volatile long transferredBytes;
    volatile long pagesSent;
    volatile long zeroPages;
    volatile long compressionSaved;
    volatile long deltaPages;
    volatile long deltaSaved;

    /** @param cache the XBZRLE cache of this sender's pages, or {@code null} for no deltas */
    PageSender(Guest guest, Channel channel, Waits waits, Compression compression, int batchBytes, PageCache cache) {
        this.guest = guest;
        this.channel = channel;
        this.waits = waits;
        this.pageSize = guest.pageSize();
        this.batchBytes = Math.max(batchBytes, 2 * (Frames.HEADER_BYTES + pageSize));
        this.digestOf = new PageDigest(pageSize);
        long pages = guest.pageCount();
        this.sentCrc = new int[Math.toIntExact(pages)];
        java.util.Arrays.fill(sentCrc, digestOf.zeroCrc());
        this.destinationZero = new long[(int) ((pages + 63) >>> 6)];
        java.util.Arrays.fill(destinationZero, -1L);
        this.digest = digestOf.zeroDigest(pages);
        this.lz4 = compression == Compression.LZ4 ? LZ4Factory.fastestInstance().fastCompressor() : null;
        this.lz4Limit = pageSize - pageSize / 8;
        this.cache = cache;
        this.snapshot = cache == null ? null : new byte[pageSize];
        this.snapshotView = cache == null ? null : ByteBuffer.wrap(snapshot);
    }

    /** The digest of the memory as the destination now holds it. */
    long digest() {
        return digest;
    }

    /** Called from the transport when the channel becomes writable again. */
    void wakeUp() {
        Thread t = waiter;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** Paces the following pages at {@code bytesPerSecond} (0: as fast as the channel takes them). */
    void pace(long bytesPerSecond) {
        rate = bytesPerSecond;
        paceStart = System.nanoTime();
        pacedBytes = 0;
    }

    /**
     * Sends the pages whose bits are set in {@code bitmap}, clearing the bits; returns the bytes written.
     * Checks {@code stop} between batches.
     */
    long sendDirty(long[] bitmap, java.util.function.BooleanSupplier stop) {
        long before = transferredBytes;
        long pages = guest.pageCount();
        for (int w = 0; w < bitmap.length; w++) {
            long word = bitmap[w];
            if (word == 0) {
                continue;
            }
            bitmap[w] = 0;
            while (word != 0) {
                int bit = Long.numberOfTrailingZeros(word);
                word &= word - 1;
                long page = ((long) w << 6) + bit;
                if (page < pages) {
                    sendPage(page);
                }
            }
            if (stop.getAsBoolean()) {
                break;
            }
        }
        flush();
        return transferredBytes - before;
    }

    /** Lays one page into the batch (or skips it if it is zero at both ends). */
    void sendPage(long index) {
        ByteBuffer view = guest.pageView(index);
        // a page with data differs from zeros within its first bytes: the zero test is nearly free for it,
        // and a zero page needs no checksum. The test reads the page in place, so a zero page is never copied
        // (a write racing with it is in the dirty log, and the page goes again in the next round).
        boolean zero = digestOf.isZero(view);
        if (cache != null && !zero) {
            // one copy of the page: what is checksummed, sent and cached as the destination's version is the same
            snapshotView.clear();
            snapshotView.put(view);
            view = snapshotView.flip();
        }
        int crc = zero ? digestOf.zeroCrc() : digestOf.checksum(view);
        view.position(0);
        int word = (int) (index >>> 6);
        long bit = 1L << index;
        if (zero) {
            zeroPages++;
            if (cache != null) {
                cache.invalidate(index);
            }
            if ((destinationZero[word] & bit) != 0) {
                return;
            }
            room(Frames.HEADER_BYTES);
            Frames.writeHeader(batch, FrameType.PAGE, Frames.PAGE_ZERO, 0, index);
            destinationZero[word] |= bit;
        } else {
            room(Frames.HEADER_BYTES + pageSize);
            destinationZero[word] &= ~bit;
            if (!deltaInto(index) && (lz4 == null || !compressInto(index, view))) {
                Frames.writeHeader(batch, FrameType.PAGE, Frames.PAGE_RAW, pageSize, index);
                batch.writeBytes(view);
            }
            view.position(0);
            if (cache != null) {
                cache.put(index, snapshot);
            }
            pagesSent++;
        }
        int old = sentCrc[(int) index];
        sentCrc[(int) index] = crc;
        digest += PageDigest.term(index, crc) - PageDigest.term(index, old);
    }

    /**
     * Lays the page (in {@link #snapshot}) out as its delta against the cached version the destination holds,
     * if there is one and the delta is shorter than the page; an unchanged page needs no frame at all.
     */
    private boolean deltaInto(long index) {
        byte[] old = cache == null ? null : cache.get(index);
        if (old == null) {
            return false;
        }
        int headerAt = batch.writerIndex();
        int dataAt = headerAt + Frames.HEADER_BYTES;
        batch.writerIndex(dataAt);
        int length = io.cutover.migration.transport.XorDelta.encode(old, snapshot, batch, pageSize - 1);
        batch.writerIndex(headerAt);
        if (length < 0) {
            return false;
        }
        if (length > 0) {
            Frames.writeHeader(batch, FrameType.PAGE, Frames.PAGE_XBZRLE, length, index);
            batch.writerIndex(dataAt + length);
        }
        deltaPages++;
        deltaSaved += pageSize - length;
        return true;
    }

    private boolean compressInto(long index, ByteBuffer view) {
        int headerAt = batch.writerIndex();
        ByteBuffer out = batch.nioBuffer(headerAt + Frames.HEADER_BYTES, lz4Limit);
        int length;
        try {
            length = lz4.compress(view, 0, pageSize, out, out.position(), lz4Limit);
        } catch (LZ4Exception e) {
            return false;
        }
        if (length <= 0 || length >= lz4Limit) {
            return false;
        }
        Frames.writeHeader(batch, FrameType.PAGE, Frames.PAGE_LZ4, length, index);
        batch.writerIndex(batch.writerIndex() + length);
        compressionSaved += pageSize - length;
        return true;
    }

    private void room(int bytes) {
        if (batch != null && batch.writableBytes() < bytes) {
            flush();
        }
        if (batch == null) {
            batch = channel.alloc().directBuffer(batchBytes, batchBytes);
        }
    }

    /** Writes the batch laid out so far. */
    void flush() {
        ByteBuf out = batch;
        batch = null;
        if (out == null) {
            return;
        }
        if (!out.isReadable()) {
            out.release();
            return;
        }
        int bytes = out.readableBytes();
        awaitWritable();
        channel.writeAndFlush(out, channel.voidPromise());
        transferredBytes += bytes;
        pacedBytes += bytes;
        if (rate > 0) {
            long due = paceStart + (long) (pacedBytes * 1e9 / rate);
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                waits.checkCancelled();
                LockSupport.parkNanos(Math.min(wait, Waits.LOOK_NANOS));
            }
        }
    }

    /**
     * Waits until the channel takes more. Only a destination that takes no bytes for the progress timeout ends the
     * wait ({@link Waits.Stalled}): one that reads on drains the channel's buffer and restarts the clock. The buffer
     * drains as the kernel's send buffer frees room, a third of it at a time (Linux wakes a writer then): a
     * destination that takes less than that in a progress timeout (46 KB/s with a 4 MiB send buffer and 30 s) is
     * taken for stalled.
     */
    private void awaitWritable() {
        waiter = Thread.currentThread();
        try {
            Waits.Wait wait = waits.forBytes();
            long pending = Long.MAX_VALUE;
            while (!channel.isWritable()) {
                if (!channel.isActive()) {
                    throw new ChannelClosedException();
                }
                long left = channel.bytesBeforeWritable();
                if (left < pending) {
                    wait.progressed();
                }
                pending = left;
                LockSupport.parkNanos(Math.min(wait.next(), 1_000_000));
            }
            if (!channel.isActive()) {
                throw new ChannelClosedException();
            }
        } finally {
            waiter = null;
        }
    }

    /** Frees the batch in progress, if any. */
    void discard() {
        if (batch != null) {
            batch.release();
            batch = null;
        }
    }

    /**
     * Re-reads the whole memory and returns its digest (the guest must be paused): equal to
     * {@link #digest()} exactly when the dirty log missed nothing.
     */
    long scanDigest() {
        long sum = 0;
        for (long i = 0; i < guest.pageCount(); i++) {
            sum += PageDigest.term(i, digestOf.checksum(guest.pageView(i)));
        }
        return sum;
    }
}
