package io.cutover.tunnel.impl;

import java.util.Arrays;
import java.util.Optional;

/**
 * The ICMP answer to a packet too big for the tunnel, as a router on its path would send it: ICMPv4 destination
 * unreachable / fragmentation needed (type 3 code 4, RFC 792 and RFC 1191, with the next-hop MTU) or ICMPv6 packet
 * too big (type 2, RFC 4443), sent back to the packet's source from the address it was sent to, in an Ethernet
 * frame that returns the way the packet came (the MACs swapped).
 */
public final class IcmpTooBig {
    /** RFC 1812 4.3.2.3: an ICMPv4 error holds as much of the packet as fits in 576 bytes. */
    static final int IPV4_ERROR_MAX = 576;
    /** RFC 4443 2.4 (c): an ICMPv6 error holds as much as fits in the minimum IPv6 MTU. */
    static final int IPV6_ERROR_MAX = 1280;
    static final int ICMPV4 = 1;
    static final int ICMPV6 = 58;
    private static final int ETHER = InnerFrames.ETHER_HEADER;

    private IcmpTooBig() {
    }

    /**
     * The answer to the frame {@code frame[0..len)} (its IP header complete) for a path that carries IP packets of
     * at most {@code mtu} bytes; empty when none is due: an IPv4 packet without DF (a router would fragment it), a
     * fragment other than the first, an ICMP error (never answered with another), a source that is not one host,
     * or a frame that is not IP.
     */
    public static Optional<byte[]> answer(byte[] frame, int len, int mtu) {
        if (len < ETHER + 20) {
            return Optional.empty();
        }
        int type = ((frame[12] & 0xFF) << 8) | (frame[13] & 0xFF);
        if (type == InnerFrames.TYPE_IPV4 && (frame[ETHER] & 0xF0) == 0x40) {
            return ipv4Answerable(frame, len) ? Optional.of(fragmentationNeeded(frame, len, mtu)) : Optional.empty();
        }
        if (type == InnerFrames.TYPE_IPV6 && len >= ETHER + 40 && (frame[ETHER] & 0xF0) == 0x60) {
            return ipv6Answerable(frame, len) ? Optional.of(packetTooBig(frame, len, mtu)) : Optional.empty();
        }
        return Optional.empty();
    }

    private static boolean ipv4Answerable(byte[] f, int len) {
        int ihl = (f[ETHER] & 0x0F) * 4;
        boolean dontFragment = (f[ETHER + 6] & 0x40) != 0;
        boolean laterFragment = ((f[ETHER + 6] & 0x1F) | f[ETHER + 7]) != 0;
        int src0 = f[ETHER + 12] & 0xFF;
        boolean oneHost = src0 != 0 && src0 != 127 && src0 < 224;
        boolean icmpError = (f[ETHER + 9] & 0xFF) == ICMPV4 && len > ETHER + ihl
                && isIcmpv4Error(f[ETHER + ihl] & 0xFF);
        return ihl >= 20 && len >= ETHER + ihl && dontFragment && !laterFragment && oneHost && !icmpError;
    }

    private static boolean isIcmpv4Error(int type) {
        return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
    }

    private static boolean ipv6Answerable(byte[] f, int len) {
        boolean multicastSource = (f[ETHER + 8] & 0xFF) == 0xFF;
        boolean unspecifiedSource = Arrays.equals(f, ETHER + 8, ETHER + 24, new byte[16], 0, 16);
        boolean icmpError = (f[ETHER + 6] & 0xFF) == ICMPV6 && len > ETHER + 40 && (f[ETHER + 40] & 0xFF) < 128;
        return !multicastSource && !unspecifiedSource && !icmpError;
    }

    /** ICMPv4 type 3 code 4 with {@code mtu} as next-hop MTU, quoting the packet's start. */
    static byte[] fragmentationNeeded(byte[] f, int len, int mtu) {
        int quoted = Math.min(ipBytes(f, len), IPV4_ERROR_MAX - 20 - 8);
        int ipLength = 20 + 8 + quoted;
        byte[] out = new byte[ETHER + ipLength];
        swapMacs(f, out, InnerFrames.TYPE_IPV4);
        int ip = ETHER;
        out[ip] = 0x45;
        out[ip + 1] = (byte) 0xC0; // internetwork control, as routers send their ICMP
        putShort(out, ip + 2, ipLength);
        out[ip + 8] = 64;
        out[ip + 9] = ICMPV4;
        System.arraycopy(f, ETHER + 16, out, ip + 12, 4); // from the address the packet was for
        System.arraycopy(f, ETHER + 12, out, ip + 16, 4); // to its sender
        putShort(out, ip + 10, InnerFrames.checksum(out, ip, 20, 0));
        int icmp = ip + 20;
        out[icmp] = 3;
        out[icmp + 1] = 4;
        putShort(out, icmp + 6, mtu);
        System.arraycopy(f, ETHER, out, icmp + 8, quoted);
        putShort(out, icmp + 2, InnerFrames.checksum(out, icmp, 8 + quoted, 0));
        return out;
    }

    /** ICMPv6 type 2 code 0 with {@code mtu}, quoting the packet's start. */
    static byte[] packetTooBig(byte[] f, int len, int mtu) {
        int quoted = Math.min(ipBytes(f, len), IPV6_ERROR_MAX - 40 - 8);
        int payload = 8 + quoted;
        byte[] out = new byte[ETHER + 40 + payload];
        swapMacs(f, out, InnerFrames.TYPE_IPV6);
        int ip = ETHER;
        out[ip] = 0x60;
        putShort(out, ip + 4, payload);
        out[ip + 6] = ICMPV6;
        out[ip + 7] = 64;
        System.arraycopy(f, ETHER + 24, out, ip + 8, 16);
        System.arraycopy(f, ETHER + 8, out, ip + 24, 16);
        int icmp = ip + 40;
        out[icmp] = 2;
        putInt(out, icmp + 4, mtu);
        System.arraycopy(f, ETHER, out, icmp + 8, quoted);
        putShort(out, icmp + 2, InnerFrames.checksum(out, icmp, payload, ipv6PseudoHeader(out, ip, payload, ICMPV6)));
        return out;
    }

    /** The sum of the IPv6 pseudo-header (RFC 8200 8.1) of the packet at {@code ip}, as a checksum's start. */
    static long ipv6PseudoHeader(byte[] packet, int ip, int upperLength, int nextHeader) {
        long sum = 0;
        for (int i = ip + 8; i < ip + 40; i += 2) {
            sum += ((packet[i] & 0xFF) << 8) | (packet[i + 1] & 0xFF);
        }
        return sum + (upperLength >>> 16) + (upperLength & 0xFFFF) + nextHeader;
    }

    /** The IP packet's bytes in the frame: without Ethernet padding, at most what was captured. */
    private static int ipBytes(byte[] f, int len) {
        return Math.min(len, InnerFrames.ipEnd(f, len)) - ETHER;
    }

    private static void swapMacs(byte[] f, byte[] out, int etherType) {
        System.arraycopy(f, 6, out, 0, 6);
        System.arraycopy(f, 0, out, 6, 6);
        putShort(out, 12, etherType);
    }

    private static void putShort(byte[] out, int off, int value) {
        out[off] = (byte) (value >>> 8);
        out[off + 1] = (byte) value;
    }

    private static void putInt(byte[] out, int off, int value) {
        putShort(out, off, value >>> 16);
        putShort(out, off + 2, value);
    }
}
