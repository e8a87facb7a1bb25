package io.cutover.tunnel.impl;

/**
 * Where a move injects frames on a LAN: a {@link FrameSink} attached once the interface is open (on the control
 * thread, or by a test) and detached when the move closes. Frames offered while nothing is attached are refused.
 */
final class SinkSlot {
    private volatile FrameSink sink;

    void attach(FrameSink value) {
        sink = value;
    }

    boolean attached() {
        return sink != null;
    }

    /** Empties the slot; returns what was attached, for the caller to close, or {@code null}. */
    FrameSink detach() {
        FrameSink was = sink;
        sink = null;
        return was;
    }

    /** Injects {@code frame[0..length)} through the attached sink; false when refused or nothing is attached. */
    boolean inject(byte[] frame, int length) {
        FrameSink to = sink;
        return to != null && to.inject(frame, length);
    }
}
