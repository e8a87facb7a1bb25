package io.cutover.tunnel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * A move's AES-GCM key (16 or 32 bytes) and where it came from. The forwarder journals only the
 * reference (a key file), never the key itself.
 */
public final class TunnelKey {
    private final byte[] secret;
    private final String reference;

    private TunnelKey(byte[] secret, String reference) {
        if (secret.length != 16 && secret.length != 32) {
            throw new IllegalArgumentException("a tunnel key must be 16 or 32 bytes, was " + secret.length);
        }
        this.secret = secret.clone();
        this.reference = reference;
    }

    /** A key from its bytes; {@code reference} says where it is kept (a file path), or {@code null}. */
    public static TunnelKey of(byte[] secret, String reference) {
        Objects.requireNonNull(secret, "secret");
        return new TunnelKey(secret, reference);
    }

    /** A key from its base64 form. */
    public static TunnelKey ofBase64(String base64, String reference) {
        try {
            return new TunnelKey(Base64.getDecoder().decode(base64.strip()), reference);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a tunnel key must be base64 of 16 or 32 bytes: " + e.getMessage(), e);
        }
    }

    /** The key kept (base64, one line) in {@code file}. */
    public static TunnelKey fromFile(Path file) {
        try {
            return ofBase64(Files.readString(file, StandardCharsets.US_ASCII), file.toString());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read key file " + file + ": " + e.getMessage(), e);
        }
    }

    /** A copy of the key bytes. */
    public byte[] secret() {
        return secret.clone();
    }

    /** The key file, or {@code null} when the key was given inline. */
    public String reference() {
        return reference;
    }

    /** The key as base64. */
    public String base64() {
        return Base64.getEncoder().encodeToString(secret);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TunnelKey k && Arrays.equals(secret, k.secret);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(secret);
    }

    @Override
    public String toString() {
        return "TunnelKey[" + (reference == null ? "inline" : reference) + "]";
    }
}
