package io.cutover.migration.guest;

import io.cutover.migration.Guest;
import io.cutover.migration.GuestAllocator;

import java.nio.file.Path;

/** Helpers around guests: comparing memories, making a guest from its descriptor, and destination allocators. */
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

    /**
     * The source guest a descriptor names: a new synthetic guest (paused, memory filled) for
     * {@code synthetic:...}, or the running shared-memory guest of {@code shm:file=PATH}.
     *
     * @throws IllegalArgumentException if the descriptor is neither, or is wrong (naming the key)
     */
    public static Guest open(String descriptor) {
        if (descriptor != null && descriptor.startsWith(ShmGuest.PREFIX)) {
            return ShmGuest.attach(ShmGuest.fileOf(descriptor));
        }
        if (descriptor != null && descriptor.startsWith(GuestSpec.PREFIX)) {
            return SyntheticGuest.create(GuestSpec.parse(descriptor));
        }
        throw new IllegalArgumentException("guest must be synthetic:key=value,... or shm:file=PATH, was " + descriptor);
    }

    /**
     * Reserves synthetic guests for {@code synthetic:} descriptors and shared-memory guests for {@code shm:}
     * ones: a new file in {@code shmDirectory} with a paused {@link ShmGuestProgram} started on it.
     */
    public static GuestAllocator allocator(Path shmDirectory) {
        GuestAllocator synthetic = syntheticAllocator();
        return (descriptor, pageCount, pageSize) -> {
            if (descriptor.startsWith(ShmGuest.PREFIX)) {
                Path file = shmDirectory.resolve("cutover-guest-" + Long.toHexString(System.nanoTime())
                        + "-" + COUNTER.incrementAndGet() + ".mem");
                return ShmGuest.reserve(file, pageCount, pageSize, ShmGuest::launch);
            }
            return synthetic.allocate(descriptor, pageCount, pageSize);
        };
    }

    private static final java.util.concurrent.atomic.AtomicLong COUNTER = new java.util.concurrent.atomic.AtomicLong();
}
