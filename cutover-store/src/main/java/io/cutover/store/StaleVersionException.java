package io.cutover.store;

/**
 * A compare-and-set was refused: the document is no longer at the version the writer read (someone else wrote it, or
 * created or deleted it), so nothing was written. Read it again and decide anew.
 */
public final class StaleVersionException extends StoreException {
    private final int expectedVersion;

    public StaleVersionException(String path, int expectedVersion, Throwable cause) {
        super(path, "stale write to " + path + ": it is no longer at "
                + (expectedVersion == Versioned.ABSENT ? "'absent'" : "version " + expectedVersion)
                + "; nothing was written", cause);
        this.expectedVersion = expectedVersion;
    }

    /** The version the writer expected ({@link Versioned#ABSENT} for a creation). */
    public int expectedVersion() {
        return expectedVersion;
    }
}
