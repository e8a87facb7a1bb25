package io.cutover.tunnel.impl;

/**
 * A frame copied out of a buffer its owner reuses, {@code bytes[0..length)}: {@link QueuedSink} keeps its copies
 * this way and takes them again once injected, so that a delivered frame allocates nothing. One thread at a time.
 */
final class FrameCopy {
    /** The least room a copy gets: an Ethernet frame of a 1,500-byte MTU, with a VLAN tag. */
    static final int MIN_ROOM = 1_536;

    private byte[] bytes = new byte[0];
    private int length;

    /** Copies {@code frame[0..length)} in, growing the room when the frame is larger than any before. */
    FrameCopy set(byte[] frame, int length) {
        if (bytes.length < length) {
            bytes = new byte[Math.max(length, MIN_ROOM)];
        }
        System.arraycopy(frame, 0, bytes, 0, length);
        this.length = length;
        return this;
    }

    /** The frame's bytes, from 0; only the first {@link #length} count. */
    byte[] bytes() {
        return bytes;
    }

    int length() {
        return length;
    }
}
