package io.cutover.migration;

/** Reserves a destination guest like the one announced by the source (stage 1, reservation). */
@FunctionalInterface
public interface GuestAllocator {

    /**
     * A new, paused guest of {@code pageCount} zeroed pages of {@code pageSize} bytes.
     *
     * @param descriptor the source guest's {@link Guest#descriptor()}
     * @throws IllegalArgumentException if such a guest cannot be made here
     */
    Guest allocate(String descriptor, long pageCount, int pageSize);
}
