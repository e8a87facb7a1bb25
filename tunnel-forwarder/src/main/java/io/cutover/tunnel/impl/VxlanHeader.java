package io.cutover.tunnel.impl;

import io.cutover.tunnel.DropReason;
import io.cutover.tunnel.MalformedPacketException;

/**
 * The 8-byte VXLAN header (RFC 7348): flags (I = 0x08), 24 reserved bits, the 24-bit VNI, 8 reserved bits.
 * A sealed packet sets the otherwise reserved flag 0x04 and carries, after the header, the sender's 16-byte
 * session salt, a 64-bit sequence number and the AES-GCM ciphertext and tag of the frame (see {@link PacketSealer});
 * a plain packet carries the frame itself.
 */
public final class VxlanHeader {
    /** The header's length. */
    public static final int LENGTH = 8;
    /** The I flag: the VNI is valid. */
    public static final int FLAG_VNI = 0x08;
    /** Our flag: the payload is sealed with AES-GCM. */
    public static final int FLAG_SEALED = 0x04;
    /** The length of a sealed packet's session salt. */
    public static final int SALT_LENGTH = 16;
    /** Header, session salt and sequence number: the AES-GCM additional data of a sealed packet. */
    public static final int SEALED_HEADER_LENGTH = LENGTH + SALT_LENGTH + 8;

    private VxlanHeader() {
    }

    /** Writes a header at {@code off}. */
    public static void write(byte[] out, int off, int vni, boolean sealed) {
        out[off] = (byte) (FLAG_VNI | (sealed ? FLAG_SEALED : 0));
        out[off + 1] = 0;
        out[off + 2] = 0;
        out[off + 3] = 0;
        out[off + 4] = (byte) (vni >>> 16);
        out[off + 5] = (byte) (vni >>> 8);
        out[off + 6] = (byte) vni;
        out[off + 7] = 0;
    }

    /**
     * Checks the header at {@code off} of a packet of {@code len} bytes and returns its VNI.
     *
     * Reserved bits are ignored, as RFC 7348 asks of a receiver (a sender that sets one is still understood).
     *
     * @throws MalformedPacketException TRUNCATED when shorter than a header, WRONG_VNI when the I flag is clear
     */
    public static int readVni(byte[] in, int off, int len) throws MalformedPacketException {
        if (len < LENGTH) {
            throw new MalformedPacketException(DropReason.TRUNCATED, "vxlan header: " + len + " of " + LENGTH + " bytes");
        }
        int flags = in[off] & 0xFF;
        if ((flags & FLAG_VNI) == 0) {
            throw new MalformedPacketException(DropReason.WRONG_VNI, "vxlan flags: I flag clear (0x" + Integer.toHexString(flags) + ")");
        }
        return ((in[off + 4] & 0xFF) << 16) | ((in[off + 5] & 0xFF) << 8) | (in[off + 6] & 0xFF);
    }

    /** Whether the header at {@code off} marks a sealed packet. */
    public static boolean sealed(byte[] in, int off) {
        return (in[off] & FLAG_SEALED) != 0;
    }

    /** Reads the session salt of a sealed packet (after the header). */
    public static byte[] readSalt(byte[] in, int off) {
        return java.util.Arrays.copyOfRange(in, off + LENGTH, off + LENGTH + SALT_LENGTH);
    }

    /** Whether the sealed packet at {@code off} carries {@code salt}. */
    static boolean hasSalt(byte[] in, int off, byte[] salt) {
        return java.util.Arrays.equals(in, off + LENGTH, off + LENGTH + SALT_LENGTH, salt, 0, SALT_LENGTH);
    }

    static void writeSalt(byte[] out, int off, byte[] salt) {
        System.arraycopy(salt, 0, out, off + LENGTH, SALT_LENGTH);
    }

    /** Reads the sequence number of a sealed packet (after the header and salt). */
    public static long readSequence(byte[] in, int off) {
        long seq = 0;
        for (int i = 0; i < 8; i++) {
            seq = (seq << 8) | (in[off + LENGTH + SALT_LENGTH + i] & 0xFF);
        }
        return seq;
    }

    static void writeSequence(byte[] out, int off, long seq) {
        for (int i = 7; i >= 0; i--) {
            out[off + LENGTH + SALT_LENGTH + i] = (byte) seq;
            seq >>>= 8;
        }
    }
}
