package io.cutover.tunnel.impl;

import io.cutover.tunnel.DropReason;
import io.cutover.tunnel.MalformedPacketException;
import io.cutover.tunnel.TunnelKey;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PacketSealerTest {
    private static final TunnelKey KEY = TunnelKey.of(bytes(32, 1), null);
    private final PacketSealer sealer = new PacketSealer(KEY);
    private final PacketSealer opener = new PacketSealer(KEY);

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private byte[] sealed(byte[] frame, long seq) {
        byte[] out = new byte[PacketSealer.sealedLength(frame.length)];
        int len = sealer.seal(42, seq, PacketSealer.TOWARD_DESTINATION, frame, 0, frame.length, out);
        assertThat(len).isEqualTo(out.length);
        return out;
    }

    @Test
    void sealsAndOpens() throws Exception {
        byte[] frame = bytes(100, 2);
        byte[] packet = sealed(frame, 7);
        assertThat(VxlanHeader.readVni(packet, 0, packet.length)).isEqualTo(42);
        assertThat(VxlanHeader.sealed(packet, 0)).isTrue();
        assertThat(VxlanHeader.readSequence(packet, 0)).isEqualTo(7);
        assertThat(Arrays.copyOfRange(packet, 16, 116)).isNotEqualTo(frame);
        byte[] out = new byte[2048];
        int len = opener.open(PacketSealer.TOWARD_DESTINATION, packet, packet.length, out);
        assertThat(Arrays.copyOf(out, len)).isEqualTo(frame);
    }

    @Test
    void everyFlippedBitIsABadTag() {
        byte[] packet = sealed(bytes(60, 3), 1);
        byte[] out = new byte[2048];
        for (int i = 0; i < packet.length; i++) {
            byte[] copy = packet.clone();
            copy[i] ^= 0x10;
            if (i == 0) {
                continue; // the flags byte is checked by the header parser, not the tag
            }
            assertThatThrownBy(() -> opener.open(PacketSealer.TOWARD_DESTINATION, copy, copy.length, out))
                    .as("bit flipped in byte %d", i)
                    .satisfies(e -> assertThat(((MalformedPacketException) e).reason()).isEqualTo(DropReason.BAD_TAG));
        }
    }

    @Test
    void otherKeyOrDirectionIsABadTag() {
        byte[] packet = sealed(bytes(60, 4), 1);
        byte[] out = new byte[2048];
        PacketSealer stranger = new PacketSealer(TunnelKey.of(bytes(32, 9), null));
        assertThatThrownBy(() -> stranger.open(PacketSealer.TOWARD_DESTINATION, packet, packet.length, out))
                .satisfies(e -> assertThat(((MalformedPacketException) e).reason()).isEqualTo(DropReason.BAD_TAG));
        assertThatThrownBy(() -> opener.open(PacketSealer.TOWARD_SOURCE, packet, packet.length, out))
                .satisfies(e -> assertThat(((MalformedPacketException) e).reason()).isEqualTo(DropReason.BAD_TAG));
    }

    @Test
    void truncatedIsCountedAsTruncatedOrBadTag() {
        byte[] packet = sealed(bytes(60, 5), 1);
        byte[] out = new byte[2048];
        for (int len = 0; len < packet.length; len++) {
            int n = len;
            assertThatThrownBy(() -> opener.open(PacketSealer.TOWARD_DESTINATION, packet, n, out))
                    .isInstanceOf(MalformedPacketException.class)
                    .satisfies(e -> assertThat(((MalformedPacketException) e).reason())
                            .isIn(DropReason.TRUNCATED, DropReason.BAD_TAG));
        }
    }

    @Test
    void keyMustBe16Or32Bytes() {
        assertThatThrownBy(() -> TunnelKey.of(new byte[20], null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TunnelKey.ofBase64("not base64!", null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(TunnelKey.of(new byte[16], null).toString()).doesNotContain("AAAA");
    }
}
