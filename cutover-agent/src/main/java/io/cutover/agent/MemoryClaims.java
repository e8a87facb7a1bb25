package io.cutover.agent;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The memory this host has promised to incoming VMs. A claim is taken before anything moves and held until
 * the cutover ends, so that two cutovers cannot both count on the same free memory.
 */
public final class MemoryClaims {
    /** Who holds the claims of this host's own cutovers. */
    public static final String THIS_HOST = "this host";

    private final long capacityMiB;
    private final Map<String, Claim> claims = new LinkedHashMap<>();

    /** @param holder who took it: {@link #THIS_HOST} or the peer whose agent asked */
    private record Claim(String holder, long mib) {
    }

    public MemoryClaims(long capacityMiB) {
        this.capacityMiB = capacityMiB;
    }

    /** Claims {@code mib} for this host's own cutover {@code id}, as {@link #claim(String, String, long)}. */
    public void claim(String id, long mib) {
        claim(id, THIS_HOST, mib);
    }

    /**
     * Claims {@code mib} for cutover {@code id} on behalf of {@code holder} (idempotent for the same id, holder and
     * size; the same holder may change the size).
     *
     * @throws InsufficientMemoryException if the rest of the capacity is smaller
     * @throws ClaimHeldException          if another holder holds a claim by that id
     */
    public synchronized void claim(String id, String holder, long mib) {
        Claim existing = claims.get(id);
        if (existing != null && !existing.holder().equals(holder)) {
            throw new ClaimHeldException("claim " + id + " is held by " + existing.holder());
        }
        if (existing != null && existing.mib() == mib) {
            return;
        }
        long free = freeMiB() + (existing == null ? 0 : existing.mib());
        if (mib > free) {
            throw new InsufficientMemoryException("cutover " + id + " needs " + mib + " MiB; " + free
                    + " MiB of " + capacityMiB + " MiB are unclaimed");
        }
        claims.put(id, new Claim(holder, mib));
    }

    /** Whether cutover {@code id} holds a claim here. */
    public synchronized boolean holds(String id) {
        return claims.containsKey(id);
    }

    /** Releases claim {@code id}, whoever holds it (this host's own decision). */
    public synchronized void release(String id) {
        claims.remove(id);
    }

    /**
     * Releases claim {@code id} if {@code holder} holds it; one that is gone already is no error.
     *
     * @throws ClaimHeldException if another holder holds it
     */
    public synchronized void release(String id, String holder) {
        Claim existing = claims.get(id);
        if (existing != null && !existing.holder().equals(holder)) {
            throw new ClaimHeldException("claim " + id + " is held by " + existing.holder());
        }
        claims.remove(id);
    }

    public synchronized long freeMiB() {
        return capacityMiB - claims.values().stream().mapToLong(Claim::mib).sum();
    }

    public long capacityMiB() {
        return capacityMiB;
    }

    /** A claim's id is another holder's: a peer may neither resize nor release what it did not claim. */
    public static final class ClaimHeldException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        public ClaimHeldException(String message) {
            super(message);
        }
    }

    /** The host does not have the memory a cutover needs. */
    public static final class InsufficientMemoryException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        public InsufficientMemoryException(String message) {
            super(message);
        }
    }
}
