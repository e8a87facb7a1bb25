package io.cutover.tunnel.impl;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class IcmpTooBigTest {
    private static final byte[] HOST_MAC = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
    private static final byte[] CLIENT_V6 = v6(0x10);
    private static final byte[] VM_V6 = v6(0x100);

    /** A 1,500-byte IPv4 UDP packet with DF, as the client sends it to the VM's old address. */
    private static byte[] bigIpv4() {
        return TestFrames.ipv4(HOST_MAC, TestFrames.CLIENT_IP, TestFrames.VM_IP, 17, new byte[1472]);
    }

    @Test
    void fragmentationNeededGoesBackToTheSenderWithTheMtuAndValidChecksums() {
        byte[] packet = bigIpv4();
        byte[] icmp = IcmpTooBig.answer(packet, packet.length, 1400).orElseThrow();

        assertThat(Arrays.copyOfRange(icmp, 0, 6)).as("to the sender's MAC").isEqualTo(TestFrames.CLIENT_MAC);
        assertThat(Arrays.copyOfRange(icmp, 6, 12)).as("from the MAC it sent to").isEqualTo(HOST_MAC);
        ByteBuffer b = ByteBuffer.wrap(icmp);
        assertThat(b.getShort(12)).isEqualTo((short) 0x0800);
        assertThat(icmp[14]).isEqualTo((byte) 0x45);
        assertThat(b.getShort(16) & 0xFFFF).as("total length").isEqualTo(icmp.length - 14).isLessThanOrEqualTo(576);
        assertThat(icmp[23]).as("protocol ICMP").isEqualTo((byte) 1);
        assertThat(Arrays.copyOfRange(icmp, 26, 30)).as("from the address the packet was for").isEqualTo(TestFrames.VM_IP);
        assertThat(Arrays.copyOfRange(icmp, 30, 34)).as("to its sender").isEqualTo(TestFrames.CLIENT_IP);
        assertThat(onesComplementSum(icmp, 14, 20, 0)).as("IPv4 header checksum verifies").isEqualTo(0xFFFF);
        assertThat(icmp[34]).as("type 3 destination unreachable").isEqualTo((byte) 3);
        assertThat(icmp[35]).as("code 4 fragmentation needed").isEqualTo((byte) 4);
        assertThat(b.getShort(40) & 0xFFFF).as("next-hop MTU").isEqualTo(1400);
        assertThat(onesComplementSum(icmp, 34, icmp.length - 34, 0)).as("ICMP checksum verifies").isEqualTo(0xFFFF);
        assertThat(Arrays.copyOfRange(icmp, 42, 42 + 28)).as("quotes the IP header and 8 bytes of UDP")
                .isEqualTo(Arrays.copyOfRange(packet, 14, 14 + 28));
    }

    @Test
    void packetTooBigGoesBackToTheSenderWithTheMtuAndAValidChecksum() {
        byte[] packet = ipv6Udp(1452);
        byte[] icmp = IcmpTooBig.answer(packet, packet.length, 1400).orElseThrow();

        ByteBuffer b = ByteBuffer.wrap(icmp);
        assertThat(Arrays.copyOfRange(icmp, 0, 6)).isEqualTo(TestFrames.CLIENT_MAC);
        assertThat(b.getShort(12)).isEqualTo((short) 0x86DD);
        assertThat(icmp.length - 14).as("fits the IPv6 minimum MTU").isLessThanOrEqualTo(1280);
        assertThat(b.getShort(18) & 0xFFFF).as("payload length").isEqualTo(icmp.length - 54);
        assertThat(icmp[20]).as("next header ICMPv6").isEqualTo((byte) 58);
        assertThat(Arrays.copyOfRange(icmp, 22, 38)).isEqualTo(VM_V6);
        assertThat(Arrays.copyOfRange(icmp, 38, 54)).isEqualTo(CLIENT_V6);
        assertThat(icmp[54]).as("type 2 packet too big").isEqualTo((byte) 2);
        assertThat(icmp[55]).isZero();
        assertThat(b.getInt(58)).as("MTU").isEqualTo(1400);
        long pseudo = sum16(icmp, 22, 32) + (icmp.length - 54) + 58;
        assertThat(onesComplementSum(icmp, 54, icmp.length - 54, pseudo)).as("ICMPv6 checksum over the pseudo-header verifies")
                .isEqualTo(0xFFFF);
        assertThat(Arrays.copyOfRange(icmp, 62, 62 + 48)).as("quotes the packet").isEqualTo(Arrays.copyOfRange(packet, 14, 62));
    }

    @Test
    void noAnswerWithoutDfToLaterFragmentsToIcmpErrorsOrFromNoOneInParticular() {
        byte[] noDf = bigIpv4();
        noDf[20] = 0;
        assertThat(IcmpTooBig.answer(noDf, noDf.length, 1400)).as("without DF a router fragments").isEmpty();

        byte[] laterFragment = bigIpv4();
        laterFragment[21] = 0x10;
        assertThat(IcmpTooBig.answer(laterFragment, laterFragment.length, 1400)).isEmpty();

        byte[] icmpError = TestFrames.ipv4(HOST_MAC, TestFrames.CLIENT_IP, TestFrames.VM_IP, 1, new byte[1400]);
        icmpError[34] = 3;
        assertThat(IcmpTooBig.answer(icmpError, icmpError.length, 1400)).as("no error about an error").isEmpty();

        byte[] broadcastSource = TestFrames.ipv4(HOST_MAC, new byte[] {(byte) 255, (byte) 255, (byte) 255, (byte) 255},
                TestFrames.VM_IP, 17, new byte[1400]);
        assertThat(IcmpTooBig.answer(broadcastSource, broadcastSource.length, 1400)).isEmpty();

        byte[] v6Error = ipv6Udp(1300);
        v6Error[20] = 58;
        v6Error[54] = 1;
        assertThat(IcmpTooBig.answer(v6Error, v6Error.length, 1400)).isEmpty();

        assertThat(IcmpTooBig.answer(TestFrames.arpRequest(TestFrames.VM_IP), 42, 1400)).isEmpty();
        assertThat(IcmpTooBig.answer(new byte[20], 20, 1400)).isEmpty();
    }

    @Test
    void aFrameCutByTheCaptureIsAnsweredFromWhatWasCaught() {
        byte[] packet = bigIpv4();
        byte[] icmp = IcmpTooBig.answer(packet, 100, 1400).orElseThrow();
        assertThat(icmp.length).isEqualTo(14 + 20 + 8 + 86);
        assertThat(onesComplementSum(icmp, 34, icmp.length - 34, 0)).isEqualTo(0xFFFF);
        assertThat(InnerFrames.wireLength(packet, 100)).as("the IP header tells the real size").isEqualTo(1514);
    }

    private static byte[] ipv6Udp(int payload) {
        ByteBuffer b = ByteBuffer.allocate(14 + 40 + 8 + payload);
        b.put(HOST_MAC).put(TestFrames.CLIENT_MAC).putShort((short) 0x86DD);
        b.putInt(0x60000000).putShort((short) (8 + payload)).put((byte) 17).put((byte) 64).put(CLIENT_V6).put(VM_V6);
        b.putShort((short) 40000).putShort((short) 9999).putShort((short) (8 + payload)).putShort((short) 0);
        return b.array();
    }

    private static byte[] v6(int last) {
        byte[] a = new byte[16];
        a[0] = 0x20;
        a[1] = 0x01;
        a[3] = 0x02;
        a[14] = (byte) (last >>> 8);
        a[15] = (byte) last;
        return a;
    }

    /** Written apart from the code under test: the one's complement sum, folded; 0xFFFF when a checksum verifies. */
    private static int onesComplementSum(byte[] data, int off, int len, long initial) {
        long sum = initial + sum16(data, off, len);
        while ((sum >> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (int) sum;
    }

    private static long sum16(byte[] data, int off, int len) {
        long sum = 0;
        for (int i = 0; i < len; i += 2) {
            int hi = data[off + i] & 0xFF;
            int lo = i + 1 < len ? data[off + i + 1] & 0xFF : 0;
            sum += (hi << 8) | lo;
        }
        return sum;
    }
}
