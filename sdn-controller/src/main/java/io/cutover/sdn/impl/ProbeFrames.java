package io.cutover.sdn.impl;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The frames of the controller's probe of an endpoint (see {@link EndpointProbes}), from the controller's own MAC
 * {@link #PROBE_MAC}, which no endpoint has:
 * <ul>
 *   <li>IPv4: an ARP probe (RFC 5227: sender address 0.0.0.0, so the endpoint learns nothing of the asker and no
 *       neighbour table anywhere changes), sent to the endpoint's MAC; the endpoint answers to the probe's MAC;</li>
 *   <li>IPv6: a unicast neighbour solicitation (as neighbour unreachability detection sends, RFC 4861 7.3) from the
 *       link-local address made of {@link #PROBE_MAC}, with it as the source link-layer option; the endpoint answers
 *       with an advertisement to that address and MAC.</li>
 * </ul>
 * {@link #answer} reads what came back: who answered (its MAC, from the Ethernet header) for which address.
 */
final class ProbeFrames {
    /** Locally administered, unicast: the controller's MAC, the destination of every answer to a probe. */
    static final byte[] PROBE_MAC = HexFormat.ofDelimiter(":").parseHex("06:c7:00:00:00:01");
    private static final int ETH_HEADER = 14;
    private static final int ARP_LENGTH = 28;
    private static final int IPV6_HEADER = 40;
    private static final int NS_LENGTH = 24;
    private static final int NA_MIN_LENGTH = 24;
    private static final int OPTION_SOURCE_LINK_LAYER = 1;
    private static final int ICMPV6 = 58;
    private static final int NEIGHBOUR_SOLICITATION = 135;
    private static final int NEIGHBOUR_ADVERTISEMENT = 136;
    private static final short ETHERTYPE_ARP = 0x0806;
    private static final short ETHERTYPE_IPV6 = (short) 0x86dd;
    private static final byte[] PROBE_LINK_LOCAL = linkLocal(PROBE_MAC);

    /** Who answered a probe: the MAC it sent from and the address it answered for. */
    record Answer(byte[] mac, InetAddress address) {
        boolean isFrom(byte[] expectedMac, InetAddress expectedAddress) {
            return Arrays.equals(mac, expectedMac) && address.equals(expectedAddress);
        }
    }

    private ProbeFrames() {
    }

    /** The probe of {@code address} sent to {@code mac}: an ARP probe or a neighbour solicitation. */
    static byte[] probe(byte[] mac, InetAddress address) {
        return address instanceof Inet4Address v4 ? arpProbe(mac, v4) : solicitation(mac, (Inet6Address) address);
    }

    private static byte[] arpProbe(byte[] mac, Inet4Address address) {
        ByteBuffer frame = ByteBuffer.allocate(ETH_HEADER + ARP_LENGTH);
        frame.put(mac).put(PROBE_MAC).putShort(ETHERTYPE_ARP);
        frame.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 1);
        frame.put(PROBE_MAC).put(new byte[4]).put(new byte[6]).put(address.getAddress());
        return frame.array();
    }

    private static byte[] solicitation(byte[] mac, Inet6Address address) {
        int icmpLength = NS_LENGTH + 8;
        byte[] frame = new byte[ETH_HEADER + IPV6_HEADER + icmpLength];
        ByteBuffer out = ByteBuffer.wrap(frame);
        out.put(mac).put(PROBE_MAC).putShort(ETHERTYPE_IPV6);
        out.putInt(0x60000000).putShort((short) icmpLength).put((byte) ICMPV6).put((byte) 255);
        out.put(PROBE_LINK_LOCAL).put(address.getAddress());
        int icmp = out.position();
        out.put((byte) NEIGHBOUR_SOLICITATION).put((byte) 0).putShort((short) 0).putInt(0).put(address.getAddress());
        out.put((byte) OPTION_SOURCE_LINK_LAYER).put((byte) 1).put(PROBE_MAC);
        int sum = NeighbourAdvertisement.checksum(PROBE_LINK_LOCAL, address.getAddress(), frame, icmp, icmpLength);
        out.putShort(icmp + 2, (short) sum);
        return frame;
    }

    /**
     * Who answered, if {@code frame} is an ARP reply or a neighbour advertisement addressed to {@link #PROBE_MAC};
     * empty for anything else (a short or garbled frame included).
     */
    static Optional<Answer> answer(byte[] frame) {
        if (frame.length < ETH_HEADER + ARP_LENGTH || !isForProbes(frame)) {
            return Optional.empty();
        }
        ByteBuffer in = ByteBuffer.wrap(frame);
        byte[] mac = Arrays.copyOfRange(frame, 6, 12);
        short type = in.getShort(12);
        if (type == ETHERTYPE_ARP) {
            boolean reply = in.getShort(14) == 1 && in.getShort(16) == 0x0800 && frame[18] == 6 && frame[19] == 4
                    && in.getShort(20) == 2;
            return reply ? address(Arrays.copyOfRange(frame, 28, 32)).map(a -> new Answer(mac, a)) : Optional.empty();
        }
        int icmp = ETH_HEADER + IPV6_HEADER;
        if (type == ETHERTYPE_IPV6 && frame.length >= icmp + NA_MIN_LENGTH && (frame[ETH_HEADER] & 0xf0) == 0x60
                && frame[ETH_HEADER + 6] == ICMPV6 && (frame[icmp] & 0xff) == NEIGHBOUR_ADVERTISEMENT
                && frame[icmp + 1] == 0) {
            return address(Arrays.copyOfRange(frame, icmp + 8, icmp + 24)).map(a -> new Answer(mac, a));
        }
        return Optional.empty();
    }

    /** Whether {@code frame} is addressed to {@link #PROBE_MAC} (an answer to a probe, or something posing as one). */
    static boolean isForProbes(byte[] frame) {
        return frame.length >= 6 && Arrays.equals(frame, 0, 6, PROBE_MAC, 0, 6);
    }

    private static Optional<InetAddress> address(byte[] bytes) {
        try {
            return Optional.of(InetAddress.getByAddress(bytes));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    /** The link-local address (fe80::/64, modified EUI-64) of {@code mac}. */
    private static byte[] linkLocal(byte[] mac) {
        byte[] address = new byte[16];
        address[0] = (byte) 0xfe;
        address[1] = (byte) 0x80;
        address[8] = (byte) (mac[0] ^ 0x02);
        address[9] = mac[1];
        address[10] = mac[2];
        address[11] = (byte) 0xff;
        address[12] = (byte) 0xfe;
        address[13] = mac[3];
        address[14] = mac[4];
        address[15] = mac[5];
        return address;
    }
}
