package io.cutover.ddns;

import io.cutover.ddns.impl.BindKeyParser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A TSIG key: its name, algorithm and secret. Read from a BIND {@code key "name" { algorithm ...; secret "...";
 * };} file as {@code tsig-keygen} writes it.
 *
 * @param name      the key name, as the server knows it (such as {@code cutover-lab})
 * @param algorithm the HMAC
 * @param secret    the shared secret (never printed by {@link #toString()})
 */
public record TsigKey(String name, TsigAlgorithm algorithm, byte[] secret) {

    public TsigKey {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(secret, "secret");
        if (name.isBlank()) {
            throw new IllegalArgumentException("TSIG key name is empty");
        }
        if (secret.length == 0) {
            throw new IllegalArgumentException("TSIG key " + name + " has an empty secret");
        }
        secret = secret.clone();
    }

    @Override
    public byte[] secret() {
        return secret.clone();
    }

    /**
     * Reads the first key of a BIND key file.
     *
     * @throws KeyFileException when the file is missing, malformed, or names a refused algorithm (hmac-md5)
     */
    public static TsigKey read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new KeyFileException(file + ": cannot read the TSIG key file: " + e.getMessage(), e);
        }
        return parse(text, file.toString());
    }

    /**
     * Parses the first key of a key file: BIND's syntax ({@code tsig-keygen}) or Knot's YAML ({@code keymgr -t});
     * {@code source} names it in error messages.
     *
     * @throws KeyFileException when the text is malformed or names a refused algorithm (hmac-md5)
     */
    public static TsigKey parse(String text, String source) {
        return io.cutover.ddns.impl.KnotKeyParser.recognises(text) ? io.cutover.ddns.impl.KnotKeyParser.parse(text, source)
                : BindKeyParser.parse(text, source);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TsigKey k && k.name.equals(name) && k.algorithm == algorithm
                && java.util.Arrays.equals(k.secret, secret);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, algorithm, java.util.Arrays.hashCode(secret));
    }

    @Override
    public String toString() {
        return "TsigKey[" + name + ", " + algorithm.bindName() + "]";
    }
}
