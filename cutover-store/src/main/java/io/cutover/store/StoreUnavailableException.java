package io.cutover.store;

import java.time.Duration;

/**
 * The store could not be reached within the operation timeout: no member answered, or the members that answer have no
 * quorum. A write that fails so was not committed if the store never had it; if the connection broke while the write
 * was in flight its outcome is unknown, so a writer reads the document again before it retries (its compare-and-set
 * then tells it).
 */
public final class StoreUnavailableException extends StoreException {
    private final Duration waited;

    public StoreUnavailableException(String path, String what, Duration waited, Throwable cause) {
        super(path, "replicated store unavailable: " + what + " failed after " + waited.toMillis()
                + " ms (no quorum, or no member reachable)", cause);
        this.waited = waited;
    }

    /** How long the operation waited for the store before it gave up. */
    public Duration waited() {
        return waited;
    }
}
