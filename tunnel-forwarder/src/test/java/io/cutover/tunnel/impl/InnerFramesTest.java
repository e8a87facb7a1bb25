package io.cutover.tunnel.impl;

import io.cutover.tunnel.DropReason;
import io.cutover.tunnel.MalformedPacketException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InnerFramesTest {
    private final InnerFrames frames;

    InnerFramesTest() throws Exception {
        frames = new InnerFrames(TestFrames.VM_MAC, List.of(InetAddress.getByAddress(TestFrames.VM_IP),
                InetAddress.getByName("2001:2::100")));
    }

    @Test
    void recognisesFramesForTheVm() throws Exception {
        byte[] udp = TestFrames.ipv4(TestFrames.VM_MAC, TestFrames.CLIENT_IP, TestFrames.VM_IP, 17, new byte[10]);
        assertThat(frames.toVmMac(udp, udp.length)).isTrue();
        assertThat(frames.toRegisteredAddress(udp, udp.length)).isTrue();
        byte[] arp = TestFrames.arpRequest(TestFrames.VM_IP);
        assertThat(frames.toRegisteredAddress(arp, arp.length)).isTrue();
    }

    @Test
    void refusesOtherAddressesAndTypes() throws Exception {
        byte[] other = TestFrames.ipv4(TestFrames.VM_MAC, TestFrames.CLIENT_IP, new byte[] {(byte) 198, 18, 0, 1}, 17, new byte[10]);
        assertThat(frames.toRegisteredAddress(other, other.length)).isFalse();
        byte[] arp = TestFrames.arpRequest(new byte[] {(byte) 198, 18, 0, 1});
        assertThat(frames.toRegisteredAddress(arp, arp.length)).isFalse();
        byte[] lldp = Arrays.copyOf(other, 60);
        lldp[12] = (byte) 0x88;
        lldp[13] = (byte) 0xcc;
        assertThat(frames.toRegisteredAddress(lldp, lldp.length)).isFalse();
        byte[] toOtherMac = other.clone();
        toOtherMac[5] = 1;
        assertThat(frames.toVmMac(toOtherMac, toOtherMac.length)).isFalse();
    }

    @Test
    void truncatedHeadersAreTyped() {
        byte[] udp = TestFrames.ipv4(TestFrames.VM_MAC, TestFrames.CLIENT_IP, TestFrames.VM_IP, 17, new byte[10]);
        for (int len = 0; len < 34; len++) {
            int n = len;
            assertThatThrownBy(() -> frames.toRegisteredAddress(udp, n))
                    .isInstanceOf(MalformedPacketException.class)
                    .satisfies(e -> assertThat(((MalformedPacketException) e).reason()).isEqualTo(DropReason.TRUNCATED));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {6, 17})
    void rewritesTheDestinationWithValidChecksums(int proto) throws Exception {
        byte[] f = TestFrames.ipv4(TestFrames.VM_MAC, TestFrames.CLIENT_IP, TestFrames.VM_IP, proto, "hello tunnel".getBytes());
        assertThat(TestFrames.checksumsVerify(f)).isTrue();
        byte[] newIp = {(byte) 198, 18, 2, 100};
        assertThat(InnerFrames.rewriteDestination(f, f.length, TestFrames.VM_IP, newIp)).isTrue();
        assertThat(Arrays.copyOfRange(f, 30, 34)).isEqualTo(newIp);
        assertThat(TestFrames.checksumsVerify(f)).isTrue();
        assertThat(InnerFrames.rewriteDestination(f, f.length, TestFrames.VM_IP, newIp)).as("already rewritten").isFalse();
    }

    @Test
    void udpWithoutChecksumStaysWithout() throws Exception {
        byte[] f = TestFrames.ipv4(TestFrames.VM_MAC, TestFrames.CLIENT_IP, TestFrames.VM_IP, 17, new byte[4]);
        f[40] = 0;
        f[41] = 0;
        InnerFrames.rewriteDestination(f, f.length, TestFrames.VM_IP, new byte[] {10, 0, 0, 1});
        assertThat(f[40]).isZero();
        assertThat(f[41]).isZero();
        assertThat(InnerFrames.checksum(f, 14, 20, 0)).isZero();
    }
}
