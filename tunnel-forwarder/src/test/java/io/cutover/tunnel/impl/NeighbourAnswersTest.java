package io.cutover.tunnel.impl;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class NeighbourAnswersTest {
    private static final byte[] HOST_MAC = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0b};
    private static final byte[] VM_V6 = {0x20, 0x01, 0, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x00};
    private static final byte[] ROUTER_V6 = {0x20, 0x01, 0, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};
    private final NeighbourAnswers proxy = new NeighbourAnswers(HOST_MAC, List.of(TestFrames.VM_IP, VM_V6));

    @Test
    void answersAnArpRequestForTheOldAddressWithTheHostsMac() {
        byte[] request = TestFrames.arpRequest(TestFrames.VM_IP);
        byte[] reply = proxy.answer(request, request.length).orElseThrow();
        ByteBuffer b = ByteBuffer.wrap(reply);
        assertThat(Arrays.copyOfRange(reply, 0, 6)).as("to the asker").isEqualTo(TestFrames.CLIENT_MAC);
        assertThat(Arrays.copyOfRange(reply, 6, 12)).isEqualTo(HOST_MAC);
        assertThat(b.getShort(12)).isEqualTo((short) 0x0806);
        assertThat(b.getShort(20)).as("operation reply").isEqualTo((short) 2);
        assertThat(Arrays.copyOfRange(reply, 22, 28)).as("the old address is at the host's MAC").isEqualTo(HOST_MAC);
        assertThat(Arrays.copyOfRange(reply, 28, 32)).isEqualTo(TestFrames.VM_IP);
        assertThat(Arrays.copyOfRange(reply, 32, 38)).isEqualTo(TestFrames.CLIENT_MAC);
        assertThat(Arrays.copyOfRange(reply, 38, 42)).isEqualTo(TestFrames.CLIENT_IP);
    }

    @Test
    void leavesOtherAddressesRepliesAndGratuitousArpAlone() {
        byte[] other = TestFrames.arpRequest(new byte[] {(byte) 198, 18, 0, 1});
        assertThat(proxy.answer(other, other.length)).isEmpty();
        byte[] reply = TestFrames.arpRequest(TestFrames.VM_IP);
        reply[21] = 2;
        assertThat(proxy.answer(reply, reply.length)).isEmpty();
        byte[] gratuitous = TestFrames.arpRequest(TestFrames.VM_IP);
        System.arraycopy(TestFrames.VM_IP, 0, gratuitous, 28, 4);
        assertThat(proxy.answer(gratuitous, gratuitous.length)).as("the VM announcing itself").isEmpty();
        assertThat(proxy.answer(reply, 20)).isEmpty();
    }

    @Test
    void answersANeighbourSolicitationWithASolicitedAdvertisementAndAValidChecksum() {
        byte[] solicitation = solicitation(ROUTER_V6, VM_V6);
        byte[] na = proxy.answer(solicitation, solicitation.length).orElseThrow();
        ByteBuffer b = ByteBuffer.wrap(na);
        assertThat(Arrays.copyOfRange(na, 0, 6)).isEqualTo(TestFrames.CLIENT_MAC);
        assertThat(Arrays.copyOfRange(na, 6, 12)).isEqualTo(HOST_MAC);
        assertThat(na[21] & 0xFF).as("hop limit 255, as ND requires").isEqualTo(255);
        assertThat(Arrays.copyOfRange(na, 22, 38)).isEqualTo(VM_V6);
        assertThat(Arrays.copyOfRange(na, 38, 54)).isEqualTo(ROUTER_V6);
        assertThat(na[54] & 0xFF).as("neighbour advertisement").isEqualTo(136);
        assertThat(na[58] & 0xE0).as("solicited, override clear (a proxy)").isEqualTo(0x40);
        assertThat(Arrays.copyOfRange(na, 62, 78)).as("target").isEqualTo(VM_V6);
        assertThat(Arrays.copyOfRange(na, 78, 80)).as("target link-layer address option").containsExactly(2, 1);
        assertThat(Arrays.copyOfRange(na, 80, 86)).isEqualTo(HOST_MAC);
        long sum = 0;
        for (int i = 22; i < 54; i += 2) {
            sum += b.getShort(i) & 0xFFFF;
        }
        sum += (na.length - 54) + 58;
        for (int i = 54; i < na.length; i += 2) {
            sum += b.getShort(i) & 0xFFFF;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        assertThat(sum).as("ICMPv6 checksum verifies").isEqualTo(0xFFFF);
    }

    @Test
    void duplicateAddressDetectionAndOtherTargetsAreNotAnswered() {
        byte[] dad = solicitation(new byte[16], VM_V6);
        assertThat(proxy.answer(dad, dad.length)).isEmpty();
        byte[] other = solicitation(ROUTER_V6, ROUTER_V6);
        assertThat(proxy.answer(other, other.length)).isEmpty();
        byte[] offLink = solicitation(ROUTER_V6, VM_V6);
        offLink[21] = 64;
        assertThat(proxy.answer(offLink, offLink.length)).as("hop limit below 255: not from the link").isEmpty();
        assertThat(NeighbourAnswers.isQuestion(solicitation(ROUTER_V6, VM_V6), 86)).isTrue();
    }

    private static byte[] solicitation(byte[] source, byte[] target) {
        ByteBuffer b = ByteBuffer.allocate(14 + 40 + 32);
        b.put(new byte[] {0x33, 0x33, (byte) 0xff, 0, 0x01, 0x00}).put(TestFrames.CLIENT_MAC).putShort((short) 0x86DD);
        b.putInt(0x60000000).putShort((short) 32).put((byte) 58).put((byte) 255).put(source)
                .put(new byte[] {(byte) 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, (byte) 0xff, 0, 0x01, 0x00});
        b.put((byte) 135).put((byte) 0).putShort((short) 0).putInt(0).put(target);
        b.put((byte) 1).put((byte) 1).put(TestFrames.CLIENT_MAC);
        return b.array();
    }
}
