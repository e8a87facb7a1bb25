package io.cutover.tunnel.impl;

/**
 * The receiver's journaled high-water mark, so that a packet replayed after a {@code kill -9} and restart is still
 * refused: the journal holds a ceiling at or above every sequence number accepted, written before a packet above
 * it is accepted, and a restarted receiver refuses everything up to it. The ceiling runs ahead of the highest
 * accepted by {@link #MIN_HEADROOM} or twice the packets accepted per second lately (a count, not the advance of
 * the sequence numbers, which jump when a sender restarts), so that a journal write before acceptance is rare. The price: after a restart, the sender's next packets up to the ceiling are refused
 * too, at most some two seconds of traffic, mostly sent while the receiver was down anyway.
 */
final class ReplayCeiling {
    /** The least headroom above the highest accepted. */
    static final long MIN_HEADROOM = 64;
    /** The most headroom above the highest accepted. */
    static final long MAX_HEADROOM = 1L << 24;
    private static final long WINDOW_NANOS = 1_000_000_000L;
    private static final long MIN_WINDOW_NANOS = 100_000_000L;

    private volatile long persisted;
    private volatile long claimed;
    private volatile long accepted;
    private long windowStartNanos;
    private long windowStartCount;
    private double lastWindowRate;

    /** @param journaled whether there is a journal; without one every sequence number is covered */
    ReplayCeiling(boolean journaled, long nowNanos) {
        this.persisted = journaled ? 0 : Long.MAX_VALUE;
        this.windowStartNanos = nowNanos;
    }

    /** Whether the journal already covers {@code seq}, so that it may be accepted without writing first. */
    boolean covers(long seq) {
        return seq <= persisted;
    }

    /** Notes a sequence number about to be accepted (the receiving thread, before the journal is written). */
    void claim(long seq) {
        if (seq > claimed) {
            claimed = seq;
        }
    }

    /** Counts one accepted packet (the receiving thread only). */
    void accepted() {
        accepted++;
    }

    /** The ceiling to journal now, given the highest accepted so far (under the journal's lock). */
    synchronized long propose(long highest, long nowNanos) {
        long top = Math.max(highest, claimed);
        long headroom = Math.min(MAX_HEADROOM, Math.max(MIN_HEADROOM, (long) (2 * perSecond(nowNanos))));
        return Math.max(persisted == Long.MAX_VALUE ? 0 : persisted, top + headroom);
    }

    /**
     * Packets accepted per second: the last whole window of at least a second, or the current one if faster, counted
     * over no less than {@link #MIN_WINDOW_NANOS} (so that a few packets close together do not look like a flood).
     */
    private double perSecond(long nowNanos) {
        long count = accepted;
        long elapsed = nowNanos - windowStartNanos;
        double current = (count - windowStartCount) / (Math.max(elapsed, MIN_WINDOW_NANOS) / 1e9);
        if (elapsed >= WINDOW_NANOS) {
            lastWindowRate = current;
            windowStartNanos = nowNanos;
            windowStartCount = count;
        }
        return Math.max(lastWindowRate, current);
    }

    /** The proposed ceiling is on disk. */
    synchronized void persisted(long ceiling) {
        if (persisted != Long.MAX_VALUE) {
            persisted = Math.max(persisted, ceiling);
        }
    }

    /** After a restart: the journaled ceiling is the floor, and covered. */
    synchronized void resumeAt(long floor) {
        if (persisted != Long.MAX_VALUE) {
            persisted = Math.max(persisted, floor);
        }
        claimed = Math.max(claimed, floor);
    }

    /** The ceiling on disk. */
    long persisted() {
        return persisted;
    }
}
