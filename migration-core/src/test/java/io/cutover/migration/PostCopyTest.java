package io.cutover.migration;

import io.cutover.api.CutoverStage;
import io.cutover.api.CutoverEvent;
import io.cutover.api.CutoverListener;

import io.cutover.migration.guest.Guests;
import io.cutover.migration.guest.SyntheticGuest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class PostCopyTest {
    /** Does not converge by pre-copy: 16 MiB swept at 400k pages/s, 64 MB/s out, 50 ms limit. */
    private static final String DIABOLICAL = "synthetic:size=32m,workload=diabolical,region=16m,rate=400000";

    private static MigrationOptions postCopy() {
        return MigrationOptions.builder().maxBandwidth(64_000_000).downtimeLimit(Duration.ofMillis(50)).maxRounds(4)
                .postCopy(true).build();
    }

    @Test
    void diabolicalWorkloadCompletesInPostCopyWithMemoryIdentical() throws Exception {
        List<CutoverEvent> seen = new CopyOnWriteArrayList<>();
        try (MigrationFixture dst = new MigrationFixture();
             SyntheticGuest source = MigrationFixture.running(DIABOLICAL)) {
            MigrationReport report = LiveMigration.start(source, dst.address(),
                    MigrationFixture.admitted(postCopy()), List.of(e -> {
                seen.add(e);
                return CompletableFuture.completedFuture(null);
            })).result().toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertThat(report.postCopy()).isTrue();
            assertThat(report.reason().converged()).isFalse();
            assertThat(report.toJson()).contains("\"mode\":\"post-copy\"");
            IncomingMigration in = dst.next();
            assertThat(in.activated()).isTrue();
            assertThat(in.digest()).isEqualTo(report.verifiedDigest()).isNotZero();
            in.guest().pause();
            assertThat(Guests.firstDifference(source, in.guest())).isEqualTo(-1);
            // the blackout ended before all pages had arrived: ACTIVATED comes before COMPLETED by the push
            assertThat(seen).extracting(CutoverEvent::stage).endsWith(CutoverStage.SWITCHOVER, CutoverStage.COMMITTED,
                    CutoverStage.ACTIVATED, CutoverStage.COMPLETED);
            assertThat(report.progress().downtime()).isLessThan(Duration.ofSeconds(1));
        }
    }

    @Test
    void theRunningDestinationFetchesMissingPagesOnDemand() throws Exception {
        try (MigrationFixture dst = new MigrationFixture(Guests.syntheticAllocator(), List.of());
             SyntheticGuest source = MigrationFixture.running(DIABOLICAL)) {
            MigrationReport report = LiveMigration.start(source, dst.address(),
                    MigrationFixture.admitted(postCopy()), List.of())
                    .result().toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertThat(report.postCopy()).isTrue();
            SyntheticGuest moved = (SyntheticGuest) dst.next().guest();
            assertThat(moved.faults()).as("pages the running guest waited for").isPositive();
            assertThat(report.postCopyFaults()).isPositive();
            long before = moved.writes();
            Thread.sleep(50);
            assertThat(moved.writes()).isGreaterThan(before);
        }
    }

    @Test
    void losingTheConnectionDuringPostCopyLosesTheGuestAndSaysSo() throws Exception {
        try (MigrationFixture dst = new MigrationFixture(Guests.syntheticAllocator(), List.of());
             SyntheticGuest source = MigrationFixture.running(DIABOLICAL)) {
            MigrationOptions slow = postCopy().toBuilder().maxBandwidth(8_000_000).maxRounds(1).build();
            CutoverListener cutAfterActivation = e -> {
                if (e.stage() == CutoverStage.ACTIVATED) {
                    CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS).execute(dst.target::close);
                }
                return CompletableFuture.completedFuture(null);
            };
            LiveMigration m = LiveMigration.start(source, dst.address(),
                    MigrationFixture.admitted(slow), List.of(cutAfterActivation));
            try {
                m.result().toCompletableFuture().get(60, TimeUnit.SECONDS);
                throw new AssertionError("should have failed");
            } catch (ExecutionException e) {
                MigrationException failure = (MigrationException) e.getCause();
                assertThat(failure.sourceResumed()).isFalse();
                assertThat(failure.state()).isEqualTo(MigrationState.POST_COPY);
                assertThat(failure).hasMessageContaining("known risk of post-copy");
                assertThat(failure.report().orElseThrow().postCopy()).isTrue();
            }
            assertThat(source.isRunning()).as("never on both sides").isFalse();
            IncomingMigration in = dst.next();
            assertThat(in.activated()).isFalse();
            assertThat(in.failure()).contains("post-copy").contains("lost");
        }
    }
}
