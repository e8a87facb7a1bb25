package io.cutover.migration;

import io.cutover.migration.guest.GuestSpec;
import io.cutover.migration.guest.Guests;
import io.cutover.migration.guest.SyntheticGuest;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The destination writes whole pages with {@link Guest#writePage}, which a synthetic guest does through its
 * memory's file, without mapping the page in: what the guest then reads through its page views is what arrived.
 */
class PageWritesTest {

    @Test
    void aPageWrittenThroughTheFileReadsBackThroughTheView() {
        try (SyntheticGuest guest = SyntheticGuest.reserve(GuestSpec.parse("synthetic:size=2m,workload=idle"))) {
            ByteBuffer data = ByteBuffer.allocateDirect(guest.pageSize());
            for (int i = 0; i < data.capacity(); i += 8) {
                data.putLong(i, 0x0102030405060708L * (i + 1));
            }
            guest.writePage(77, data.duplicate());
            guest.writePage(78, ByteBuffer.wrap(new byte[guest.pageSize()]).put(0, (byte) 9));

            assertThat(guest.pageView(77).mismatch(data.duplicate())).isEqualTo(-1);
            assertThat(guest.pageView(78).get(0)).isEqualTo((byte) 9);
            assertThat(guest.pageView(76).getLong(0)).isZero();
            long[] populated = new long[(int) ((guest.pageCount() + 63) >>> 6)];
            guest.populatedPages(populated);
            assertThat(populated[1] & (3L << (77 - 64))).isEqualTo(3L << (77 - 64));
        }
    }

    @Test
    void aWriteOfAnythingButAPageIsRefused() {
        try (SyntheticGuest guest = SyntheticGuest.reserve(GuestSpec.parse("synthetic:size=1m,workload=idle"))) {
            assertThatThrownBy(() -> guest.writePage(1, ByteBuffer.allocate(guest.pageSize() - 1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not 4095");
            assertThatThrownBy(() -> guest.writePage(guest.pageCount(), ByteBuffer.allocate(guest.pageSize())))
                    .isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    @Test
    void theDestinationWritesRawAndZeroPagesWhole() throws Exception {
        AtomicLong whole = new AtomicLong();
        GuestAllocator counting = (descriptor, pageCount, pageSize) -> new ForwardingGuest(
                MigrationFixture.quietAllocator().allocate(descriptor, pageCount, pageSize)) {
            @Override
            public void writePage(long index, ByteBuffer data) {
                whole.incrementAndGet();
                delegate.writePage(index, data);
            }
        };
        try (MigrationFixture dst = new MigrationFixture(counting, List.of());
             SyntheticGuest source = MigrationFixture.running("synthetic:size=16m,workload=idle,fill=30%")) {
            MigrationReport report = LiveMigration.start(source, dst.address(),
                    MigrationFixture.admitted(MigrationOptions.defaults()), List.of())
                    .result().toCompletableFuture().get(60, TimeUnit.SECONDS);
            IncomingMigration in = dst.next();

            assertThat(in.activated()).isTrue();
            assertThat(whole.get()).isEqualTo(report.progress().pagesSent()).isPositive();
            in.guest().pause();
            assertThat(Guests.firstDifference(source, in.guest())).isEqualTo(-1);
        }
    }
}
