package io.cutover.store;

/**
 * A document that lives as long as its holder's session with the store: a sign of life others can read. It goes a
 * session timeout after its holder stopped talking to the store (killed, cut off), or at once when closed. While the
 * holder's session lives, the store keeps it there (made again after a lost session, or after a document of the
 * same path that an earlier session of the holder left has gone).
 */
public interface Lease extends AutoCloseable {

    /** The lease's path, relative to the store's root. */
    String path();

    /** Gives the lease up: its document goes now. */
    @Override
    void close();
}
