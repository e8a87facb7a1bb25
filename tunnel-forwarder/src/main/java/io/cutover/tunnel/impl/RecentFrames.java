package io.cutover.tunnel.impl;

import io.cutover.tunnel.HoldLimits;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * What a SOURCE caught before the switchover, kept for a short while: where the source's switch mirrors the VM's
 * traffic to the forwarder while the VM still runs, the frames that reached the old site after the VM stopped and
 * before the hold began are here, and the hold takes them ({@link #takeSince}). Frames older than {@link #WINDOW}
 * go; the count and bytes are bounded as a hold is. Not thread-safe: the move guards it.
 */
final class RecentFrames {
    /** How long a frame is kept: far longer than a hold takes to begin after the VM stops. */
    static final Duration WINDOW = Duration.ofMillis(500);

    private final HoldLimits limits;
    private final ArrayDeque<Caught> frames = new ArrayDeque<>();
    private long bytes;

    private record Caught(byte[] frame, long nanos) {
    }

    RecentFrames(HoldLimits limits) {
        this.limits = limits;
    }

    /** Keeps {@code frame}, caught at {@code nanos} ({@link System#nanoTime()}), and forgets what is too old. */
    void add(byte[] frame, long nanos) {
        if (frame.length > limits.bytes()) {
            return;
        }
        frames.addLast(new Caught(frame, nanos));
        bytes += frame.length;
        long oldest = nanos - WINDOW.toNanos();
        while (!frames.isEmpty() && (frames.peekFirst().nanos() < oldest || frames.size() > limits.packets()
                || bytes > limits.bytes())) {
            bytes -= frames.removeFirst().frame().length;
        }
    }

    /**
     * Hands {@code sink} every frame caught at or after {@code sinceNanos}, oldest first, and forgets them all;
     * returns how many it handed over.
     */
    int takeSince(long sinceNanos, Consumer<byte[]> sink) {
        int taken = 0;
        for (Caught caught : frames) {
            if (caught.nanos() >= sinceNanos) {
                sink.accept(caught.frame());
                taken++;
            }
        }
        clear();
        return taken;
    }

    void clear() {
        frames.clear();
        bytes = 0;
    }

    int size() {
        return frames.size();
    }
}
