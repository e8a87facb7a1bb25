package io.cutover.tunnel.impl;

import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * Sends what a move held during the blackout at a bounded rate, so that the guest that has just resumed is not handed
 * the whole blackout at once: {@value #BURST} frames a tick, ticks spaced so that the average is the pacer's rate
 * (counted from the flush's start, so a late tick catches up, never above {@value #BURST} at once). One thread paces
 * every move of the forwarder. A rate of 0 flushes at once, as the forwarder did before it paced.
 */
final class FlushPacer implements AutoCloseable {
    /** The most frames one tick sends. */
    static final int BURST = 32;

    /** What the pacer drains: a move's held frames, oldest first. */
    interface Flush {
        /** Sends up to {@code max} held frames; returns how many are still held (0: the flush is over). */
        int flushSome(int max);

        /** Sends everything still held, at once (the pacer is closing). */
        void flushRest();
    }

    private final int framesPerSecond;
    private final ScheduledExecutorService ticks;

    /**
     * @param framesPerSecond the average rate, or 0 for no pacing
     * @param threads         makes the pacer's thread (in the forwarder's namespace)
     */
    FlushPacer(int framesPerSecond, ThreadFactory threads) {
        if (framesPerSecond < 0) {
            throw new IllegalArgumentException("the flush rate must be 0 (at once) or positive, was " + framesPerSecond);
        }
        this.framesPerSecond = framesPerSecond;
        this.ticks = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = threads.newThread(r);
            t.setName("tunnel-flush");
            t.setDaemon(true);
            return t;
        });
    }

    int framesPerSecond() {
        return framesPerSecond;
    }

    /** Starts draining {@code flush}; its first {@value #BURST} frames go now, on the caller's thread. */
    void start(Flush flush) {
        if (framesPerSecond == 0) {
            flush.flushSome(Integer.MAX_VALUE);
            return;
        }
        long started = System.nanoTime();
        if (flush.flushSome(BURST) > 0) {
            schedule(new Tick(flush, started, BURST));
        }
    }

    private void schedule(Tick tick) {
        try {
            ticks.schedule(tick, tickNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closed) {
            tick.flush.flushRest();
        }
    }

    /** The time {@value #BURST} frames take at the pacer's rate. */
    private long tickNanos() {
        return BURST * 1_000_000_000L / framesPerSecond;
    }

    /** Stops pacing; flushes still under way are left as they are (their moves send the rest when they close). */
    @Override
    public void close() {
        ticks.shutdownNow();
    }

    private final class Tick implements Runnable {
        private final Flush flush;
        private final long started;
        private long sent;

        Tick(Flush flush, long started, long sent) {
            this.flush = flush;
            this.started = started;
            this.sent = sent;
        }

        @Override
        public void run() {
            long due = (System.nanoTime() - started) * framesPerSecond / 1_000_000_000L;
            int now = (int) Math.max(1, Math.min(BURST, due - sent));
            sent += now;
            if (flush.flushSome(now) > 0) {
                schedule(this);
            }
        }
    }
}
