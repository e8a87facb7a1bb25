package io.cutover.migration;

import io.cutover.api.CutoverEvent;
import io.cutover.api.CutoverStage;
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

/**
 * What a migration that does not converge ends in, end to end over loopback: the completion timeout's actions (abort,
 * pause, post-copy) and the progress watchdog, each against a guest that dirties memory faster than the link sends it.
 */
class CompletionActionsTest {
    /**
     * 16 MiB swept at 400k pages/s (1.6 GB/s of writes) while at most 16 MB/s go out: never converges, and the first
     * round alone (64 MiB) takes 4 s.
     */
    private static final String DIABOLICAL = "synthetic:size=64m,workload=diabolical,region=16m,rate=400000";
    private static final long CAP = 16_000_000;

    private final List<CutoverEvent> seen = new CopyOnWriteArrayList<>();

    /** Never forced by a fallback bound: only the policy under test ends pre-copy. */
    private static MigrationOptions.Builder unbounded() {
        return MigrationOptions.builder().maxBandwidth(CAP).downtimeLimit(Duration.ofMillis(50)).maxRounds(10_000)
                .maxBytesFactor(10_000);
    }

    private LiveMigration start(SyntheticGuest guest, MigrationFixture dst, MigrationOptions options) {
        return LiveMigration.start(guest, dst.address(), MigrationFixture.admitted(options), List.of(e -> {
            seen.add(e);
            return CompletableFuture.completedFuture(null);
        }));
    }

    private static MigrationException failure(LiveMigration m) throws Exception {
        try {
            m.result().toCompletableFuture().get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return (MigrationException) e.getCause();
        }
        throw new AssertionError("the migration should have failed");
    }

    private void assertRunsAtTheSource(MigrationException e, SyntheticGuest source, MigrationFixture dst)
            throws InterruptedException {
        assertThat(e.sourceResumed()).isTrue();
        assertThat(e.state()).isEqualTo(MigrationState.ITERATIVE_PRECOPY);
        assertThat(source.isRunning()).isTrue();
        long before = source.writes();
        Thread.sleep(50);
        assertThat(source.writes()).as("the source guest runs on").isGreaterThan(before);
        assertThat(seen).extracting(CutoverEvent::stage).endsWith(CutoverStage.FAILED, CutoverStage.ROLLED_BACK)
                .doesNotContain(CutoverStage.SWITCHOVER);
        IncomingMigration in = dst.next();
        assertThat(in.activated()).isFalse();
    }

    @Test
    void abortOnTimeoutEndsTheRoundInProgressAndLeavesTheGuestRunningAtTheSource() throws Exception {
        try (MigrationFixture dst = new MigrationFixture();
             SyntheticGuest source = MigrationFixture.running(DIABOLICAL)) {
            long start = System.nanoTime();
            MigrationException e = failure(start(source, dst, unbounded()
                    .completionTimeout(Duration.ofSeconds(1), CompletionPolicy.ABORT).build()));
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(e).isInstanceOf(MigrationTimeoutException.class)
                    .hasMessageContaining("not converged within the completion timeout of 1 s");
            assertThat(((MigrationTimeoutException) e).timeout()).isEqualTo(Duration.ofSeconds(1));
            assertThat(tookMs).as("ms to abort, the first round alone taking 4 s").isLessThan(2_500);
            assertRunsAtTheSource(e, source, dst);
        }
    }

    @Test
    void theProgressWatchdogAbortsAMigrationWhoseRemainderStopsShrinking() throws Exception {
        try (MigrationFixture dst = new MigrationFixture();
             SyntheticGuest source = MigrationFixture.running(DIABOLICAL)) {
            long start = System.nanoTime();
            MigrationException e = failure(start(source, dst, unbounded().maxBandwidth(64_000_000)
                    .progressTimeout(Duration.ofSeconds(1)).build()));
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(e).isInstanceOf(MigrationStalledException.class)
                    .hasMessageContaining("the memory left to send reached no new low for 1 s");
            assertThat(((MigrationStalledException) e).stalledFor()).isEqualTo(Duration.ofSeconds(1));
            // the first round (1 s at 64 MB/s) leaves the region dirty; no round after it leaves less
            assertThat(tookMs).isLessThan(5_000);
            assertRunsAtTheSource(e, source, dst);
        }
    }

    @Test
    void postCopyOnTimeoutFinishesADiabolicalGuestWithItsMemoryIdentical() throws Exception {
        try (MigrationFixture dst = new MigrationFixture();
             SyntheticGuest source = MigrationFixture.running(DIABOLICAL)) {
            MigrationOptions options = unbounded().maxBandwidth(64_000_000)
                    .completionTimeout(Duration.ofMillis(1500), CompletionPolicy.POSTCOPY).build();
            assertThat(options.postCopy()).as("post-copy as the timeout's action, not as --post-copy").isFalse();
            MigrationReport report = start(source, dst, options).result().toCompletableFuture()
                    .get(20, TimeUnit.SECONDS);
            assertThat(report.reason()).isEqualTo(SwitchoverReason.COMPLETION_TIMEOUT);
            assertThat(report.postCopy()).isTrue();
            IncomingMigration in = dst.next();
            assertThat(in.activated()).isTrue();
            assertThat(in.digest()).isEqualTo(report.verifiedDigest()).isNotZero();
            in.guest().pause();
            assertThat(Guests.firstDifference(source, in.guest())).isEqualTo(-1);
            assertThat(seen).extracting(CutoverEvent::stage).endsWith(CutoverStage.SWITCHOVER, CutoverStage.COMMITTED,
                    CutoverStage.ACTIVATED, CutoverStage.COMPLETED);
            // the blackout does not wait for the 16 MiB the guest keeps dirtying (a quarter of a second at 64 MB/s)
            assertThat(report.progress().downtime()).isLessThan(Duration.ofMillis(200));
        }
    }

    @Test
    void postCopyOnTimeoutNeedsOneConnection() {
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException().isThrownBy(() -> MigrationOptions
                        .builder().channels(2).completionPolicy(CompletionPolicy.POSTCOPY).build())
                .withMessageContaining("channels must be 1");
    }
}
