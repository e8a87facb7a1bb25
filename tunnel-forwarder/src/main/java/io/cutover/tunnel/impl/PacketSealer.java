package io.cutover.tunnel.impl;

import io.cutover.tunnel.DropReason;
import io.cutover.tunnel.MalformedPacketException;
import io.cutover.tunnel.TunnelKey;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.HexFormat;

/**
 * One session of one direction of a sealed move: seals and opens tunnel packets with AES-GCM (JDK crypto) under a
 * session key that no other session shares.
 *
 * <p>The session key is HKDF-SHA256 (RFC 5869, {@link Hkdf}) of the move's long-term key, with the session's random
 * 16-byte salt, and the info {@code "cutover-tunnel-v2"}, a zero byte, the direction (1 byte) and the VNI (3 bytes);
 * it is as long as the long-term key. A sender draws a new salt ({@link #fresh}) whenever it starts (an added move, a
 * restarted daemon, with or without a journal) and after {@link #SESSION_PACKETS} packets, so a (key, nonce) pair is
 * never used twice without any sequence number having to outlive the process. The salt is the session's start by
 * the sender's clock (microseconds since the epoch, 8 bytes, strictly increasing within a process) and 8 random
 * bytes, so that a receiver can tell a later session from a replayed earlier one (as WireGuard orders handshakes by
 * their timestamps). The salt travels in every packet's header; the receiver derives the key of a salt it has not
 * seen ({@link #forSalt}).
 *
 * <p>Wire format of a sealed packet: the VXLAN header with flag 0x04 (8 bytes), the salt (16), the sequence number
 * (8, big-endian, from 1), then the ciphertext and the 16-byte tag. The 12-byte nonce is the direction (4 bytes,
 * {@link #TOWARD_DESTINATION} or {@link #TOWARD_SOURCE}) and the sequence number; the additional data is the header,
 * salt and sequence number. Not thread-safe: one per sending or receiving thread.
 */
public final class PacketSealer {
    /** The tag's length. */
    public static final int TAG_LENGTH = 16;
    /** Direction of source-to-destination packets. */
    public static final int TOWARD_DESTINATION = 1;
    /** Direction of reverse-tunnel packets. */
    public static final int TOWARD_SOURCE = 2;
    /** The most packets a sender seals in one session before it draws a new salt (as AES-GCM's limits advise). */
    public static final long SESSION_PACKETS = 1L << 32;
    private static final byte[] LABEL = "cutover-tunnel-v2".getBytes(StandardCharsets.US_ASCII);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final AtomicLong LAST_START = new AtomicLong();

    private final byte[] salt;
    private final int vni;
    private final int direction;
    private final SecretKeySpec key;
    private final Cipher cipher;
    private final byte[] nonce = new byte[12];

    private PacketSealer(TunnelKey longTerm, int vni, int direction, byte[] salt) {
        if (salt.length != VxlanHeader.SALT_LENGTH) {
            throw new IllegalArgumentException("a session salt is " + VxlanHeader.SALT_LENGTH + " bytes, was " + salt.length);
        }
        this.salt = salt.clone();
        this.vni = vni;
        this.direction = direction;
        byte[] secret = longTerm.secret();
        this.key = new SecretKeySpec(Hkdf.derive(secret, this.salt, info(vni, direction), secret.length), "AES");
        try {
            this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is not available in this JDK", e);
        }
    }

    /** A new session, starting now, with a salt of its own: for a sender. */
    public static PacketSealer fresh(TunnelKey longTerm, int vni, int direction) {
        long now = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
        long start = LAST_START.updateAndGet(last -> Math.max(last + 1, now));
        byte[] salt = new byte[VxlanHeader.SALT_LENGTH];
        RANDOM.nextBytes(salt);
        for (int i = 7; i >= 0; i--) {
            salt[i] = (byte) start;
            start >>>= 8;
        }
        return new PacketSealer(longTerm, vni, direction, salt);
    }

    /** When the session of {@code salt} began, by its sender's clock: microseconds since the epoch. */
    public static long startOf(byte[] salt) {
        long start = 0;
        for (int i = 0; i < 8; i++) {
            start = (start << 8) | (salt[i] & 0xFF);
        }
        return start;
    }

    /** The session of {@code salt}: for a receiver, with the salt read from a packet ({@link VxlanHeader#readSalt}). */
    public static PacketSealer forSalt(TunnelKey longTerm, int vni, int direction, byte[] salt) {
        return new PacketSealer(longTerm, vni, direction, salt);
    }

    private static byte[] info(int vni, int direction) {
        byte[] info = new byte[LABEL.length + 5];
        System.arraycopy(LABEL, 0, info, 0, LABEL.length);
        info[LABEL.length + 1] = (byte) direction;
        info[LABEL.length + 2] = (byte) (vni >>> 16);
        info[LABEL.length + 3] = (byte) (vni >>> 8);
        info[LABEL.length + 4] = (byte) vni;
        return info;
    }

    /** The session's salt (a copy). */
    public byte[] salt() {
        return salt.clone();
    }

    /** When this session began, by its sender's clock ({@link #startOf}). */
    public long start() {
        return startOf(salt);
    }

    /** The session's salt as hex: its name in logs and the journal. */
    public String saltHex() {
        return HexFormat.of().formatHex(salt);
    }

    /** Whether the sealed packet {@code in} belongs to this session. */
    boolean owns(byte[] in) {
        return VxlanHeader.hasSalt(in, 0, salt);
    }

    /** The length of a sealed packet carrying {@code frameLength} bytes. */
    public static int sealedLength(int frameLength) {
        return VxlanHeader.SEALED_HEADER_LENGTH + frameLength + TAG_LENGTH;
    }

    /**
     * Writes into {@code out} (at least {@link #sealedLength} bytes) the sealed packet of the frame with sequence
     * number {@code seq}, never used before in this session, and returns its length.
     */
    public int seal(long seq, byte[] frame, int off, int len, byte[] out) {
        VxlanHeader.write(out, 0, vni, true);
        VxlanHeader.writeSalt(out, 0, salt);
        VxlanHeader.writeSequence(out, 0, seq);
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_LENGTH * 8, nonce(seq)));
            cipher.updateAAD(out, 0, VxlanHeader.SEALED_HEADER_LENGTH);
            return VxlanHeader.SEALED_HEADER_LENGTH + cipher.doFinal(frame, off, len, out, VxlanHeader.SEALED_HEADER_LENGTH);
        } catch (ShortBufferException e) {
            throw new IllegalArgumentException("output buffer too small for a sealed frame of " + len + " bytes", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM seal failed: " + e.getMessage(), e);
        }
    }

    /**
     * Opens the sealed packet {@code in[0..len)} of this session (whose header was already checked) into {@code out}
     * and returns the frame's length.
     *
     * @throws MalformedPacketException TRUNCATED when too short for a tag, BAD_TAG when it does not verify
     */
    public int open(byte[] in, int len, byte[] out) throws MalformedPacketException {
        if (len < VxlanHeader.SEALED_HEADER_LENGTH + TAG_LENGTH) {
            throw new MalformedPacketException(DropReason.TRUNCATED, "sealed packet: " + len
                    + " bytes, less than header, salt, sequence and tag");
        }
        long seq = VxlanHeader.readSequence(in, 0);
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_LENGTH * 8, nonce(seq)));
            cipher.updateAAD(in, 0, VxlanHeader.SEALED_HEADER_LENGTH);
            return cipher.doFinal(in, VxlanHeader.SEALED_HEADER_LENGTH, len - VxlanHeader.SEALED_HEADER_LENGTH, out, 0);
        } catch (AEADBadTagException e) {
            throw new MalformedPacketException(DropReason.BAD_TAG, "sealed packet: tag does not verify (seq " + seq + ")");
        } catch (ShortBufferException e) {
            throw new MalformedPacketException(DropReason.MALFORMED, "sealed packet: frame larger than " + out.length + " bytes");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM open failed: " + e.getMessage(), e);
        }
    }

    private byte[] nonce(long seq) {
        nonce[0] = (byte) (direction >>> 24);
        nonce[1] = (byte) (direction >>> 16);
        nonce[2] = (byte) (direction >>> 8);
        nonce[3] = (byte) direction;
        for (int i = 11; i >= 4; i--) {
            nonce[i] = (byte) seq;
            seq >>>= 8;
        }
        return nonce;
    }
}
