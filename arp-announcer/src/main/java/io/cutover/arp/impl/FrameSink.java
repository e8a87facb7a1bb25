package io.cutover.arp.impl;

/** Where frames go: the wire (Pcap4J) or, in unit tests, a recorder. */
public interface FrameSink extends AutoCloseable {

    /**
     * Sends {@code frame} as it is.
     *
     * @throws io.cutover.arp.AnnounceException when it could not be sent
     */
    void send(byte[] frame);

    /** Waits up to {@code timeoutNanos} for the next received frame; {@code null} when none came. */
    byte[] receive(long timeoutNanos);

    @Override
    void close();
}
