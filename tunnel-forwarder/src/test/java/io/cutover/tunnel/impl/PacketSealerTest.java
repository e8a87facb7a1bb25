package io.cutover.tunnel.impl;

import io.cutover.tunnel.DropReason;
import io.cutover.tunnel.MalformedPacketException;
import io.cutover.tunnel.TunnelKey;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PacketSealerTest {
    private static final TunnelKey KEY = TunnelKey.of(bytes(32, 1), null);
    private final PacketSealer sealer = PacketSealer.fresh(KEY, 42, PacketSealer.TOWARD_DESTINATION);
    private final PacketSealer opener = PacketSealer.forSalt(KEY, 42, PacketSealer.TOWARD_DESTINATION, sealer.salt());

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private byte[] sealed(PacketSealer with, byte[] frame, long seq) {
        byte[] out = new byte[PacketSealer.sealedLength(frame.length)];
        int len = with.seal(seq, frame, 0, frame.length, out);
        assertThat(len).isEqualTo(out.length);
        return out;
    }

    private byte[] sealed(byte[] frame, long seq) {
        return sealed(sealer, frame, seq);
    }

    @Test
    void hkdfMatchesRfc5869TestCase1() {
        HexFormat hex = HexFormat.of();
        byte[] okm = Hkdf.derive(hex.parseHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"),
                hex.parseHex("000102030405060708090a0b0c"), hex.parseHex("f0f1f2f3f4f5f6f7f8f9"), 42);
        assertThat(hex.formatHex(okm)).isEqualTo("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
                + "34007208d5b887185865");
    }

    @Test
    void sealsAndOpensWithTheSaltInTheHeader() throws Exception {
        byte[] frame = bytes(100, 2);
        byte[] packet = sealed(frame, 7);
        assertThat(VxlanHeader.readVni(packet, 0, packet.length)).isEqualTo(42);
        assertThat(VxlanHeader.sealed(packet, 0)).isTrue();
        assertThat(VxlanHeader.readSalt(packet, 0)).isEqualTo(sealer.salt());
        assertThat(VxlanHeader.readSequence(packet, 0)).isEqualTo(7);
        assertThat(Arrays.copyOfRange(packet, 32, 132)).isNotEqualTo(frame);
        byte[] out = new byte[2048];
        PacketSealer receiver = PacketSealer.forSalt(KEY, 42, PacketSealer.TOWARD_DESTINATION, VxlanHeader.readSalt(packet, 0));
        int len = receiver.open(packet, packet.length, out);
        assertThat(Arrays.copyOf(out, len)).isEqualTo(frame);
        assertThat(receiver.owns(packet)).isTrue();
    }

    @Test
    void twoSessionsOfOneKeyNeverShareAKeyStream() throws Exception {
        PacketSealer other = PacketSealer.fresh(KEY, 42, PacketSealer.TOWARD_DESTINATION);
        assertThat(other.salt()).isNotEqualTo(sealer.salt());
        byte[] frame = new byte[64];
        byte[] first = sealed(frame, 1);
        byte[] second = sealed(other, frame, 1);
        assertThat(Arrays.copyOfRange(first, 32, first.length)).as("same frame, same sequence number, other session")
                .isNotEqualTo(Arrays.copyOfRange(second, 32, second.length));
        byte[] out = new byte[2048];
        assertThatThrownBy(() -> opener.open(second, second.length, out))
                .satisfies(e -> assertThat(((MalformedPacketException) e).reason()).isEqualTo(DropReason.BAD_TAG));
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
            assertThatThrownBy(() -> opener.open(copy, copy.length, out))
                    .as("bit flipped in byte %d", i)
                    .satisfies(e -> assertThat(((MalformedPacketException) e).reason()).isEqualTo(DropReason.BAD_TAG));
        }
    }

    @Test
    void otherKeyDirectionOrVniIsABadTag() {
        byte[] packet = sealed(bytes(60, 4), 1);
        byte[] out = new byte[2048];
        byte[] salt = sealer.salt();
        for (PacketSealer stranger : new PacketSealer[] {
                PacketSealer.forSalt(TunnelKey.of(bytes(32, 9), null), 42, PacketSealer.TOWARD_DESTINATION, salt),
                PacketSealer.forSalt(KEY, 42, PacketSealer.TOWARD_SOURCE, salt),
                PacketSealer.forSalt(KEY, 43, PacketSealer.TOWARD_DESTINATION, salt)}) {
            assertThatThrownBy(() -> stranger.open(packet, packet.length, out))
                    .satisfies(e -> assertThat(((MalformedPacketException) e).reason()).isEqualTo(DropReason.BAD_TAG));
        }
    }

    @Test
    void truncatedIsCountedAsTruncatedOrBadTag() {
        byte[] packet = sealed(bytes(60, 5), 1);
        byte[] out = new byte[2048];
        for (int len = 0; len < packet.length; len++) {
            int n = len;
            assertThatThrownBy(() -> opener.open(packet, n, out))
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
