package io.cutover.tunnel.impl;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * Puts injection on a thread of its own, behind a bounded queue, so that the event loop only reads, checks and
 * decrypts and the tunnel socket's receive buffer drains at once (a burst, such as a flushed blackout buffer,
 * would otherwise overflow it while each frame is injected). A full queue refuses the frame (counted by the move);
 * frames the target then fails to send are handed to {@code failed} (the move counts them as {@code SEND_FAILED}).
 * Each frame is copied into a {@link FrameCopy} taken back once injected: no allocation per frame once as many
 * copies exist as have waited at once.
 */
public final class QueuedSink implements FrameSink {
    /** How many frames may wait for injection. */
    public static final int DEFAULT_CAPACITY = 16_384;
    /** Frames handed to the target at once. */
    static final int BATCH = PacketSocketSink.BATCH;

    private final FrameSink target;
    private final IntConsumer failed;
    private final BlockingQueue<FrameCopy> queue;
    /** Copies injected, to be filled again: as many as have waited at once, at most the queue's capacity and a batch. */
    private final BlockingQueue<FrameCopy> free;
    private final Thread thread;
    private volatile boolean running = true;

    /** @param failed told how many queued frames the target did not send, batch by batch */
    public QueuedSink(FrameSink target, int capacity, ThreadFactory threads, String name, IntConsumer failed) {
        this.target = target;
        this.failed = failed;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.free = new ArrayBlockingQueue<>(capacity + BATCH);
        this.thread = threads.newThread(this::run);
        this.thread.setName(name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    @Override
    public boolean inject(byte[] frame, int length) {
        if (!running) {
            return false;
        }
        FrameCopy copy = free.poll();
        copy = (copy == null ? new FrameCopy() : copy).set(frame, length);
        if (queue.offer(copy)) {
            return true;
        }
        free.offer(copy);
        return false;
    }

    /** Takes what waits, up to a batch, and hands it to the target at once (one sendmmsg on a packet socket). */
    private void run() {
        List<FrameCopy> batch = new ArrayList<>(BATCH);
        try {
            while (running || !queue.isEmpty()) {
                FrameCopy frame = queue.poll(50, TimeUnit.MILLISECONDS);
                if (frame != null) {
                    batch.add(frame);
                    queue.drainTo(batch, BATCH - 1);
                    int sent = target.injectCopies(batch);
                    if (sent < batch.size()) {
                        failed.accept(batch.size() - sent);
                    }
                    for (FrameCopy copy : batch) {
                        free.offer(copy);
                    }
                    batch.clear();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Injects what is queued (for up to 2 s), then closes the target. */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        target.close();
    }
}
