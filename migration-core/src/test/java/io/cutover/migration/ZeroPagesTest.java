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

/**
 * Pages nothing has written are zero at both ends: the first round neither reads them (reading faults them in)
 * nor sends them, and the destination still ends with the source's memory.
 */
class ZeroPagesTest {

    private static MigrationReport migrate(Guest guest, MigrationFixture dst) throws Exception {
        LiveMigration m = LiveMigration.start(guest, dst.address(),
                MigrationFixture.admitted(MigrationOptions.defaults()), List.of());
        return m.result().toCompletableFuture().get(120, TimeUnit.SECONDS);
    }

    private static long populated(Guest guest) {
        long[] bitmap = new long[(int) ((guest.pageCount() + 63) >>> 6)];
        guest.populatedPages(bitmap);
        long count = 0;
        for (long word : bitmap) {
            count += Long.bitCount(word);
        }
        return count;
    }

    /** Forwards {@link Guest#populatedPages} too, and counts the page views. */
    private static final class CountingGuest extends ForwardingGuest {
        final AtomicLong views = new AtomicLong();

        CountingGuest(Guest delegate) {
            super(delegate);
        }

        @Override
        public ByteBuffer pageView(long index) {
            views.incrementAndGet();
            return super.pageView(index);
        }

        @Override
        public void populatedPages(long[] bitmap) {
            delegate.populatedPages(bitmap);
        }
    }

    @Test
    void neverWrittenPagesAreNeitherReadNorSent() throws Exception {
        try (MigrationFixture dst = new MigrationFixture();
             SyntheticGuest source = MigrationFixture.running("synthetic:size=32m,workload=idle,fill=10%")) {
            long written = populated(source);
            assertThat(written).isBetween(source.pageCount() / 20, source.pageCount() / 5);
            CountingGuest counting = new CountingGuest(source);

            MigrationReport report = migrate(counting, dst);
            IncomingMigration in = dst.next();

            assertThat(in.activated()).isTrue();
            assertThat(counting.views.get()).isEqualTo(written);
            assertThat(report.progress().pagesSent()).isEqualTo(written);
            assertThat(report.progress().zeroPages()).isEqualTo(source.pageCount() - written);
            assertThat(report.progress().transferredBytes()).isLessThan(written * (source.pageSize() + 64) + 65536);
            in.guest().pause();
            assertThat(Guests.firstDifference(source, in.guest())).isEqualTo(-1);
        }
    }

    @Test
    void aZeroGuestSendsNoPage() throws Exception {
        try (MigrationFixture dst = new MigrationFixture();
             SyntheticGuest source = MigrationFixture.running("synthetic:size=64m,workload=idle,fill=0%")) {
            MigrationReport report = migrate(source, dst);
            IncomingMigration in = dst.next();

            assertThat(in.activated()).isTrue();
            assertThat(report.progress().pagesSent()).isZero();
            assertThat(report.progress().zeroPages()).isEqualTo(source.pageCount());
            assertThat(report.progress().transferredBytes()).isLessThan(65536);
            assertThat(in.digest()).isEqualTo(report.verifiedDigest());
        }
    }

    @Test
    void pagesWrittenThroughAViewOrByTheWorkloadArrive() throws Exception {
        try (MigrationFixture dst = new MigrationFixture();
             SyntheticGuest source = MigrationFixture.running(
                     "synthetic:size=16m,workload=hotset,hot=10%,rate=20000,fill=0%")) {
            source.pageView(4000).putLong(8, 0x5EED);
            Thread.sleep(50);
            MigrationReport report = migrate(source, dst);
            IncomingMigration in = dst.next();

            assertThat(report.succeeded()).isTrue();
            in.guest().pause();
            assertThat(in.guest().pageView(4000).getLong(8)).isEqualTo(0x5EED);
            assertThat(Guests.firstDifference(source, in.guest())).isEqualTo(-1);
        }
    }

    @Test
    void populatedPagesAreTheFilledOnesAndThoseViewed() {
        try (SyntheticGuest guest = SyntheticGuest.create(GuestSpec.parse("synthetic:size=8m,workload=idle,fill=25%"))) {
            long[] bitmap = new long[(int) ((guest.pageCount() + 63) >>> 6)];
            guest.populatedPages(bitmap);
            long nonZero = 0;
            for (long page = 0; page < guest.pageCount(); page++) {
                ByteBuffer view = guest.pageView(page);
                boolean zero = view.mismatch(ByteBuffer.allocate(guest.pageSize())) < 0;
                boolean marked = (bitmap[(int) (page >>> 6)] & (1L << page)) != 0;
                assertThat(marked).as("page %d", page).isEqualTo(!zero);
                nonZero += zero ? 0 : 1;
            }
            assertThat(nonZero).isBetween(guest.pageCount() / 5, guest.pageCount() / 3);
            // every page was viewed since: every page may now hold data
            assertThat(populated(guest)).isEqualTo(guest.pageCount());
        }
    }

    @Test
    void theDefaultCountsEveryPageAndNoMore() {
        try (SyntheticGuest guest = SyntheticGuest.reserve(GuestSpec.parse("synthetic:size=3m,page=64k"))) {
            Guest plain = new ForwardingGuest(guest);
            long[] bitmap = new long[2];
            plain.populatedPages(bitmap);
            assertThat(bitmap[0]).isEqualTo((1L << 48) - 1);
            assertThat(bitmap[1]).isZero();
            assertThat(populated(guest)).isZero();
        }
    }
}
