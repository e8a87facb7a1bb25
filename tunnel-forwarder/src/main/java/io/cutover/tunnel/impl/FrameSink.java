package io.cutover.tunnel.impl;

import java.util.List;

/** Where the destination puts the frames it delivers: the wire ({@link PacketSocketSink}) or, in tests, a list. */
public interface FrameSink extends AutoCloseable {
    /** Delivers {@code frame[0..length)}; the array is reused after the call. Returns false when refused. */
    boolean inject(byte[] frame, int length);

    /** Delivers whole frames in order; returns how many were taken. One by one unless the sink can do better. */
    default int injectAll(List<byte[]> frames) {
        int sent = 0;
        for (byte[] frame : frames) {
            if (inject(frame, frame.length)) {
                sent++;
            }
        }
        return sent;
    }

    /** As {@link #injectAll}, for copies ({@link QueuedSink}'s): each {@code bytes()[0..length())}. */
    default int injectCopies(List<FrameCopy> frames) {
        int sent = 0;
        for (FrameCopy frame : frames) {
            if (inject(frame.bytes(), frame.length())) {
                sent++;
            }
        }
        return sent;
    }

    @Override
    void close();
}
