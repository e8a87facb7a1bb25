package io.cutover.migration.guest;

import io.cutover.migration.Guest;
import io.cutover.migration.GuestAllocator;

/** Helpers around guests: comparing memories, and the allocator of synthetic destination guests. */
public final class Guests {
    private Guests() {
    }

    /**
     * The first page whose bytes differ between {@code a} and {@code b}, or -1 if their memories are equal.
     *
     * @throws IllegalArgumentException if their geometries differ
     */
    public static long firstDifference(Guest a, Guest b) {
        if (a.pageCount() != b.pageCount() || a.pageSize() != b.pageSize()) {
            throw new IllegalArgumentException("guests differ in geometry: " + a.pageCount() + "x" + a.pageSize()
                    + " vs " + b.pageCount() + "x" + b.pageSize());
        }
        for (long page = 0; page < a.pageCount(); page++) {
            if (a.pageView(page).mismatch(b.pageView(page)) >= 0) {
                return page;
            }
        }
        return -1;
    }

    /** Reserves synthetic guests for descriptors starting with {@code synthetic:}. */
    public static GuestAllocator syntheticAllocator() {
        return (descriptor, pageCount, pageSize) -> {
            GuestSpec spec = GuestSpec.parse(descriptor);
            if (spec.pageSize() != pageSize || spec.sizeBytes() / spec.pageSize() != pageCount) {
                throw new IllegalArgumentException("descriptor " + descriptor + " does not match " + pageCount
                        + " pages of " + pageSize + " bytes");
            }
            return SyntheticGuest.reserve(spec);
        };
    }
}
