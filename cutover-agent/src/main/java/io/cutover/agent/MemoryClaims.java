package io.cutover.agent;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The memory this host has promised to incoming VMs. A claim is taken before anything moves and held until
 * the cutover ends, so that two cutovers cannot both count on the same free memory.
 */
public final class MemoryClaims {
    private final long capacityMiB;
    private final Map<String, Long> claims = new LinkedHashMap<>();

    public MemoryClaims(long capacityMiB) {
        this.capacityMiB = capacityMiB;
    }

    /**
     * Claims {@code mib} for cutover {@code id} (idempotent for the same id and size).
     *
     * @throws InsufficientMemoryException if the rest of the capacity is smaller
     */
    public synchronized void claim(String id, long mib) {
        Long existing = claims.get(id);
        if (existing != null && existing == mib) {
            return;
        }
        long free = freeMiB() + (existing == null ? 0 : existing);
        if (mib > free) {
            throw new InsufficientMemoryException("cutover " + id + " needs " + mib + " MiB; " + free
                    + " MiB of " + capacityMiB + " MiB are unclaimed");
        }
        claims.put(id, mib);
    }

    /** Whether cutover {@code id} holds a claim here. */
    public synchronized boolean holds(String id) {
        return claims.containsKey(id);
    }

    public synchronized void release(String id) {
        claims.remove(id);
    }

    public synchronized long freeMiB() {
        return capacityMiB - claims.values().stream().mapToLong(Long::longValue).sum();
    }

    public long capacityMiB() {
        return capacityMiB;
    }

    /** The host does not have the memory a cutover needs. */
    public static final class InsufficientMemoryException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        public InsufficientMemoryException(String message) {
            super(message);
        }
    }
}
