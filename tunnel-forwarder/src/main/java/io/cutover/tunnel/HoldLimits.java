package io.cutover.tunnel;

/**
 * Bounds of the buffer that holds frames during the blackout. When either bound would be passed, the
 * oldest held frames are dropped (and counted as {@link DropReason#HOLD_OVERFLOW}).
 *
 * @param packets at most this many frames (default {@value #DEFAULT_PACKETS})
 * @param bytes   at most this many bytes of frames (default {@value #DEFAULT_BYTES})
 */
public record HoldLimits(int packets, long bytes) {
    public static final int DEFAULT_PACKETS = 65_536;
    public static final long DEFAULT_BYTES = 32L * 1024 * 1024;
    public static final HoldLimits DEFAULT = new HoldLimits(DEFAULT_PACKETS, DEFAULT_BYTES);

    public HoldLimits {
        if (packets < 1) {
            throw new IllegalArgumentException("hold.packets must be >= 1, was " + packets);
        }
        if (bytes < 1) {
            throw new IllegalArgumentException("hold.bytes must be >= 1, was " + bytes);
        }
    }
}
