package io.cutover.store;

/** A store operation failed; the subclasses say whether the store refused it or could not be reached. */
public class StoreException extends RuntimeException {
    private final String path;

    public StoreException(String path, String message, Throwable cause) {
        super(message, cause);
        this.path = path;
    }

    /** The document's path, or {@code null} when the failure concerns no document (connecting, electing). */
    public String path() {
        return path;
    }
}
