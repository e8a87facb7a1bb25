package io.cutover.migration;

import io.cutover.api.CutoverStage;
import io.cutover.api.CutoverEvent;
import io.cutover.api.CutoverListener;

import io.cutover.migration.guest.Guests;
import io.cutover.migration.guest.SyntheticGuest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class LiveMigrationTest {

    private static MigrationReport migrate(SyntheticGuest guest, MigrationFixture dst, MigrationOptions options,
                                           List<CutoverListener> listeners) throws Exception {
        LiveMigration m = LiveMigration.start(guest, dst.address(), MigrationFixture.admitted(options), listeners);
        return m.result().toCompletableFuture().get(120, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "synthetic:size=32m,workload=idle",
            "synthetic:size=32m,workload=uniform,rate=20000",
            "synthetic:size=32m,workload=hotset,hot=5%,rate=50000",
            "synthetic:size=16m,workload=idle,fill=0%",
            "synthetic:size=16m,page=64k,workload=hotset,hot=10%,rate=2000,fill=100%"})
    void migratesEveryWorkloadByteForByte(String descriptor) throws Exception {
        try (MigrationFixture dst = new MigrationFixture();
             SyntheticGuest source = MigrationFixture.running(descriptor)) {
            Thread.sleep(50);
            List<CutoverEvent> seen = new CopyOnWriteArrayList<>();
            MigrationReport report = migrate(source, dst,
                    MigrationOptions.builder().integrity(IntegrityCheck.FULL_MEMORY).build(),
                    List.of(e -> {
                        seen.add(e);
                        return java.util.concurrent.CompletableFuture.completedFuture(null);
                    }));
            IncomingMigration in = dst.next();

            assertThat(report.succeeded()).isTrue();
            assertThat(in.activated()).isTrue();
            assertThat(source.isRunning()).isFalse();
            assertThat(in.guest().isRunning()).isTrue();
            in.guest().pause();
            assertThat(Guests.firstDifference(source, in.guest())).isEqualTo(-1);
            assertThat(((SyntheticGuest) in.guest()).writes()).isEqualTo(source.writes());
            assertThat(in.digest()).isEqualTo(report.verifiedDigest()).isNotZero();
            // on a loaded machine a busy workload may need a fallback bound; the memory is identical either way
            assertThat(report.reason()).isNotNull();
            assertThat(report.progress().downtime()).isPositive();
            assertThat(seen).extracting(CutoverEvent::stage).startsWith(CutoverStage.PLANNED, CutoverStage.RESERVED,
                    CutoverStage.PRECOPY).endsWith(CutoverStage.SWITCHOVER, CutoverStage.COMMITTED,
                    CutoverStage.ACTIVATED, CutoverStage.COMPLETED);
            assertThat(seen).extracting(CutoverEvent::nanoTime).isSorted();
            assertThat(report.toJson()).contains("\"outcome\":\"COMPLETED\"");
        }
    }

    @Test
    void destinationGuestRunsTheWorkloadAfterActivation() throws Exception {
        try (MigrationFixture dst = new MigrationFixture(Guests.syntheticAllocator(), List.of());
             SyntheticGuest source = MigrationFixture.running("synthetic:size=16m,workload=hotset,rate=20000")) {
            migrate(source, dst, MigrationOptions.defaults(), List.of());
            SyntheticGuest moved = (SyntheticGuest) dst.next().guest();
            long before = moved.writes();
            Thread.sleep(100);
            assertThat(moved.writes()).isGreaterThan(before);
            assertThat(source.writes()).isLessThanOrEqualTo(before);
        }
    }

    /** 16 MiB swept at 400k pages/s while at most 64 MB/s go out: the region is dirty again before it is sent. */
    private static final String DIABOLICAL = "synthetic:size=32m,workload=diabolical,region=16m,rate=400000";

    private static MigrationOptions.Builder capped() {
        return MigrationOptions.builder().maxBandwidth(64_000_000).downtimeLimit(Duration.ofMillis(50)).maxRounds(12);
    }

    @Test
    void diabolicalWorkloadDoesNotConvergeWithoutHelp() throws Exception {
        try (MigrationFixture dst = new MigrationFixture();
             SyntheticGuest source = MigrationFixture.running(DIABOLICAL)) {
            MigrationReport report = migrate(source, dst, capped().build(), List.of());
            assertThat(report.reason()).isIn(SwitchoverReason.MAX_ROUNDS, SwitchoverReason.MAX_BYTES);
            assertThat(report.reason().converged()).isFalse();
            assertThat(report.toJson()).contains("\"converged\":false");
            IncomingMigration in = dst.next();
            in.guest().pause();
            assertThat(Guests.firstDifference(source, in.guest())).isEqualTo(-1);
        }
    }

    @Test
    void diabolicalWorkloadConvergesWithAutoConverge() throws Exception {
        try (MigrationFixture dst = new MigrationFixture();
             SyntheticGuest source = MigrationFixture.running(DIABOLICAL)) {
            MigrationReport report = migrate(source, dst, capped().autoConverge(true).maxRounds(30).maxBytesFactor(30).build(), List.of());
            assertThat(report.reason()).isEqualTo(SwitchoverReason.CONVERGED_BY_AUTO_CONVERGE);
            assertThat(report.progress().throttlePercent()).isGreaterThanOrEqualTo(MigrationOptions.THROTTLE_INITIAL);
            assertThat(report.toJson()).contains("\"switchoverReason\":\"CONVERGED_BY_AUTO_CONVERGE\"");
            IncomingMigration in = dst.next();
            in.guest().pause();
            assertThat(Guests.firstDifference(source, in.guest())).isEqualTo(-1);
        }
    }

    @Test
    void lz4CompressionSavesBytesAndKeepsMemoryIdentical() throws Exception {
        try (MigrationFixture dst = new MigrationFixture();
             SyntheticGuest source = MigrationFixture.running("synthetic:size=16m,workload=hotset,rate=20000")) {
            // the hot set's pages are mostly zero with a few written longs: they compress well
            Thread.sleep(100);
            MigrationReport report = migrate(source, dst, MigrationOptions.builder().compression(Compression.LZ4)
                    .integrity(IntegrityCheck.FULL_MEMORY).build(), List.of());
            assertThat(report.progress().compressionSavedBytes()).isPositive();
            IncomingMigration in = dst.next();
            in.guest().pause();
            assertThat(Guests.firstDifference(source, in.guest())).isEqualTo(-1);
        }
    }

    @Test
    void completionTimeoutWithPausePolicyFinishesAsStopAndCopy() throws Exception {
        try (MigrationFixture dst = new MigrationFixture();
             SyntheticGuest source = MigrationFixture.running(DIABOLICAL)) {
            MigrationReport report = migrate(source, dst, capped().maxRounds(1000)
                    .completionTimeout(Duration.ofMillis(800), CompletionPolicy.PAUSE).build(), List.of());
            assertThat(report.reason()).isEqualTo(SwitchoverReason.COMPLETION_TIMEOUT);
            IncomingMigration in = dst.next();
            in.guest().pause();
            assertThat(Guests.firstDifference(source, in.guest())).isEqualTo(-1);
        }
    }
}
