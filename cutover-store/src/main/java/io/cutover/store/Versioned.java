package io.cutover.store;

import java.util.Arrays;

/**
 * A document as the store holds it, with its version: the version every compare-and-set names. A document's first
 * version is 0 and every write adds one.
 *
 * @param data    the document's bytes (a JSON document, by the project's convention)
 * @param version its version
 */
public record Versioned(byte[] data, int version) {
    /** The expected version of a document that does not exist yet: a write with it only creates. */
    public static final int ABSENT = -1;

    public Versioned {
        data = data.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Versioned v && v.version == version && Arrays.equals(v.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(data) + version;
    }

    @Override
    public String toString() {
        return "Versioned[" + data.length + " bytes, version " + version + "]";
    }
}
