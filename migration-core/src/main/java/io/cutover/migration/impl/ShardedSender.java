package io.cutover.migration.impl;

import io.cutover.migration.Compression;
import io.cutover.migration.Guest;
import io.cutover.migration.transport.Frame;
import io.cutover.migration.transport.FrameType;
import io.cutover.migration.transport.Frames;
import io.netty.channel.Channel;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.ToLongFunction;

/**
 * The pages of a migration over one or several connections (multifd): one {@link PageSender} per connection,
 * each sending the pages of its shard ({@link Frames#channelOf}) on its own thread. A round ends when every
 * connection has sent its share; over several connections each then carries a SYNC with the round's sync
 * point, which the destination waits for on every connection before it verifies the memory.
 */
final class ShardedSender {
    private final PageSender[] senders;
    private final Channel[] channels;
    private final long[][] shards;
    private final ExecutorService threads;
    private final long zeroDigest;
    private long syncPoint;
    private volatile long skippedZeroPages;

    ShardedSender(Guest guest, List<Channel> channels, Waits waits, Compression compression, int batchBytes,
                  long xbzrleCacheBytes) {
        int n = channels.size();
        this.channels = channels.toArray(new Channel[0]);
        this.senders = new PageSender[n];
        for (int i = 0; i < n; i++) {
            senders[i] = new PageSender(guest, this.channels[i], waits, compression, batchBytes,
                    xbzrleCacheBytes == 0 ? null : new PageCache(xbzrleCacheBytes / n, guest.pageSize()));
        }
        this.zeroDigest = new PageDigest(guest.pageSize()).zeroDigest(guest.pageCount());
        int words = (int) ((guest.pageCount() + 63) >>> 6);
        this.shards = n == 1 ? null : new long[n][words];
        this.threads = n == 1 ? null : Executors.newFixedThreadPool(n - 1, r -> {
            Thread t = new Thread(r, "migration-sender");
            t.setDaemon(true);
            return t;
        });
    }

    int channels() {
        return senders.length;
    }

    /** The connection of the control frames, which also carries shard 0. */
    PageSender control() {
        return senders[0];
    }

    /**
     * Sends the pages set in {@code bitmap} (clearing their bits), each shard on its connection in parallel, then
     * marks a sync point on every connection; returns the bytes written. When {@code stop} ends it early, the bits of
     * the pages not sent stay set.
     */
    long sendDirty(long[] bitmap, BooleanSupplier stop) {
        if (shards == null) {
            return senders[0].sendDirty(bitmap, stop);
        }
        int n = senders.length;
        for (int w = 0; w < bitmap.length; w++) {
            if (bitmap[w] != 0) {
                shards[w % n][w] = bitmap[w];
                bitmap[w] = 0;
            }
        }
        CompletableFuture<?>[] others = new CompletableFuture<?>[n - 1];
        for (int i = 1; i < n; i++) {
            int shard = i;
            others[i - 1] = CompletableFuture.supplyAsync(() -> senders[shard].sendDirty(shards[shard], stop), threads);
        }
        long sent = 0;
        RuntimeException failure = null;
        try {
            sent += senders[0].sendDirty(shards[0], stop);
        } catch (RuntimeException e) {
            failure = e;
        }
        for (CompletableFuture<?> f : others) {
            try {
                sent += (Long) f.join();
            } catch (CompletionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof RuntimeException r ? r : e;
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
        // pages a stop left unsent go back to the bitmap, to be sent later
        for (long[] shard : shards) {
            for (int w = 0; w < shard.length; w++) {
                bitmap[w] |= shard[w];
                shard[w] = 0;
            }
        }
        syncPoint++;
        for (Channel ch : channels) {
            ch.writeAndFlush(Frame.of(FrameType.SYNC, syncPoint), ch.voidPromise());
        }
        return sent;
    }

    /** Paces all connections together at {@code bytesPerSecond} (0: unpaced). */
    void pace(long bytesPerSecond) {
        for (PageSender s : senders) {
            s.pace(bytesPerSecond == 0 ? 0 : Math.max(1, bytesPerSecond / senders.length));
        }
    }

    /** The digest of the memory as the destination holds it, over all shards. */
    long digest() {
        long sum = zeroDigest;
        for (PageSender s : senders) {
            sum += s.digest() - zeroDigest;
        }
        return sum;
    }

    long transferredBytes() {
        return sum(sender -> sender.transferredBytes);
    }

    long pagesSent() {
        return sum(sender -> sender.pagesSent);
    }

    long zeroPages() {
        return sum(sender -> sender.zeroPages) + skippedZeroPages;
    }

    /** Counts pages left out of the first round as never written (zero at both ends) with the zero pages. */
    void skippedAsZero(long pages) {
        skippedZeroPages += pages;
    }

    long deltaPages() {
        return sum(sender -> sender.deltaPages);
    }

    long deltaSaved() {
        return sum(sender -> sender.deltaSaved);
    }

    long compressionSaved() {
        return sum(sender -> sender.compressionSaved);
    }

    /** A counter of every connection's sender, added up. */
    private long sum(ToLongFunction<PageSender> counter) {
        long n = 0;
        for (PageSender s : senders) {
            n += counter.applyAsLong(s);
        }
        return n;
    }

    /** Bytes handed to the connections but not yet written to their sockets. */
    long pendingBytes() {
        long n = 0;
        for (Channel ch : channels) {
            io.netty.channel.ChannelOutboundBuffer out = ch.unsafe().outboundBuffer();
            n += out == null ? 0 : out.totalPendingWriteBytes();
        }
        return n;
    }

    void wakeUp() {
        for (PageSender s : senders) {
            s.wakeUp();
        }
    }

    /** Frees the batches in progress and stops the sending threads. */
    void discard() {
        for (PageSender s : senders) {
            s.discard();
        }
        if (threads != null) {
            threads.shutdownNow();
        }
    }
}
