package io.cutover.tunnel.impl;

import io.cutover.tunnel.DropReason;
import io.cutover.tunnel.MalformedPacketException;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;

/**
 * Reads and rewrites the Ethernet frames the tunnel carries: who they are for (so that only a move's VM is
 * ever forwarded to), and the L3 rewrite of the destination address with checksums fixed.
 */
public final class InnerFrames {
    public static final int ETHER_HEADER = 14;
    public static final int TYPE_IPV4 = 0x0800;
    public static final int TYPE_ARP = 0x0806;
    public static final int TYPE_IPV6 = 0x86DD;
    public static final int TYPE_VLAN = 0x8100;
    private static final int PROTO_TCP = 6;
    private static final int PROTO_UDP = 17;

    private final byte[] vmMac;
    private final byte[][] addresses;

    /**
     * @param vmMac     the VM's MAC
     * @param addresses the registered addresses of the VM (any of which a frame may be for)
     */
    public InnerFrames(byte[] vmMac, List<InetAddress> addresses) {
        this.vmMac = vmMac.clone();
        this.addresses = addresses.stream().map(InetAddress::getAddress).toArray(byte[][]::new);
    }

    /** The EtherType, after checking the frame holds an Ethernet header. */
    public static int etherType(byte[] frame, int len) throws MalformedPacketException {
        if (len < ETHER_HEADER) {
            throw new MalformedPacketException(DropReason.TRUNCATED, "ethernet header: " + len + " of 14 bytes");
        }
        return ((frame[12] & 0xFF) << 8) | (frame[13] & 0xFF);
    }

    /**
     * The frame's length on the wire, which its IP header tells even when the capture cut the frame short: the
     * Ethernet header and the IPv4 total length or the IPv6 header and payload length. Other frames: {@code len}.
     */
    public static int wireLength(byte[] frame, int len) {
        return Math.max(len, ipEnd(frame, len));
    }

    /** Where the frame's IP packet ends by its header (before any Ethernet padding); {@code len} when not IP. */
    public static int ipEnd(byte[] frame, int len) {
        if (len < ETHER_HEADER + 20) {
            return len;
        }
        int type = ((frame[12] & 0xFF) << 8) | (frame[13] & 0xFF);
        int version = (frame[ETHER_HEADER] & 0xF0) >>> 4;
        if (type == TYPE_IPV4 && version == 4) {
            return ETHER_HEADER + (((frame[ETHER_HEADER + 2] & 0xFF) << 8) | (frame[ETHER_HEADER + 3] & 0xFF));
        }
        if (type == TYPE_IPV6 && version == 6 && len >= ETHER_HEADER + 40) {
            return ETHER_HEADER + 40 + (((frame[ETHER_HEADER + 4] & 0xFF) << 8) | (frame[ETHER_HEADER + 5] & 0xFF));
        }
        return len;
    }

    /** Whether the frame's Ethernet destination is the VM's MAC. */
    public boolean toVmMac(byte[] frame, int len) {
        return len >= 6 && Arrays.equals(frame, 0, 6, vmMac, 0, 6);
    }

    /**
     * Whether the packet inside the frame is for a registered address: IPv4 or IPv6 destination, or the
     * ARP target. Other EtherTypes are for no one.
     *
     * @throws MalformedPacketException TRUNCATED or MALFORMED when the headers do not parse
     */
    public boolean toRegisteredAddress(byte[] frame, int len) throws MalformedPacketException {
        int type = etherType(frame, len);
        return switch (type) {
            case TYPE_IPV4 -> {
                requireLength(len, ETHER_HEADER + 20, "ipv4 header");
                if ((frame[ETHER_HEADER] & 0xF0) != 0x40) {
                    throw new MalformedPacketException(DropReason.MALFORMED, "ipv4 version: " + ((frame[ETHER_HEADER] & 0xF0) >> 4));
                }
                yield registered(frame, ETHER_HEADER + 16, 4);
            }
            case TYPE_IPV6 -> {
                requireLength(len, ETHER_HEADER + 40, "ipv6 header");
                yield registered(frame, ETHER_HEADER + 24, 16);
            }
            case TYPE_ARP -> {
                requireLength(len, ETHER_HEADER + 28, "arp packet");
                yield registered(frame, ETHER_HEADER + 24, 4);
            }
            default -> false;
        };
    }

    /**
     * Whether the IPv4 or IPv6 packet inside the frame comes from a registered address (a reply of the VM that the
     * reverse tunnel may carry). Other EtherTypes come from no one.
     *
     * @throws MalformedPacketException TRUNCATED when the IP header is cut
     */
    public boolean fromRegisteredAddress(byte[] frame, int len) throws MalformedPacketException {
        int type = etherType(frame, len);
        if (type == TYPE_IPV4) {
            requireLength(len, ETHER_HEADER + 20, "ipv4 header");
            return (frame[ETHER_HEADER] & 0xF0) == 0x40 && registered(frame, ETHER_HEADER + 12, 4);
        }
        if (type == TYPE_IPV6) {
            requireLength(len, ETHER_HEADER + 40, "ipv6 header");
            return registered(frame, ETHER_HEADER + 8, 16);
        }
        return false;
    }

    /** The IP source address of an IPv4 or IPv6 frame whose header is complete, or {@code null}. */
    public static byte[] sourceAddress(byte[] frame, int len) {
        return ipAddress(frame, len, ETHER_HEADER + 12, ETHER_HEADER + 8);
    }

    /** The IP destination address of an IPv4 or IPv6 frame whose header is complete, or {@code null}. */
    public static byte[] destinationAddress(byte[] frame, int len) {
        return ipAddress(frame, len, ETHER_HEADER + 16, ETHER_HEADER + 24);
    }

    private static byte[] ipAddress(byte[] frame, int len, int v4Offset, int v6Offset) {
        if (len < ETHER_HEADER + 20) {
            return null;
        }
        int type = ((frame[12] & 0xFF) << 8) | (frame[13] & 0xFF);
        if (type == TYPE_IPV4) {
            return Arrays.copyOfRange(frame, v4Offset, v4Offset + 4);
        }
        if (type == TYPE_IPV6 && len >= ETHER_HEADER + 40) {
            return Arrays.copyOfRange(frame, v6Offset, v6Offset + 16);
        }
        return null;
    }

    private boolean registered(byte[] frame, int off, int length) {
        for (byte[] address : addresses) {
            if (address.length == length && Arrays.equals(frame, off, off + length, address, 0, length)) {
                return true;
            }
        }
        return false;
    }

    private static void requireLength(int len, int needed, String what) throws MalformedPacketException {
        if (len < needed) {
            throw new MalformedPacketException(DropReason.TRUNCATED, what + ": " + len + " of " + needed + " bytes");
        }
    }

    /** Writes {@code mac} as the frame's Ethernet destination ({@code dst}) or source. */
    public static void setMac(byte[] frame, boolean dst, byte[] mac) {
        System.arraycopy(mac, 0, frame, dst ? 0 : 6, 6);
    }

    /**
     * L3 rewrite: when the frame's IP destination is {@code from}, replaces it with {@code to} (same family) and
     * fixes the IPv4 header checksum and the TCP or UDP checksum (RFC 1624 incremental update). Returns whether
     * it rewrote.
     */
    public static boolean rewriteDestination(byte[] frame, int len, byte[] from, byte[] to) throws MalformedPacketException {
        int type = etherType(frame, len);
        int addrOff;
        int transportOff;
        int proto;
        if (type == TYPE_IPV4 && from.length == 4) {
            requireLength(len, ETHER_HEADER + 20, "ipv4 header");
            int ihl = (frame[ETHER_HEADER] & 0x0F) * 4;
            if (ihl < 20) {
                throw new MalformedPacketException(DropReason.MALFORMED, "ipv4 ihl: " + ihl);
            }
            requireLength(len, ETHER_HEADER + ihl, "ipv4 options");
            addrOff = ETHER_HEADER + 16;
            boolean firstFragment = ((frame[ETHER_HEADER + 6] & 0x1F) | frame[ETHER_HEADER + 7]) == 0;
            transportOff = firstFragment ? ETHER_HEADER + ihl : -1;
            proto = frame[ETHER_HEADER + 9] & 0xFF;
        } else if (type == TYPE_IPV6 && from.length == 16) {
            requireLength(len, ETHER_HEADER + 40, "ipv6 header");
            addrOff = ETHER_HEADER + 24;
            transportOff = ETHER_HEADER + 40;
            proto = frame[ETHER_HEADER + 6] & 0xFF;
        } else {
            return false;
        }
        if (!Arrays.equals(frame, addrOff, addrOff + from.length, from, 0, from.length)) {
            return false;
        }
        if (type == TYPE_IPV4) {
            adjust(frame, ETHER_HEADER + 10, from, to, false);
        }
        if (transportOff >= 0 && proto == PROTO_TCP && len >= transportOff + 18) {
            adjust(frame, transportOff + 16, from, to, false);
        } else if (transportOff >= 0 && proto == PROTO_UDP && len >= transportOff + 8) {
            adjust(frame, transportOff + 6, from, to, type == TYPE_IPV4);
        }
        System.arraycopy(to, 0, frame, addrOff, to.length);
        return true;
    }

    /** RFC 1624: HC' = ~(~HC + ~m + m') over each 16-bit word that changes. */
    private static void adjust(byte[] frame, int checksumOff, byte[] from, byte[] to, boolean zeroMeansNone) {
        int hc = ((frame[checksumOff] & 0xFF) << 8) | (frame[checksumOff + 1] & 0xFF);
        if (zeroMeansNone && hc == 0) {
            return;
        }
        int sum = ~hc & 0xFFFF;
        for (int i = 0; i < from.length; i += 2) {
            int m = ((from[i] & 0xFF) << 8) | (from[i + 1] & 0xFF);
            int mNew = ((to[i] & 0xFF) << 8) | (to[i + 1] & 0xFF);
            sum += (~m & 0xFFFF) + mNew;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        int result = ~sum & 0xFFFF;
        if (zeroMeansNone && result == 0) {
            result = 0xFFFF;
        }
        frame[checksumOff] = (byte) (result >>> 8);
        frame[checksumOff + 1] = (byte) result;
    }

    /** The Internet checksum of {@code data[off..off+len)} (for tests and for building ICMP). */
    public static int checksum(byte[] data, int off, int len, long initial) {
        long sum = initial;
        for (int i = 0; i + 1 < len; i += 2) {
            sum += ((data[off + i] & 0xFF) << 8) | (data[off + i + 1] & 0xFF);
        }
        if ((len & 1) != 0) {
            sum += (data[off + len - 1] & 0xFF) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }
}
