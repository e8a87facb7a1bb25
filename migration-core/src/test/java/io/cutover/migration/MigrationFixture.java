package io.cutover.migration;

import io.cutover.api.CutoverListener;

import io.cutover.migration.guest.GuestSpec;
import io.cutover.migration.guest.SyntheticGuest;
import io.cutover.migration.guest.Workload;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A destination on loopback whose guests do not run their workload, so memories can be compared. It admits every
 * migration that presents {@link #SECRET} ({@link #admitted}).
 */
public final class MigrationFixture implements AutoCloseable {
    /** The secret the fixture's targets admit. */
    public static final String SECRET = "fixture-secret-0123456789abcdef";

    public final BlockingQueue<IncomingMigration> ended = new LinkedBlockingQueue<>();
    public final MigrationTarget target;

    public MigrationFixture() {
        this(quietAllocator(), List.of());
    }

    public MigrationFixture(GuestAllocator allocator, List<CutoverListener> listeners) {
        this(allocator, listeners, TargetOptions.defaults());
    }

    public MigrationFixture(GuestAllocator allocator, List<CutoverListener> listeners, TargetOptions options) {
        target = MigrationTarget.listen(new InetSocketAddress("127.0.0.1", 0), allocator, options, listeners,
                ended::add);
        target.admit(SECRET, MigrationTarget.DEFAULT_MAX_GUEST_BYTES);
    }

    /** {@code options} presenting {@link #SECRET}. */
    public static MigrationOptions admitted(MigrationOptions options) {
        return options.toBuilder().secret(SECRET).build();
    }

    /** Reserves synthetic guests whose workload is idle: their memory stays as migrated. */
    public static GuestAllocator quietAllocator() {
        return (descriptor, pageCount, pageSize) -> {
            GuestSpec s = GuestSpec.parse(descriptor);
            return SyntheticGuest.reserve(new GuestSpec(s.sizeBytes(), s.pageSize(), Workload.IDLE, s.hotPages(),
                    s.regionPages(), s.rate(), s.fill(), s.seed()));
        };
    }

    /** Waits until {@code target} has refused {@code count} connections in all (10 s at most). */
    public static TargetStats awaitRefusals(MigrationTarget target, long count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (target.stats().refusedTotal() < count && System.nanoTime() - deadline < 0) {
            Thread.sleep(10);
        }
        TargetStats stats = target.stats();
        if (stats.refusedTotal() < count) {
            throw new AssertionError("expected " + count + " refusals: " + stats);
        }
        return stats;
    }

    public InetSocketAddress address() {
        return target.localAddress();
    }

    public IncomingMigration next() throws InterruptedException {
        IncomingMigration m = ended.poll(60, TimeUnit.SECONDS);
        if (m == null) {
            throw new AssertionError("no incoming migration ended within 60 s");
        }
        return m;
    }

    /** A running synthetic guest. */
    public static SyntheticGuest running(String descriptor) {
        SyntheticGuest g = SyntheticGuest.create(GuestSpec.parse(descriptor));
        g.resume();
        return g;
    }

    @Override
    public void close() {
        target.close();
        IncomingMigration m;
        while ((m = ended.poll()) != null) {
            if (m.guest() != null) {
                m.guest().close();
            }
        }
    }
}
