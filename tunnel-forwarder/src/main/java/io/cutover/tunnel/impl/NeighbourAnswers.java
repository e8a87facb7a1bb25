package io.cutover.tunnel.impl;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The answers of proxy ARP and proxy ND for a VM that left the site (RFC 1027, RFC 4861 7.2.8): to an ARP request or
 * a neighbour solicitation for one of the VM's old addresses, the reply that gives the source host's MAC, so that the
 * old site's router keeps delivering the VM's traffic to the source host, which tunnels it. Duplicate address
 * detection (a solicitation from the unspecified address) is not answered. {@link NeighbourProxy} sends them.
 */
public final class NeighbourAnswers {
    private static final int ETHER = InnerFrames.ETHER_HEADER;
    private static final int ICMPV6 = 58;
    private static final int NEIGHBOUR_SOLICITATION = 135;
    private static final int NEIGHBOUR_ADVERTISEMENT = 136;

    private final byte[] hostMac;
    private final byte[][] addresses;

    /**
     * @param hostMac   the MAC to answer with (the source host's, on the old site's LAN)
     * @param addresses the VM's old addresses, 4 or 16 bytes each
     */
    public NeighbourAnswers(byte[] hostMac, List<byte[]> addresses) {
        this.hostMac = hostMac.clone();
        this.addresses = addresses.stream().map(byte[]::clone).toArray(byte[][]::new);
    }

    /** The ARP reply or neighbour advertisement that answers {@code frame[0..len)}, or empty when it asks for no one of ours. */
    public Optional<byte[]> answer(byte[] frame, int len) {
        if (len < ETHER) {
            return Optional.empty();
        }
        int type = ((frame[12] & 0xFF) << 8) | (frame[13] & 0xFF);
        if (type == InnerFrames.TYPE_ARP) {
            return arpReply(frame, len);
        }
        if (type == InnerFrames.TYPE_IPV6) {
            return neighbourAdvertisement(frame, len);
        }
        return Optional.empty();
    }

    /** Whether the frame is an ARP request or neighbour solicitation (for anyone): the proxy's business, not the tunnel's. */
    public static boolean isQuestion(byte[] frame, int len) {
        if (len < ETHER + 2) {
            return false;
        }
        int type = ((frame[12] & 0xFF) << 8) | (frame[13] & 0xFF);
        if (type == InnerFrames.TYPE_ARP) {
            return true;
        }
        return type == InnerFrames.TYPE_IPV6 && len >= ETHER + 41 && (frame[ETHER + 6] & 0xFF) == ICMPV6
                && (frame[ETHER + 40] & 0xFF) == NEIGHBOUR_SOLICITATION;
    }

    private Optional<byte[]> arpReply(byte[] f, int len) {
        // hardware Ethernet (1), protocol IPv4, lengths 6 and 4, operation request (1)
        if (len < ETHER + 28 || f[ETHER] != 0 || f[ETHER + 1] != 1 || f[ETHER + 2] != 0x08 || f[ETHER + 3] != 0
                || f[ETHER + 4] != 6 || f[ETHER + 5] != 4 || f[ETHER + 6] != 0 || f[ETHER + 7] != 1) {
            return Optional.empty();
        }
        byte[] target = Arrays.copyOfRange(f, ETHER + 24, ETHER + 28);
        byte[] senderIp = Arrays.copyOfRange(f, ETHER + 14, ETHER + 18);
        if (!ours(target) || Arrays.equals(senderIp, target)) {
            return Optional.empty();
        }
        byte[] out = new byte[ETHER + 28];
        System.arraycopy(f, ETHER + 8, out, 0, 6); // to the asker's MAC
        System.arraycopy(hostMac, 0, out, 6, 6);
        out[12] = 0x08;
        out[13] = 0x06;
        System.arraycopy(f, ETHER, out, ETHER, 6);
        out[ETHER + 6] = 0;
        out[ETHER + 7] = 2; // reply
        System.arraycopy(hostMac, 0, out, ETHER + 8, 6);
        System.arraycopy(target, 0, out, ETHER + 14, 4);
        System.arraycopy(f, ETHER + 8, out, ETHER + 18, 10); // the asker's MAC and address
        return Optional.of(out);
    }

    private Optional<byte[]> neighbourAdvertisement(byte[] f, int len) {
        if (!isQuestion(f, len) || len < ETHER + 40 + 24 || (f[ETHER + 7] & 0xFF) != 255) {
            return Optional.empty();
        }
        byte[] target = Arrays.copyOfRange(f, ETHER + 48, ETHER + 64);
        byte[] source = Arrays.copyOfRange(f, ETHER + 8, ETHER + 24);
        if (!ours(target) || Arrays.equals(source, new byte[16])) {
            return Optional.empty();
        }
        int payload = 24 + 8;
        byte[] out = new byte[ETHER + 40 + payload];
        System.arraycopy(f, 6, out, 0, 6);
        System.arraycopy(hostMac, 0, out, 6, 6);
        out[12] = (byte) 0x86;
        out[13] = (byte) 0xDD;
        int ip = ETHER;
        out[ip] = 0x60;
        out[ip + 5] = (byte) payload;
        out[ip + 6] = ICMPV6;
        out[ip + 7] = (byte) 255;
        System.arraycopy(target, 0, out, ip + 8, 16);
        System.arraycopy(source, 0, out, ip + 24, 16);
        int icmp = ip + 40;
        out[icmp] = (byte) NEIGHBOUR_ADVERTISEMENT;
        out[icmp + 4] = 0x40; // solicited; not router; override clear, as a proxy's (RFC 4861 7.2.8)
        System.arraycopy(target, 0, out, icmp + 8, 16);
        out[icmp + 24] = 2; // target link-layer address option, 8 bytes
        out[icmp + 25] = 1;
        System.arraycopy(hostMac, 0, out, icmp + 26, 6);
        int sum = InnerFrames.checksum(out, icmp, payload, IcmpTooBig.ipv6PseudoHeader(out, ip, payload, ICMPV6));
        out[icmp + 2] = (byte) (sum >>> 8);
        out[icmp + 3] = (byte) sum;
        return Optional.of(out);
    }

    private boolean ours(byte[] address) {
        for (byte[] a : addresses) {
            if (Arrays.equals(a, address)) {
                return true;
            }
        }
        return false;
    }
}
