package io.cutover.tunnel.impl;

/** Where the destination puts the frames it delivers: the wire ({@link PcapSink}) or, in tests, a list. */
public interface FrameSink extends AutoCloseable {
    /** Delivers {@code frame[0..length)}; the array is reused after the call. Returns false when refused. */
    boolean inject(byte[] frame, int length);

    @Override
    void close();
}
