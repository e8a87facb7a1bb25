package io.cutover.tunnel.impl;

import io.cutover.tunnel.HoldLimits;

import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * The blackout buffer: frames in arrival order, bounded in count and bytes. When a new frame would pass a
 * bound, the oldest frames are dropped (and counted) to make room. Not thread-safe: the move guards it.
 */
public final class HoldBuffer {
    private final HoldLimits limits;
    private final ArrayDeque<byte[]> frames = new ArrayDeque<>();
    private long bytes;
    private long dropped;

    public HoldBuffer(HoldLimits limits) {
        this.limits = limits;
    }

    /** Holds {@code frame}; returns how many old frames were dropped to make room (0 normally). */
    public int add(byte[] frame) {
        int droppedNow = 0;
        if (frame.length > limits.bytes()) {
            dropped++;
            return 1;
        }
        while (!frames.isEmpty() && (frames.size() + 1 > limits.packets() || bytes + frame.length > limits.bytes())) {
            bytes -= frames.removeFirst().length;
            droppedNow++;
        }
        frames.addLast(frame);
        bytes += frame.length;
        dropped += droppedNow;
        return droppedNow;
    }

    /** Hands every held frame to {@code sink}, oldest first, and empties the buffer; returns how many. */
    public int drain(Consumer<byte[]> sink) {
        return drain(sink, Integer.MAX_VALUE);
    }

    /** Hands the {@code max} oldest held frames (or all, if fewer) to {@code sink}, oldest first; returns how many. */
    public int drain(Consumer<byte[]> sink, int max) {
        int count = 0;
        byte[] frame;
        while (count < max && (frame = frames.pollFirst()) != null) {
            bytes -= frame.length;
            sink.accept(frame);
            count++;
        }
        return count;
    }

    /** Forgets every held frame; returns how many. */
    public int clear() {
        int count = frames.size();
        frames.clear();
        bytes = 0;
        return count;
    }

    public int size() {
        return frames.size();
    }

    public long bytes() {
        return bytes;
    }

    /** Frames dropped because the buffer was full, since it was made. */
    public long dropped() {
        return dropped;
    }
}
