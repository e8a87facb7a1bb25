package io.cutover.migration;

import io.cutover.api.CutoverEvent;
import io.cutover.api.CutoverListener;
import io.cutover.api.CutoverStage;
import io.cutover.api.GuestState;
import io.cutover.api.HypervisorMigration;
import io.cutover.api.MigrationFigures;
import io.cutover.api.MigrationRequest;
import io.cutover.api.SwitchoverGate;
import io.cutover.migration.guest.SyntheticGuest;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The built-in migrator through the Hypervisor SPI, between a real source and a real target on 127.0.0.1. */
class BuiltInHypervisorTest {
    private final List<CutoverEvent> seen = new CopyOnWriteArrayList<>();
    private final List<CutoverEvent> gated = new CopyOnWriteArrayList<>();
    private final List<Boolean> runningAtTheGate = new CopyOnWriteArrayList<>();
    private final CutoverListener listener = event -> {
        seen.add(event);
        return CompletableFuture.completedFuture(null);
    };

    private SwitchoverGate gate(Guest guest, CompletableFuture<Void> outcome) {
        return event -> {
            gated.add(event);
            runningAtTheGate.add(guest.isRunning());
            return outcome;
        };
    }

    private static MigrationRequest request(String vm, String destination, Optional<Long> maxBandwidth) {
        return new MigrationRequest("c-1", vm, destination, Optional.of(Duration.ofMillis(300)), maxBandwidth, 1,
                false, false);
    }

    private static String hostPort(InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    @Test
    void reportsEveryStageInOrderUnderTheCutoversIdAndEndsWithTheFigures() throws Exception {
        try (MigrationFixture dst = new MigrationFixture();
             SyntheticGuest guest = MigrationFixture.running("synthetic:size=16m,workload=hotset,rate=20000");
             BuiltInHypervisor hypervisor = new BuiltInHypervisor(
                     MigrationFixture.admitted(MigrationOptions.defaults()))) {
            hypervisor.host("vm1", guest);
            assertThat(hypervisor.name()).isEqualTo("built-in");
            assertThat(hypervisor.holdsSwitchover()).isFalse();
            assertThat(hypervisor.state("vm1")).contains(GuestState.RUNNING);
            assertThat(hypervisor.state("vm2")).isEmpty();

            HypervisorMigration migration = hypervisor.migrate(request("vm1", hostPort(dst.address()), Optional.empty()),
                    listener, gate(guest, CompletableFuture.completedFuture(null)));
            MigrationFigures figures = migration.result().toCompletableFuture().get(60, TimeUnit.SECONDS);
            dst.next().guest().close();

            assertThat(migration.id()).isEqualTo("c-1");
            assertThat(seen).extracting(CutoverEvent::stage)
                    .startsWith(CutoverStage.PLANNED, CutoverStage.RESERVED, CutoverStage.PRECOPY)
                    .endsWith(CutoverStage.SWITCHOVER, CutoverStage.COMMITTED, CutoverStage.ACTIVATED,
                            CutoverStage.COMPLETED);
            assertThat(seen).extracting(CutoverEvent::nanoTime).isSorted();
            assertThat(seen).extracting(CutoverEvent::migrationId).containsOnly("c-1");
            assertThat(gated).extracting(CutoverEvent::stage).containsExactly(CutoverStage.SWITCHOVER);
            assertThat(gated.get(0)).isEqualTo(seen.get(seen.size() - 4));
            assertThat(runningAtTheGate).as("the gate runs with the guest paused").containsExactly(false);

            assertThat(figures.status()).isEqualTo("completed");
            assertThat(figures.rounds()).isPositive()
                    .isEqualTo(seen.stream().filter(e -> e.stage() == CutoverStage.PRECOPY).count());
            assertThat(figures.totalBytes()).isEqualTo(guest.sizeBytes());
            assertThat(figures.transferredBytes()).isPositive();
            assertThat(figures.remainingBytes()).isZero();
            assertThat(figures.downtime()).hasValueSatisfying(d -> assertThat(d).isPositive());
            assertThat(migration.progress()).isEqualTo(figures);
            assertThat(hypervisor.state("vm1")).as("migrated away").contains(GuestState.STOPPED);
        }
    }

    @Test
    void aGateThatFailsIsNotWaitedForAndDoesNotStopTheMigration() throws Exception {
        try (MigrationFixture dst = new MigrationFixture();
             SyntheticGuest guest = MigrationFixture.running("synthetic:size=4m,workload=idle");
             BuiltInHypervisor hypervisor = new BuiltInHypervisor(
                     MigrationFixture.admitted(MigrationOptions.defaults()))) {
            hypervisor.host("vm1", guest);
            CompletableFuture<Void> never = new CompletableFuture<>();
            HypervisorMigration migration = hypervisor.migrate(request("vm1", hostPort(dst.address()), Optional.empty()),
                    listener, gate(guest, never));
            assertThat(migration.result().toCompletableFuture().get(60, TimeUnit.SECONDS).status()).isEqualTo("completed");
            dst.next().guest().close();
            never.completeExceptionally(new IllegalStateException("the switch did not answer"));
            assertThat(gated).hasSize(1);
            assertThat(seen).extracting(CutoverEvent::stage).endsWith(CutoverStage.COMPLETED);
        }
    }

    @Test
    void aFailureIsReportedAsFailedAndTheGuestRunsOnAtTheSource() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        try (SyntheticGuest guest = MigrationFixture.running("synthetic:size=4m,workload=hotset");
             BuiltInHypervisor hypervisor = new BuiltInHypervisor(
                     MigrationFixture.admitted(MigrationOptions.defaults()))) {
            hypervisor.host("vm1", guest);
            HypervisorMigration migration = hypervisor.migrate(request("vm1", "127.0.0.1:" + closedPort, Optional.empty()),
                    listener, gate(guest, CompletableFuture.completedFuture(null)));

            assertThatThrownBy(() -> migration.result().toCompletableFuture().get(60, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(MigrationException.class)
                    .hasMessageContaining("cannot connect");
            assertThat(seen).extracting(CutoverEvent::stage).endsWith(CutoverStage.FAILED, CutoverStage.ROLLED_BACK)
                    .doesNotContain(CutoverStage.SWITCHOVER);
            assertThat(gated).isEmpty();
            assertThat(migration.progress().status()).isEqualTo("rolled-back");
            assertThat(guest.isRunning()).isTrue();
            assertThat(hypervisor.state("vm1")).contains(GuestState.RUNNING);
        }
    }

    @Test
    void aMigratingGuestCannotBeMigratedAgainAndACancelledOneRunsOnAtTheSource() throws Exception {
        try (MigrationFixture dst = new MigrationFixture();
             SyntheticGuest guest = MigrationFixture.running("synthetic:size=32m,fill=100%,workload=hotset");
             BuiltInHypervisor hypervisor = new BuiltInHypervisor(
                     MigrationFixture.admitted(MigrationOptions.defaults()))) {
            hypervisor.host("vm1", guest);
            MigrationRequest slow = request("vm1", hostPort(dst.address()), Optional.of(20_000_000L));
            HypervisorMigration migration = hypervisor.migrate(slow, listener, gate(guest, CompletableFuture.completedFuture(null)));
            assertThatThrownBy(() -> hypervisor.migrate(slow, listener, gate(guest, CompletableFuture.completedFuture(null))))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("migrating already");
            migration.cancel();

            assertThatThrownBy(() -> migration.result().toCompletableFuture().get(60, TimeUnit.SECONDS))
                    .cause().isInstanceOf(MigrationException.class).hasMessageContaining("cancelled");
            // a cancel that lands while the source still connects ends it before the destination hears of it
            IncomingMigration there = dst.ended.poll(2, TimeUnit.SECONDS);
            assertThat(there == null || !there.activated()).as("activated at the destination: %s", there).isTrue();
            assertThat(seen).extracting(CutoverEvent::stage).endsWith(CutoverStage.FAILED, CutoverStage.ROLLED_BACK);
            assertThat(hypervisor.state("vm1")).contains(GuestState.RUNNING);
        }
    }

    @Test
    void refusesAGuestItDoesNotHostAndADestinationThatIsNotHostPort() {
        try (SyntheticGuest guest = MigrationFixture.running("synthetic:size=4m,workload=idle");
             BuiltInHypervisor hypervisor = new BuiltInHypervisor(
                     MigrationFixture.admitted(MigrationOptions.defaults()))) {
            hypervisor.host("vm1", guest);
            CutoverListener none = CutoverListener.none();
            SwitchoverGate open = event -> CompletableFuture.completedFuture(null);
            assertThatThrownBy(() -> hypervisor.migrate(request("vm2", "127.0.0.1:7070", Optional.empty()), none, open))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vm2");
            assertThatThrownBy(() -> hypervisor.migrate(request("vm1", "tcp:127.0.0.1", Optional.empty()), none, open))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("HOST:PORT");
            assertThatThrownBy(() -> hypervisor.host("vm1", guest)).isInstanceOf(IllegalStateException.class);
            assertThat(hypervisor.state("vm1")).contains(GuestState.RUNNING);
        }
    }

    @Test
    void theRequestOverridesTheOptionsWhereItSaysSomething() {
        MigrationOptions base = MigrationOptions.builder().downtimeLimit(Duration.ofMillis(500)).maxBandwidth(1_000_000)
                .channels(2).autoConverge(true).integrity(IntegrityCheck.FULL_MEMORY).build();
        MigrationOptions unsaid = BuiltInHypervisor.options(base, new MigrationRequest("c", "vm", "h:1",
                Optional.empty(), Optional.empty(), 1, false, true));
        assertThat(unsaid.downtimeLimit()).isEqualTo(Duration.ofMillis(500));
        assertThat(unsaid.maxBandwidth()).isEqualTo(1_000_000);
        assertThat(unsaid.channels()).isEqualTo(1);
        assertThat(unsaid.autoConverge()).isFalse();
        assertThat(unsaid.postCopy()).isTrue();
        assertThat(unsaid.integrity()).as("not in the request: the hypervisor's").isEqualTo(IntegrityCheck.FULL_MEMORY);

        MigrationOptions said = BuiltInHypervisor.options(base, new MigrationRequest("c", "vm", "h:1",
                Optional.of(Duration.ofMillis(100)), Optional.of(2_000_000L), 4, true, true));
        assertThat(said.downtimeLimit()).isEqualTo(Duration.ofMillis(100));
        assertThat(said.maxBandwidth()).isEqualTo(2_000_000);
        assertThat(said.channels()).isEqualTo(4);
        assertThat(said.autoConverge()).isTrue();
        assertThat(said.postCopy()).as("post-copy runs over one connection").isFalse();
    }
}
