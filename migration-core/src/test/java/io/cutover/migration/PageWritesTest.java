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
    void consecutivePagesWrittenAtOnceReadBackAcrossAChunkBoundary() {
        // 2 GiB reserved costs nothing until written; pages 262142..262145 straddle the first 1 GiB chunk's end
        try (SyntheticGuest guest = SyntheticGuest.reserve(GuestSpec.parse("synthetic:size=2g,workload=idle"))) {
            long first = (1L << 30) / guest.pageSize() - 2;
            ByteBuffer[] pages = new ByteBuffer[4];
            for (int i = 0; i < pages.length; i++) {
                pages[i] = ByteBuffer.allocateDirect(guest.pageSize());
                for (int j = 0; j < guest.pageSize(); j += 8) {
                    pages[i].putLong(j, (i + 1) * 0x9E3779B97F4A7C15L + j);
                }
            }
            ByteBuffer[] copies = java.util.Arrays.stream(pages).map(ByteBuffer::duplicate).toArray(ByteBuffer[]::new);
            guest.writePages(first, copies, 3);

            for (int i = 0; i < 3; i++) {
                assertThat(guest.pageView(first + i).mismatch(pages[i].duplicate())).isEqualTo(-1);
            }
            assertThat(guest.pageView(first + 3).getLong(0)).isZero();
            assertThat(guest.pageView(first - 1).getLong(0)).isZero();
            long[] populated = new long[(int) ((guest.pageCount() + 63) >>> 6)];
            guest.populatedPages(populated);
            assertThat(java.util.Arrays.stream(populated).map(Long::bitCount).sum()).isEqualTo(3 + 1 + 1);
        }
    }

    @Test
    void aRunWithAnythingButPagesOrBeyondTheGuestIsRefused() {
        try (SyntheticGuest guest = SyntheticGuest.reserve(GuestSpec.parse("synthetic:size=1m,workload=idle"))) {
            ByteBuffer[] pages = {ByteBuffer.allocate(guest.pageSize()), ByteBuffer.allocate(guest.pageSize() + 1)};
            assertThatThrownBy(() -> guest.writePages(3, pages, 2))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not 4097");
            assertThatThrownBy(() -> guest.writePages(guest.pageCount() - 1, pages, 2))
                    .isInstanceOf(IndexOutOfBoundsException.class);
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
        AtomicLong writes = new AtomicLong();
        GuestAllocator counting = (descriptor, pageCount, pageSize) -> new ForwardingGuest(
                MigrationFixture.quietAllocator().allocate(descriptor, pageCount, pageSize)) {
            @Override
            public void writePage(long index, ByteBuffer data) {
                whole.incrementAndGet();
                writes.incrementAndGet();
                delegate.writePage(index, data);
            }

            @Override
            public void writePages(long first, ByteBuffer[] pages, int count) {
                whole.addAndGet(count);
                writes.incrementAndGet();
                delegate.writePages(first, pages, count);
            }
        };
        try (MigrationFixture dst = new MigrationFixture(counting, List.of());
             SyntheticGuest source = MigrationFixture.running("synthetic:size=16m,workload=idle,fill=100%")) {
            MigrationReport report = LiveMigration.start(source, dst.address(),
                    MigrationFixture.admitted(MigrationOptions.defaults()), List.of())
                    .result().toCompletableFuture().get(60, TimeUnit.SECONDS);
            IncomingMigration in = dst.next();

            assertThat(in.activated()).isTrue();
            assertThat(whole.get()).isEqualTo(report.progress().pagesSent()).isPositive();
            // consecutive pages go to the guest in runs, not a write each
            assertThat(writes.get()).isLessThan(whole.get() / 8);
            in.guest().pause();
            assertThat(Guests.firstDifference(source, in.guest())).isEqualTo(-1);
        }
    }
}
