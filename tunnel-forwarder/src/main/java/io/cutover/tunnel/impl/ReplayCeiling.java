package io.cutover.tunnel.impl;

/**
 * The receiver's journaled high-water mark, so that a packet replayed after a {@code kill -9} and restart is still
 * refused: the journal holds a ceiling at or above every sequence number accepted, written before a packet above
 * it is accepted, and a restarted receiver refuses everything up to it. The ceiling runs ahead of the highest
 * accepted by {@link #MIN_HEADROOM} or twice what the sender sent per second lately, so that a journal write
 * before acceptance is rare. The price: after a restart, the sender's next packets up to the ceiling are refused
 * too, at most some two seconds of traffic, mostly sent while the receiver was down anyway.
 */
final class ReplayCeiling {
    /** The least headroom above the highest accepted. */
    static final long MIN_HEADROOM = 64;
    /** The most headroom above the highest accepted. */
    static final long MAX_HEADROOM = 1L << 24;

    private volatile long persisted;
    private volatile long claimed;
    private long proposedHighest;
    private long highestAtPersist;
    private long persistNanos;

    /** @param journaled whether there is a journal; without one every sequence number is covered */
    ReplayCeiling(boolean journaled, long nowNanos) {
        this.persisted = journaled ? 0 : Long.MAX_VALUE;
        this.persistNanos = nowNanos;
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

    /** The ceiling to journal now, given the highest accepted so far (under the journal's lock). */
    synchronized long propose(long highest, long nowNanos) {
        long top = Math.max(highest, claimed);
        proposedHighest = top;
        double seconds = Math.max(0.001, (nowNanos - persistNanos) / 1e9);
        long perSecond = (long) (Math.max(0, top - highestAtPersist) / seconds);
        long headroom = Math.min(MAX_HEADROOM, Math.max(MIN_HEADROOM, 2 * perSecond));
        return Math.max(persisted == Long.MAX_VALUE ? 0 : persisted, top + headroom);
    }

    /** The proposed ceiling is on disk. */
    synchronized void persisted(long ceiling, long nowNanos) {
        if (persisted != Long.MAX_VALUE) {
            persisted = Math.max(persisted, ceiling);
        }
        highestAtPersist = proposedHighest;
        persistNanos = nowNanos;
    }

    /** After a restart: the journaled ceiling is the floor, and covered. */
    synchronized void resumeAt(long floor) {
        if (persisted != Long.MAX_VALUE) {
            persisted = Math.max(persisted, floor);
        }
        highestAtPersist = floor;
        claimed = Math.max(claimed, floor);
    }

    /** The ceiling on disk. */
    long persisted() {
        return persisted;
    }
}
