package io.cutover.bench;

import io.cutover.arp.MacAddress;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.packet.ArpPacket;
import org.pcap4j.packet.EthernetPacket;
import org.pcap4j.packet.namednumber.ArpHardwareType;
import org.pcap4j.packet.namednumber.ArpOperation;
import org.pcap4j.packet.namednumber.EtherType;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;

/**
 * The announcement benchmark's Pcap4J baseline at its best: gratuitous ARP requests built once with Pcap4J's own
 * builders, their bytes kept, and sent again and again with {@link PcapHandle#sendPacket(byte[])}.
 */
final class PrebuiltFrames {
    private final PcapHandle handle;
    private final byte[][] frames;

    private PrebuiltFrames(PcapHandle handle, byte[][] frames) {
        this.handle = handle;
        this.frames = frames;
    }

    /** One ARP request (sender and target address the same, from {@code mac}) per address, built now. */
    static PrebuiltFrames of(PcapHandle handle, MacAddress mac, List<InetAddress> addresses) {
        org.pcap4j.util.MacAddress source = org.pcap4j.util.MacAddress.getByAddress(mac.bytes());
        byte[][] frames = new byte[addresses.size()][];
        for (int i = 0; i < frames.length; i++) {
            Inet4Address ip = (Inet4Address) addresses.get(i);
            ArpPacket.Builder arp = new ArpPacket.Builder()
                    .hardwareType(ArpHardwareType.ETHERNET).protocolType(EtherType.IPV4)
                    .hardwareAddrLength((byte) 6).protocolAddrLength((byte) 4)
                    .operation(ArpOperation.REQUEST)
                    .srcHardwareAddr(source).srcProtocolAddr(ip)
                    .dstHardwareAddr(org.pcap4j.util.MacAddress.getByAddress(new byte[6])).dstProtocolAddr(ip);
            frames[i] = new EthernetPacket.Builder()
                    .dstAddr(org.pcap4j.util.MacAddress.ETHER_BROADCAST_ADDRESS).srcAddr(source)
                    .type(EtherType.ARP).payloadBuilder(arp).paddingAtBuild(true)
                    .build().getRawData();
        }
        return new PrebuiltFrames(handle, frames);
    }

    /** Sends every frame once, in order, in the calling thread. */
    void send() {
        try {
            for (byte[] frame : frames) {
                handle.sendPacket(frame);
            }
        } catch (PcapNativeException | NotOpenException e) {
            throw new IllegalStateException("the Pcap4J baseline could not send: " + e.getMessage(), e);
        }
    }
}
