package io.cutover.arp.impl;

import io.cutover.arp.AnnounceForm;
import io.cutover.arp.MacAddress;

import java.net.Inet4Address;
import java.net.Inet6Address;

/** Builds announcement frames, byte by byte, into buffers that are then sent as they are, round after round. */
public final class Frames {
    /** Ethernet frames are padded to this length (64 bytes with the FCS the NIC adds). */
    public static final int MIN_FRAME = 60;
    public static final int ETHERTYPE_IPV4 = 0x0800;
    public static final int ETHERTYPE_ARP = 0x0806;
    public static final int ETHERTYPE_RARP = 0x8035;
    public static final int ETHERTYPE_VLAN = 0x8100;
    public static final int ETHERTYPE_IPV6 = 0x86dd;
    public static final int ARP_REQUEST = 1;
    public static final int ARP_REPLY = 2;
    public static final int RARP_REQUEST = 3;
    public static final int ICMPV6_NEIGHBOUR_ADVERTISEMENT = 136;
    /** The Override flag of a Neighbour Advertisement. */
    public static final int NA_OVERRIDE = 0x2000_0000;

    static final byte[] BROADCAST = {-1, -1, -1, -1, -1, -1};
    /** The Ethernet address of ff02::1, all nodes. */
    static final byte[] ALL_NODES_MAC = {0x33, 0x33, 0, 0, 0, 1};
    static final byte[] ALL_NODES = {(byte) 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    private static final int ARP_LENGTH = 28;
    private static final int IPV6_HEADER = 40;
    private static final int NA_LENGTH = 32;

    private Frames() {
    }

    /** The Ethernet header's length, with or without a VLAN tag. */
    public static int headerLength(int vlan) {
        return vlan == 0 ? 14 : 18;
    }

    /** A gratuitous ARP for {@code ip} at {@code mac}: {@link AnnounceForm#REQUEST} or {@link AnnounceForm#REPLY}. */
    public static byte[] arp(AnnounceForm form, MacAddress mac, Inet4Address ip, int vlan) {
        byte[] frame = new byte[Math.max(MIN_FRAME, headerLength(vlan) + ARP_LENGTH)];
        int at = ethernet(frame, BROADCAST, mac, vlan, ETHERTYPE_ARP);
        byte[] address = ip.getAddress();
        if (form == AnnounceForm.REQUEST) {
            arpBody(frame, at, ARP_REQUEST, mac, address, null, address);
        } else if (form == AnnounceForm.REPLY) {
            arpBody(frame, at, ARP_REPLY, mac, address, mac, address);
        } else {
            throw new IllegalArgumentException("not an ARP form: " + form);
        }
        return frame;
    }

    /** An RFC 5227 ARP probe: sender IP 0.0.0.0, target IP {@code ip}, target MAC zero, broadcast. */
    public static byte[] arpProbe(MacAddress mac, Inet4Address ip, int vlan) {
        byte[] frame = new byte[Math.max(MIN_FRAME, headerLength(vlan) + ARP_LENGTH)];
        int at = ethernet(frame, BROADCAST, mac, vlan, ETHERTYPE_ARP);
        arpBody(frame, at, ARP_REQUEST, mac, new byte[4], null, ip.getAddress());
        return frame;
    }

    /** A RARP reverse request as QEMU sends it: sender and target MAC = {@code mac}, both IPs zero. */
    public static byte[] rarp(MacAddress mac, int vlan) {
        byte[] frame = new byte[Math.max(MIN_FRAME, headerLength(vlan) + ARP_LENGTH)];
        int at = ethernet(frame, BROADCAST, mac, vlan, ETHERTYPE_RARP);
        arpBody(frame, at, RARP_REQUEST, mac, new byte[4], mac, new byte[4]);
        return frame;
    }

    /**
     * An unsolicited Neighbour Advertisement for {@code ip} at {@code mac}, from {@code ip} to ff02::1, hop
     * limit 255, flags Override only, with the target link-layer address option and its ICMPv6 checksum.
     */
    public static byte[] neighbourAdvertisement(MacAddress mac, Inet6Address ip, int vlan) {
        byte[] frame = new byte[Math.max(MIN_FRAME, headerLength(vlan) + IPV6_HEADER + NA_LENGTH)];
        int at = ethernet(frame, ALL_NODES_MAC, null, vlan, ETHERTYPE_IPV6);
        mac.writeTo(frame, 6);
        byte[] source = ip.getAddress();
        frame[at] = 0x60;
        putShort(frame, at + 4, NA_LENGTH);
        frame[at + 6] = 58;
        frame[at + 7] = (byte) 255;
        System.arraycopy(source, 0, frame, at + 8, 16);
        System.arraycopy(ALL_NODES, 0, frame, at + 24, 16);
        int icmp = at + IPV6_HEADER;
        frame[icmp] = (byte) ICMPV6_NEIGHBOUR_ADVERTISEMENT;
        putInt(frame, icmp + 4, NA_OVERRIDE);
        System.arraycopy(source, 0, frame, icmp + 8, 16);
        frame[icmp + 24] = 2;
        frame[icmp + 25] = 1;
        mac.writeTo(frame, icmp + 26);
        putShort(frame, icmp + 2, icmpv6Checksum(frame, at, NA_LENGTH));
        return frame;
    }

    /**
     * The ICMPv6 checksum (RFC 4443, with the IPv6 pseudo-header) of the message of {@code length} bytes that
     * follows the IPv6 header at {@code ipv6}; the checksum field must hold zero.
     */
    public static int icmpv6Checksum(byte[] frame, int ipv6, int length) {
        long sum = 0;
        for (int i = ipv6 + 8; i < ipv6 + 40; i += 2) {
            sum += ((frame[i] & 0xff) << 8) | (frame[i + 1] & 0xff);
        }
        sum += length;
        sum += 58;
        int icmp = ipv6 + IPV6_HEADER;
        for (int i = 0; i < length; i += 2) {
            int high = frame[icmp + i] & 0xff;
            int low = i + 1 < length ? frame[icmp + i + 1] & 0xff : 0;
            sum += (high << 8) | low;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (int) (~sum & 0xffff);
    }

    private static int ethernet(byte[] frame, byte[] destination, MacAddress source, int vlan, int etherType) {
        System.arraycopy(destination, 0, frame, 0, 6);
        if (source != null) {
            source.writeTo(frame, 6);
        }
        int at = 12;
        if (vlan != 0) {
            putShort(frame, at, ETHERTYPE_VLAN);
            putShort(frame, at + 2, vlan & 0x0fff);
            at += 4;
        }
        putShort(frame, at, etherType);
        return at + 2;
    }

    private static void arpBody(byte[] frame, int at, int opcode, MacAddress senderMac, byte[] senderIp,
                                MacAddress targetMac, byte[] targetIp) {
        putShort(frame, at, 1);
        putShort(frame, at + 2, ETHERTYPE_IPV4);
        frame[at + 4] = 6;
        frame[at + 5] = 4;
        putShort(frame, at + 6, opcode);
        senderMac.writeTo(frame, at + 8);
        System.arraycopy(senderIp, 0, frame, at + 14, 4);
        if (targetMac != null) {
            targetMac.writeTo(frame, at + 18);
        }
        System.arraycopy(targetIp, 0, frame, at + 24, 4);
    }

    static void putShort(byte[] frame, int at, int value) {
        frame[at] = (byte) (value >>> 8);
        frame[at + 1] = (byte) value;
    }

    static void putInt(byte[] frame, int at, int value) {
        putShort(frame, at, value >>> 16);
        putShort(frame, at + 2, value);
    }
}
