package io.cutover.tunnel.impl;

import io.cutover.tunnel.TunnelException;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;

/** Injects frames on an interface with Pcap4J. Open it on a thread in the right namespace. */
public final class PcapSink implements FrameSink {
    private final PcapHandle handle;
    private final String iface;

    private PcapSink(PcapHandle handle, String iface) {
        this.handle = handle;
        this.iface = iface;
    }

    /** Opens {@code iface} for injection. */
    public static PcapSink open(String moveId, String iface) {
        try {
            PcapHandle handle = new PcapHandle.Builder(iface)
                    .snaplen(128)
                    .promiscuousMode(PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS)
                    .timeoutMillis(10)
                    .build();
            return new PcapSink(handle, iface);
        } catch (PcapNativeException e) {
            throw new TunnelException(moveId, "cannot inject on " + iface + ": " + e.getMessage(), e);
        }
    }

    /** Sends {@code frame[0..length)} out of the interface; returns false when the kernel refused it. */
    @Override
    public boolean inject(byte[] frame, int length) {
        try {
            handle.sendPacket(frame, length);
            return true;
        } catch (PcapNativeException | NotOpenException e) {
            return false;
        }
    }

    public String iface() {
        return iface;
    }

    @Override
    public void close() {
        handle.close();
    }
}
