package io.cutover.sdn.impl;

import org.projectfloodlight.openflow.types.MacAddress;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Function;

/**
 * The neighbour advertisement that answers a neighbour solicitation (RFC 4861) for an address the model knows: the
 * controller's half of {@link NeighbourResponder}. The solicitation comes from a VM, so it is read with care: anything
 * but an untagged IPv6 frame carrying a well-formed solicitation with a hop limit of 255 gets no answer, nor does a
 * duplicate address detection probe (its source is the unspecified address: the owner asks whether anyone else has
 * the address, and no one else does).
 */
final class NeighbourAdvertisement {
    private static final int ETH_HEADER = 14;
    private static final int IPV6_HEADER = 40;
    private static final int ICMPV6_NS_LENGTH = 24;
    private static final int NA_LENGTH = 32;
    private static final int ICMPV6 = 58;
    private static final int NEIGHBOUR_SOLICITATION = 135;
    private static final int NEIGHBOUR_ADVERTISEMENT = 136;
    /** Solicited and override. */
    private static final int FLAGS = 0x60;
    private static final int OPTION_TARGET_LINK_LAYER = 2;

    private NeighbourAdvertisement() {
    }

    /**
     * The advertisement answering {@code frame}, a solicitation, with the MAC address {@code macOf} gives for its
     * target; empty when {@code frame} is no solicitation to answer or the target is no address the model knows.
     */
    static Optional<byte[]> answer(byte[] frame, Function<InetAddress, Optional<String>> macOf) {
        if (frame.length < ETH_HEADER + IPV6_HEADER + ICMPV6_NS_LENGTH) {
            return Optional.empty();
        }
        ByteBuffer in = ByteBuffer.wrap(frame);
        int icmp = ETH_HEADER + IPV6_HEADER;
        if (in.getShort(12) != (short) 0x86dd || (in.get(ETH_HEADER) & 0xf0) != 0x60
                || (in.get(ETH_HEADER + 6) & 0xff) != ICMPV6 || (in.get(ETH_HEADER + 7) & 0xff) != 255
                || (in.get(icmp) & 0xff) != NEIGHBOUR_SOLICITATION || in.get(icmp + 1) != 0
                || (in.getShort(ETH_HEADER + 4) & 0xffff) < ICMPV6_NS_LENGTH) {
            return Optional.empty();
        }
        byte[] source = Arrays.copyOfRange(frame, ETH_HEADER + 8, ETH_HEADER + 24);
        byte[] target = Arrays.copyOfRange(frame, icmp + 8, icmp + 24);
        if (Arrays.equals(source, new byte[16])) {
            return Optional.empty();
        }
        InetAddress asked;
        try {
            asked = Inet6Address.getByAddress(target);
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
        return macOf.apply(asked).map(mac -> build(Arrays.copyOfRange(frame, 6, 12), source, target,
                MacAddress.of(mac).getBytes()));
    }

    private static byte[] build(byte[] askerMac, byte[] askerAddress, byte[] target, byte[] mac) {
        ByteBuffer out = ByteBuffer.allocate(ETH_HEADER + IPV6_HEADER + NA_LENGTH);
        out.put(askerMac).put(mac).putShort((short) 0x86dd);
        out.putInt(0x60000000).putShort((short) NA_LENGTH).put((byte) ICMPV6).put((byte) 255);
        out.put(target).put(askerAddress);
        int icmp = out.position();
        out.put((byte) NEIGHBOUR_ADVERTISEMENT).put((byte) 0).putShort((short) 0);
        out.put((byte) FLAGS).put(new byte[3]).put(target);
        out.put((byte) OPTION_TARGET_LINK_LAYER).put((byte) 1).put(mac);
        byte[] frame = out.array();
        int checksum = checksum(target, askerAddress, frame, icmp, NA_LENGTH);
        frame[icmp + 2] = (byte) (checksum >> 8);
        frame[icmp + 3] = (byte) checksum;
        return frame;
    }

    /** The ICMPv6 checksum: over the pseudo-header (source, destination, length, next header) and the message. */
    static int checksum(byte[] source, byte[] destination, byte[] frame, int offset, int length) {
        long sum = 0;
        for (byte[] address : new byte[][] {source, destination}) {
            for (int i = 0; i < 16; i += 2) {
                sum += ((address[i] & 0xff) << 8) | (address[i + 1] & 0xff);
            }
        }
        sum += length + ICMPV6;
        for (int i = 0; i < length; i += 2) {
            int high = frame[offset + i] & 0xff;
            int low = i + 1 < length ? frame[offset + i + 1] & 0xff : 0;
            sum += (high << 8) | low;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (int) (~sum & 0xffff);
    }
}
