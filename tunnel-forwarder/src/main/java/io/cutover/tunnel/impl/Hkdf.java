package io.cutover.tunnel.impl;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;

/**
 * HKDF with HMAC-SHA256 (RFC 5869): extract a pseudorandom key from the input keying material and a salt, then
 * expand it, bound to {@code info}, to the length asked.
 */
final class Hkdf {
    private static final String HMAC = "HmacSHA256";
    private static final int HASH_LENGTH = 32;

    private Hkdf() {
    }

    /**
     * {@code length} bytes (at most 255 hash lengths) of output keying material.
     *
     * @param ikm  the input keying material (the long-term key)
     * @param salt the salt; empty means a hash length of zeros, as the RFC says
     * @param info binds the output to its use
     */
    static byte[] derive(byte[] ikm, byte[] salt, byte[] info, int length) {
        if (length < 1 || length > 255 * HASH_LENGTH) {
            throw new IllegalArgumentException("HKDF output of " + length + " bytes: must be 1.." + 255 * HASH_LENGTH);
        }
        byte[] prk = hmac(salt.length == 0 ? new byte[HASH_LENGTH] : salt, ikm);
        byte[] okm = new byte[length];
        byte[] block = new byte[0];
        int written = 0;
        for (int counter = 1; written < length; counter++) {
            byte[] input = new byte[block.length + info.length + 1];
            System.arraycopy(block, 0, input, 0, block.length);
            System.arraycopy(info, 0, input, block.length, info.length);
            input[input.length - 1] = (byte) counter;
            block = hmac(prk, input);
            int n = Math.min(block.length, length - written);
            System.arraycopy(block, 0, okm, written, n);
            written += n;
        }
        return okm;
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(key, HMAC));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available in this JDK", e);
        }
    }
}
