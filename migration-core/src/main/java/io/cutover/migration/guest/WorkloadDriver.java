package io.cutover.migration.guest;

import java.nio.ByteBuffer;
import java.util.function.LongFunction;

/**
 * What a synthetic workload writes, and when: the page of the next write and the value it stores, the writes
 * due at the spec's rate (slowed down by a throttle), and the workload's state — which travels with the guest,
 * so a migrated guest continues the same sequence. Shared by the in-process guest and the shared-memory guest
 * program.
 */
final class WorkloadDriver {
    /** Bytes of {@link #save}. */
    static final int STATE_BYTES = 24;
    private static final int MAX_BATCH = 4096;

    private final GuestSpec spec;
    private final long pageCount;
    private long writes;
    private long sweep;
    private long rng;
    private long last;
    private double credit;

    WorkloadDriver(GuestSpec spec) {
        this.spec = spec;
        this.pageCount = spec.sizeBytes() / spec.pageSize();
        this.rng = spec.seed() * 0x9E3779B97F4A7C15L + 1;
    }

    GuestSpec spec() {
        return spec;
    }

    /** Page writes done so far. */
    long writes() {
        return writes;
    }

    /** Forgets the time spent paused: no burst of writes after a resume. */
    void restart(long nowNanos) {
        last = nowNanos;
        credit = 0;
    }

    /** Writes due now (at most {@value #MAX_BATCH}), given the throttle in percent; 0 for an idle workload. */
    int due(long nowNanos, int throttle) {
        if (spec.workload() == Workload.IDLE || spec.rate() == 0) {
            restart(nowNanos);
            return 0;
        }
        double rate = spec.rate() * (100 - throttle) / 100.0;
        credit = Math.min(credit + rate * (nowNanos - last) / 1e9, rate / 100 + 64);
        last = nowNanos;
        return (int) Math.min(credit, MAX_BATCH);
    }

    /** Counts {@code n} writes done against the credit. */
    void done(int n) {
        credit -= n;
    }

    /** The page of the next write. */
    long nextPage() {
        return switch (spec.workload()) {
            case UNIFORM -> Math.floorMod(nextRandom(), pageCount);
            case HOTSET -> Math.floorMod(nextRandom(), spec.hotPages());
            case DIABOLICAL -> {
                long page = sweep;
                sweep = sweep + 1 >= spec.regionPages() ? 0 : sweep + 1;
                yield page;
            }
            case IDLE -> throw new IllegalStateException("idle writes nothing");
        };
    }

    /** Counts one write and stores its value (8 bytes, never zero) in {@code page} at offset {@code pageOffset}. */
    void write(ByteBuffer memory, int pageOffset) {
        writes++;
        int slot = (int) (writes & ((spec.pageSize() >>> 3) - 1)) << 3;
        memory.putLong(pageOffset + slot, mix(writes) | 1);
    }

    void save(ByteBuffer out) {
        out.putLong(writes).putLong(sweep).putLong(rng);
    }

    void load(ByteBuffer in) {
        writes = in.getLong();
        sweep = in.getLong();
        rng = in.getLong();
    }

    /** Fills the spec's share of pages with pseudo-random data (the others stay zero). */
    static void fill(GuestSpec spec, LongFunction<ByteBuffer> pageView) {
        long pages = spec.sizeBytes() / spec.pageSize();
        long threshold = Math.round(spec.fill() * 1_000_000);
        long x = spec.seed();
        for (long page = 0; page < pages; page++) {
            if (Math.floorMod(mix(page ^ spec.seed()), 1_000_000L) >= threshold) {
                continue;
            }
            ByteBuffer view = pageView.apply(page);
            for (int off = 0; off < spec.pageSize(); off += 8) {
                x = mix(x + off + 1);
                view.putLong(off, x | 1);
            }
        }
    }

    private long nextRandom() {
        rng = mix(rng);
        return rng >>> 1;
    }

    static long mix(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
