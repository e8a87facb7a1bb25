package io.cutover.tunnel.impl;

import io.cutover.tunnel.DropReason;
import io.cutover.tunnel.MalformedPacketException;
import io.cutover.tunnel.TunnelKey;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;

/**
 * Seals and opens tunnel packets with AES-GCM (JDK crypto). The 12-byte nonce is the direction (4 bytes:
 * {@link #TOWARD_DESTINATION} or {@link #TOWARD_SOURCE}) and the 64-bit sequence number, so the two
 * directions of a move's key never share a nonce; the additional data is the VXLAN header and the sequence
 * number. Not thread-safe: one per sending or receiving thread.
 */
public final class PacketSealer {
    /** The tag's length. */
    public static final int TAG_LENGTH = 16;
    /** Direction of source-to-destination packets. */
    public static final int TOWARD_DESTINATION = 1;
    /** Direction of reverse-tunnel packets. */
    public static final int TOWARD_SOURCE = 2;

    private final SecretKeySpec key;
    private final Cipher cipher;
    private final byte[] nonce = new byte[12];

    public PacketSealer(TunnelKey key) {
        this.key = new SecretKeySpec(key.secret(), "AES");
        try {
            this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is not available in this JDK", e);
        }
    }

    /** The length of a sealed packet carrying {@code frameLength} bytes. */
    public static int sealedLength(int frameLength) {
        return VxlanHeader.SEALED_HEADER_LENGTH + frameLength + TAG_LENGTH;
    }

    /**
     * Writes into {@code out} (at least {@link #sealedLength} bytes) the sealed packet of the frame, and returns
     * its length.
     */
    public int seal(int vni, long seq, int direction, byte[] frame, int off, int len, byte[] out) {
        VxlanHeader.write(out, 0, vni, true);
        VxlanHeader.writeSequence(out, 0, seq);
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_LENGTH * 8, nonce(direction, seq)));
            cipher.updateAAD(out, 0, VxlanHeader.SEALED_HEADER_LENGTH);
            return VxlanHeader.SEALED_HEADER_LENGTH + cipher.doFinal(frame, off, len, out, VxlanHeader.SEALED_HEADER_LENGTH);
        } catch (ShortBufferException e) {
            throw new IllegalArgumentException("output buffer too small for a sealed frame of " + len + " bytes", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM seal failed: " + e.getMessage(), e);
        }
    }

    /**
     * Opens the sealed packet {@code in[0..len)} (whose header was already checked) into {@code out} and returns the
     * frame's length.
     *
     * @throws MalformedPacketException TRUNCATED when too short for a tag, BAD_TAG when it does not verify
     */
    public int open(int direction, byte[] in, int len, byte[] out) throws MalformedPacketException {
        if (len < VxlanHeader.SEALED_HEADER_LENGTH + TAG_LENGTH) {
            throw new MalformedPacketException(DropReason.TRUNCATED, "sealed packet: " + len + " bytes, less than header, sequence and tag");
        }
        long seq = VxlanHeader.readSequence(in, 0);
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_LENGTH * 8, nonce(direction, seq)));
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

    private byte[] nonce(int direction, long seq) {
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
