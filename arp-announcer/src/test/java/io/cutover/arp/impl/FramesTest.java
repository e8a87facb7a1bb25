package io.cutover.arp.impl;

import io.cutover.arp.AnnounceForm;
import io.cutover.arp.MacAddress;
import org.junit.jupiter.api.Test;
import org.pcap4j.packet.ArpPacket;
import org.pcap4j.packet.Dot1qVlanTagPacket;
import org.pcap4j.packet.EthernetPacket;
import org.pcap4j.packet.IcmpV6CommonPacket;
import org.pcap4j.packet.IcmpV6NeighborAdvertisementPacket;
import org.pcap4j.packet.IpV6NeighborDiscoveryTargetLinkLayerAddressOption;
import org.pcap4j.packet.IpV6Packet;
import org.pcap4j.packet.namednumber.ArpOperation;
import org.pcap4j.packet.namednumber.EtherType;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** Frames checked by an independent decoder, Pcap4J's packet factory. */
class FramesTest {
    private static final MacAddress MAC = MacAddress.parse("02:00:c6:12:00:64");
    private static final org.pcap4j.util.MacAddress P4J_MAC = org.pcap4j.util.MacAddress.getByName("02:00:c6:12:00:64");

    @Test
    void requestFormIsAnRfc5227Announcement() throws Exception {
        Inet4Address ip = (Inet4Address) InetAddress.getByName("198.18.0.100");
        byte[] frame = Frames.arp(AnnounceForm.REQUEST, MAC, ip, 0);
        assertThat(frame).hasSize(60);
        EthernetPacket ethernet = EthernetPacket.newPacket(frame, 0, frame.length);
        assertThat(ethernet.getHeader().getDstAddr()).isEqualTo(org.pcap4j.util.MacAddress.ETHER_BROADCAST_ADDRESS);
        assertThat(ethernet.getHeader().getSrcAddr()).isEqualTo(P4J_MAC);
        ArpPacket.ArpHeader arp = ethernet.get(ArpPacket.class).getHeader();
        assertThat(arp.getOperation()).isEqualTo(ArpOperation.REQUEST);
        assertThat(arp.getSrcHardwareAddr()).isEqualTo(P4J_MAC);
        assertThat(arp.getSrcProtocolAddr()).isEqualTo(ip);
        assertThat(arp.getDstProtocolAddr()).isEqualTo(ip);
        assertThat(arp.getDstHardwareAddr().getAddress()).containsOnly(0);
    }

    @Test
    void replyFormNamesTheSenderAsTarget() throws Exception {
        Inet4Address ip = (Inet4Address) InetAddress.getByName("198.18.0.100");
        byte[] frame = Frames.arp(AnnounceForm.REPLY, MAC, ip, 0);
        ArpPacket.ArpHeader arp = EthernetPacket.newPacket(frame, 0, frame.length).get(ArpPacket.class).getHeader();
        assertThat(arp.getOperation()).isEqualTo(ArpOperation.REPLY);
        assertThat(arp.getDstHardwareAddr()).isEqualTo(P4J_MAC);
        assertThat(arp.getSrcProtocolAddr()).isEqualTo(ip);
        assertThat(arp.getDstProtocolAddr()).isEqualTo(ip);
    }

    @Test
    void rarpIsQemusReverseRequest() throws Exception {
        byte[] frame = Frames.rarp(MAC, 0);
        assertThat(frame).hasSize(60);
        EthernetPacket ethernet = EthernetPacket.newPacket(frame, 0, frame.length);
        assertThat(ethernet.getHeader().getType()).isEqualTo(EtherType.RARP);
        assertThat(ethernet.getHeader().getDstAddr()).isEqualTo(org.pcap4j.util.MacAddress.ETHER_BROADCAST_ADDRESS);
        byte[] body = Arrays.copyOfRange(frame, 14, 42);
        assertThat(body).containsExactly(
                0, 1, 8, 0, 6, 4, 0, 3,
                2, 0, (byte) 0xc6, 0x12, 0, 0x64, 0, 0, 0, 0,
                2, 0, (byte) 0xc6, 0x12, 0, 0x64, 0, 0, 0, 0);
        assertThat(Arrays.copyOfRange(frame, 42, 60)).containsOnly(0);
    }

    @Test
    void neighbourAdvertisementCarriesOverrideTargetOptionAndAValidChecksum() throws Exception {
        Inet6Address ip = (Inet6Address) InetAddress.getByName("2001:2::100");
        byte[] frame = Frames.neighbourAdvertisement(MAC, ip, 0);
        assertThat(frame).hasSize(14 + 40 + 32);
        EthernetPacket ethernet = EthernetPacket.newPacket(frame, 0, frame.length);
        assertThat(ethernet.getHeader().getDstAddr()).isEqualTo(org.pcap4j.util.MacAddress.getByName("33:33:00:00:00:01"));
        IpV6Packet ipv6 = ethernet.get(IpV6Packet.class);
        assertThat(ipv6.getHeader().getHopLimitAsInt()).isEqualTo(255);
        assertThat(ipv6.getHeader().getSrcAddr()).isEqualTo(ip);
        assertThat(ipv6.getHeader().getDstAddr()).isEqualTo(InetAddress.getByName("ff02::1"));
        IcmpV6CommonPacket icmp = ipv6.get(IcmpV6CommonPacket.class);
        assertThat(icmp.hasValidChecksum(ipv6.getHeader().getSrcAddr(), ipv6.getHeader().getDstAddr(), false)).isTrue();
        IcmpV6NeighborAdvertisementPacket.IcmpV6NeighborAdvertisementHeader na =
                icmp.get(IcmpV6NeighborAdvertisementPacket.class).getHeader();
        assertThat(na.getOverrideFlag()).isTrue();
        assertThat(na.getSolicitedFlag()).isFalse();
        assertThat(na.getRouterFlag()).isFalse();
        assertThat(na.getTargetAddress()).isEqualTo(ip);
        assertThat(na.getOptions()).singleElement()
                .isInstanceOfSatisfying(IpV6NeighborDiscoveryTargetLinkLayerAddressOption.class,
                        option -> assertThat(option.getLinkLayerAddress()).containsExactly(MAC.bytes()));
    }

    @Test
    void checksumChangesWithTheAddressAndStaysValid() throws Exception {
        for (String address : new String[] {"2001:2::1", "2001:2::ffff", "fe80::1", "2001:2:0:0:ffff:ffff:ffff:fffe"}) {
            Inet6Address ip = (Inet6Address) InetAddress.getByName(address);
            byte[] frame = Frames.neighbourAdvertisement(MAC, ip, 0);
            IpV6Packet ipv6 = EthernetPacket.newPacket(frame, 0, frame.length).get(IpV6Packet.class);
            assertThat(ipv6.get(IcmpV6CommonPacket.class).hasValidChecksum(ip, (Inet6Address) InetAddress.getByName("ff02::1"), false))
                    .as(address).isTrue();
        }
    }

    @Test
    void vlanTagGoesBeforeTheEthertype() throws Exception {
        Inet4Address ip = (Inet4Address) InetAddress.getByName("198.18.0.100");
        byte[] frame = Frames.arp(AnnounceForm.REQUEST, MAC, ip, 42);
        EthernetPacket ethernet = EthernetPacket.newPacket(frame, 0, frame.length);
        assertThat(ethernet.getHeader().getType()).isEqualTo(EtherType.DOT1Q_VLAN_TAGGED_FRAMES);
        Dot1qVlanTagPacket tag = ethernet.get(Dot1qVlanTagPacket.class);
        assertThat(tag.getHeader().getVidAsInt()).isEqualTo(42);
        assertThat(tag.getHeader().getType()).isEqualTo(EtherType.ARP);
        assertThat(tag.get(ArpPacket.class).getHeader().getSrcProtocolAddr()).isEqualTo(ip);

        byte[] na = Frames.neighbourAdvertisement(MAC, (Inet6Address) InetAddress.getByName("2001:2::100"), 42);
        IpV6Packet ipv6 = EthernetPacket.newPacket(na, 0, na.length).get(IpV6Packet.class);
        assertThat(ipv6.get(IcmpV6CommonPacket.class).hasValidChecksum(ipv6.getHeader().getSrcAddr(), ipv6.getHeader().getDstAddr(), false)).isTrue();
    }

    @Test
    void probeHasZeroSenderAddress() throws Exception {
        Inet4Address ip = (Inet4Address) InetAddress.getByName("198.18.0.100");
        byte[] frame = Frames.arpProbe(MAC, ip, 0);
        ArpPacket.ArpHeader arp = EthernetPacket.newPacket(frame, 0, frame.length).get(ArpPacket.class).getHeader();
        assertThat(arp.getSrcProtocolAddr()).isEqualTo(InetAddress.getByName("0.0.0.0"));
        assertThat(arp.getDstProtocolAddr()).isEqualTo(ip);
        assertThat(arp.getOperation()).isEqualTo(ArpOperation.REQUEST);
    }
}
