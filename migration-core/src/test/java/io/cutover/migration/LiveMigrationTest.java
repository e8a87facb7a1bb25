package io.cutover.migration;

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
        LiveMigration m = LiveMigration.start(guest, dst.address(), options, listeners);
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
            assertThat(report.reason().converged()).isTrue();
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
}
