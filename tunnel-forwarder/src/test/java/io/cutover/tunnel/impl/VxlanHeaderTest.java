package io.cutover.tunnel.impl;

import io.cutover.tunnel.DropReason;
import io.cutover.tunnel.MalformedPacketException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VxlanHeaderTest {

    @Test
    void roundTripsVniAndFlags() throws Exception {
        byte[] packet = new byte[8];
        VxlanHeader.write(packet, 0, 0xABCDEF, false);
        assertThat(packet).containsExactly(0x08, 0, 0, 0, 0xAB, 0xCD, 0xEF, 0);
        assertThat(VxlanHeader.readVni(packet, 0, 8)).isEqualTo(0xABCDEF);
        assertThat(VxlanHeader.sealed(packet, 0)).isFalse();
        VxlanHeader.write(packet, 0, 1, true);
        assertThat(VxlanHeader.sealed(packet, 0)).isTrue();
        assertThat(VxlanHeader.readVni(packet, 0, 8)).isEqualTo(1);
    }

    @Test
    void sequenceRoundTrips() {
        byte[] packet = new byte[VxlanHeader.SEALED_HEADER_LENGTH];
        VxlanHeader.writeSequence(packet, 0, 0x0102030405060708L);
        assertThat(VxlanHeader.readSequence(packet, 0)).isEqualTo(0x0102030405060708L);
    }

    @Test
    void refusesTruncatedHeader() {
        assertThatThrownBy(() -> VxlanHeader.readVni(new byte[] {0x08, 0, 0, 0, 0, 0, 1}, 0, 7))
                .isInstanceOf(MalformedPacketException.class)
                .hasMessageContaining("vxlan header")
                .satisfies(e -> assertThat(((MalformedPacketException) e).reason()).isEqualTo(DropReason.TRUNCATED));
    }

    @Test
    void refusesAClearIFlagAndIgnoresReservedBits() throws Exception {
        assertThatThrownBy(() -> VxlanHeader.readVni(new byte[] {0, 0, 0, 0, 0, 0, 1, 0}, 0, 8))
                .satisfies(e -> assertThat(((MalformedPacketException) e).reason()).isEqualTo(DropReason.WRONG_VNI));
        assertThat(VxlanHeader.readVni(new byte[] {(byte) 0x88, 1, 2, 3, 0, 0, 1, 7}, 0, 8))
                .as("reserved flags and fields set by the sender (RFC 7348: ignored on receipt)").isEqualTo(1);
    }
}
