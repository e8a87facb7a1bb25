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

/** A destination on loopback whose guests do not run their workload, so memories can be compared. */
public final class MigrationFixture implements AutoCloseable {
    public final BlockingQueue<IncomingMigration> ended = new LinkedBlockingQueue<>();
    public final MigrationTarget target;

    public MigrationFixture() {
        this(quietAllocator(), List.of());
    }

    public MigrationFixture(GuestAllocator allocator, List<CutoverListener> listeners) {
        target = MigrationTarget.listen(new InetSocketAddress("127.0.0.1", 0), allocator,
                MigrationTarget.DEFAULT_MAX_GUEST_BYTES, listeners, ended::add);
    }

    /** Reserves synthetic guests whose workload is idle: their memory stays as migrated. */
    public static GuestAllocator quietAllocator() {
        return (descriptor, pageCount, pageSize) -> {
            GuestSpec s = GuestSpec.parse(descriptor);
            return SyntheticGuest.reserve(new GuestSpec(s.sizeBytes(), s.pageSize(), Workload.IDLE, s.hotPages(),
                    s.regionPages(), s.rate(), s.fill(), s.seed()));
        };
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
