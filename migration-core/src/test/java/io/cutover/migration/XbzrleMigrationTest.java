package io.cutover.migration;

import io.cutover.migration.guest.Guests;
import io.cutover.migration.guest.SyntheticGuest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Pages sent again go as XBZRLE deltas against the version the destination holds. */
class XbzrleMigrationTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void pagesSentAgainTravelAsDeltasAndTheMemoryIsIdentical(int channels) throws Exception {
        try (MigrationFixture dst = new MigrationFixture();
             SyntheticGuest source = MigrationFixture.running(
                     "synthetic:size=32m,workload=hotset,hot=4m,rate=100000,fill=100%")) {
            Thread.sleep(50);
            // a cap keeps the first round long enough for the hot set to be dirtied again
            MigrationReport report = LiveMigration.start(source, dst.address(),
                    MigrationFixture.admitted(MigrationOptions.builder()
                            .xbzrleCache(8 << 20).channels(channels).maxBandwidth(100_000_000)
                            .integrity(IntegrityCheck.FULL_MEMORY).build()), List.of())
                    .result().toCompletableFuture().get(120, TimeUnit.SECONDS);
            IncomingMigration in = dst.next();

            assertThat(report.succeeded()).isTrue();
            in.guest().pause();
            assertThat(Guests.firstDifference(source, in.guest())).isEqualTo(-1);
            assertThat(in.digest()).isEqualTo(report.verifiedDigest());
            MigrationProgress p = report.progress();
            assertThat(p.deltaPages()).isPositive();
            // a hot page differs from its last-sent version in a few 8-byte words
            assertThat(p.deltaSavedBytes()).isGreaterThan(p.deltaPages() * 3000);
            assertThat(report.toJson()).contains("\"deltaPages\":" + p.deltaPages());
        }
    }
}
