package io.cutover.migration;

import io.cutover.migration.guest.Guests;
import io.cutover.migration.guest.SyntheticGuest;
import io.cutover.migration.transport.FrameType;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The connection dies around the commit: before the commit ack the source resumes, after it the destination
 * runs — and when the source cannot learn which, it stays paused rather than risk a second copy.
 */
class CommitWindowTest {
    private static final String GUEST = "synthetic:size=8m,workload=hotset,rate=5000";

    private static MigrationOptions options() {
        return MigrationOptions.builder().ioTimeout(Duration.ofSeconds(2)).build();
    }

    @Test
    void verifiedLostOnTheWayTheDestinationRunsTheGuestAndTheSourceLearnsIt() throws Exception {
        try (MigrationFixture dst = new MigrationFixture();
             CuttingProxy proxy = new CuttingProxy(dst.address(), FrameType.VERIFIED, true);
             SyntheticGuest source = MigrationFixture.running(GUEST)) {
            MigrationReport report = LiveMigration.start(source, proxy.address(),
                    MigrationFixture.admitted(options()), List.of())
                    .result().toCompletableFuture().get(60, TimeUnit.SECONDS);
            IncomingMigration in = dst.next();

            assertThat(proxy.cut()).isTrue();
            assertThat(report.succeeded()).isTrue();
            assertThat(report.toJson()).contains("\"stage\":\"ACTIVATED\"", "\"outcome\":\"COMPLETED\"");
            assertThat(source.isRunning()).as("the source stays paused").isFalse();
            assertThat(in.activated()).as("the destination activated on its own").isTrue();
            assertThat(in.guest().isRunning()).isTrue();
            in.guest().pause();
            assertThat(Guests.firstDifference(source, in.guest())).isEqualTo(-1);
        }
    }

    @Test
    void commitRequestLostOnTheWayTheSourceResumesAndTheDestinationDiscards() throws Exception {
        try (MigrationFixture dst = new MigrationFixture();
             CuttingProxy proxy = new CuttingProxy(dst.address(), FrameType.COMMIT_REQUEST, false);
             SyntheticGuest source = MigrationFixture.running(GUEST)) {
            Throwable t = catchThrowable(() -> LiveMigration.start(source, proxy.address(),
                    MigrationFixture.admitted(options()), List.of())
                    .result().toCompletableFuture().get(60, TimeUnit.SECONDS));
            assertThat(t).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(MigrationException.class);
            MigrationException e = (MigrationException) t.getCause();

            assertThat(proxy.cut()).isTrue();
            assertThat(e.sourceResumed()).isTrue();
            assertThat(e.state()).isEqualTo(MigrationState.COMMITMENT);
            assertThat(source.isRunning()).isTrue();
            assertThat(dst.next().activated()).isFalse();
        }
    }

    @Test
    void withNoWayToAskTheOutcomeIsInDoubtAndTheGuestRunsOnlyAtTheDestination() throws Exception {
        try (MigrationFixture dst = new MigrationFixture();
             CuttingProxy proxy = new CuttingProxy(dst.address(), FrameType.VERIFIED, true).refuseAfterCut();
             SyntheticGuest source = MigrationFixture.running(GUEST)) {
            Throwable t = catchThrowable(() -> LiveMigration.start(source, proxy.address(),
                    MigrationFixture.admitted(options()), List.of())
                    .result().toCompletableFuture().get(60, TimeUnit.SECONDS));
            MigrationException e = (MigrationException) t.getCause();
            IncomingMigration in = dst.next();

            assertThat(e.sourceResumed()).isFalse();
            assertThat(e).hasMessageContaining("in doubt");
            assertThat(e.report().orElseThrow().toJson()).contains("\"outcome\":\"FAILED_AFTER_COMMIT\"");
            assertThat(source.isRunning()).isFalse();
            assertThat(in.activated()).as("committed, the destination activated when the source went").isTrue();
        }
    }
}
