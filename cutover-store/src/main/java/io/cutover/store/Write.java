package io.cutover.store;

/**
 * One document's change in a {@link ReplicatedStore#commit transaction}: each names the version it expects, as a
 * single {@link ReplicatedStore#write} or {@link ReplicatedStore#delete} does.
 */
public sealed interface Write {

    /** The document's path under the store's root. */
    String path();

    /** The version the document must be at ({@link Versioned#ABSENT}: there must be none, the write creates it). */
    int expectedVersion();

    /** Writes {@code data} at {@code path}: creates it when {@code expectedVersion} is {@link Versioned#ABSENT}. */
    static Write put(String path, byte[] data, int expectedVersion) {
        return new Put(path, data, expectedVersion);
    }

    /** Deletes the document at {@code path}, which must be at {@code expectedVersion}. */
    static Write delete(String path, int expectedVersion) {
        return new Delete(path, expectedVersion);
    }

    /**
     * Writes nothing, but refuses the transaction unless the document at {@code path} is at {@code expectedVersion}:
     * a fence for a transaction that does not change that document.
     */
    static Write check(String path, int expectedVersion) {
        return new Check(path, expectedVersion);
    }

    /** The size in bytes of what this change writes. */
    default int size() {
        return this instanceof Put put ? put.data.length : 0;
    }

    /** A document written (created or replaced). */
    record Put(String path, byte[] data, int expectedVersion) implements Write {
        public Put {
            data = data.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        @Override
        public String toString() {
            return "Put[" + path + ", " + data.length + " bytes, over version " + expectedVersion + "]";
        }
    }

    /** A document only checked. */
    record Check(String path, int expectedVersion) implements Write {
        public Check {
            if (expectedVersion == Versioned.ABSENT) {
                throw new IllegalArgumentException("a check names the version the document must be at: " + path);
            }
        }
    }

    /** A document deleted. */
    record Delete(String path, int expectedVersion) implements Write {
        public Delete {
            if (expectedVersion == Versioned.ABSENT) {
                throw new IllegalArgumentException("a delete names the version of the document it deletes: " + path);
            }
        }
    }
}
