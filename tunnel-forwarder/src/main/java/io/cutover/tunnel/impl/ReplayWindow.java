package io.cutover.tunnel.impl;

/**
 * The anti-replay window of a receiver (as RFC 4303 and WireGuard keep it): remembers the highest sequence
 * number accepted and which of the {@value #SIZE} before it were seen. {@link #check} before the tag is
 * verified, {@link #commit} after, so a forged packet cannot move the window. Not thread-safe.
 */
public final class ReplayWindow {
    /** How many sequence numbers below the highest are still accepted, once each. */
    public static final int SIZE = 4096;
    private static final int WORDS = SIZE / 64;

    private final long[] bits = new long[WORDS];
    private long highest;

    /**
     * Whether {@code seq} may be accepted: never seen, not older than the window, and not 0. Sequence numbers are
     * unsigned 64-bit (one with the top bit set is newer than any below it, never a replay for it).
     */
    public boolean check(long seq) {
        if (seq == 0) {
            return false;
        }
        if (Long.compareUnsigned(seq, highest) > 0) {
            return true;
        }
        if (Long.compareUnsigned(highest - seq, SIZE) >= 0) {
            return false;
        }
        return (bits[index(seq)] & bit(seq)) == 0;
    }

    /** Records {@code seq} as accepted (call only after {@link #check} said yes and the tag verified). */
    public void commit(long seq) {
        if (Long.compareUnsigned(seq, highest) > 0) {
            long shift = seq - highest;
            if (Long.compareUnsigned(shift, SIZE) >= 0) {
                java.util.Arrays.fill(bits, 0);
            } else {
                for (long step = 1; step < shift; step++) {
                    bits[index(highest + step)] &= ~bit(highest + step);
                }
            }
            highest = seq;
        }
        bits[index(seq)] |= bit(seq);
    }

    /** The highest sequence number accepted so far. */
    public long highest() {
        return highest;
    }

    /** After a restart: refuses everything up to {@code floor} (the last journaled highest). */
    public void resumeAfter(long floor) {
        java.util.Arrays.fill(bits, -1L);
        highest = Long.compareUnsigned(highest, floor) >= 0 ? highest : floor;
    }

    private static int index(long seq) {
        return (int) ((seq >>> 6) % WORDS);
    }

    private static long bit(long seq) {
        return 1L << (seq & 63);
    }
}
