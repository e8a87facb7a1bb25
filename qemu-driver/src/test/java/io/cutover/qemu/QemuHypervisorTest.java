package io.cutover.qemu;

import io.cutover.api.CutoverEvent;
import io.cutover.api.CutoverStage;
import io.cutover.api.GuestState;
import io.cutover.api.HypervisorMigration;
import io.cutover.api.MigrationFigures;
import io.cutover.api.MigrationRequest;
import io.cutover.api.SwitchoverGate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The QMP client and the QEMU driver against real QEMU processes migrating between each other over a Unix socket. */
class QemuHypervisorTest {
    @TempDir
    Path dir;
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final List<CutoverEvent> stages = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void qemuIsThere() {
        assumeTrue(BareQemu.installed(), BareQemu.BINARY + " is not installed (scripts/install-packages.sh)");
    }

    @AfterEach
    void stopAll() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    @Test
    void aCommandIsAnsweredAndARefusedOneCarriesQemusClassAndDescription() throws Exception {
        BareQemu qemu = started("src", false);
        try (QmpClient qmp = QmpClient.connect(dir.resolve("src.qmp"), Duration.ofSeconds(5))) {
            assertThat(qmp.execute("query-status").path("status").asText()).isEqualTo("running");
            assertThatThrownBy(() -> qmp.execute("no-such-command"))
                    .isInstanceOfSatisfying(QmpCommandException.class, e -> {
                        assertThat(e.errorClass()).isEqualTo("CommandNotFound");
                        assertThat(e.description()).contains("no-such-command");
                    });
            assertThat(qmp.garbage()).isZero();
        }
        assertThat(qemu.isAlive()).isTrue();
    }

    @Test
    void aSocketNobodyServesIsATypedErrorAndSoIsAQemuThatExits() throws Exception {
        assertThatThrownBy(() -> QmpClient.connect(dir.resolve("none.qmp"), Duration.ofSeconds(1)))
                .isInstanceOf(QmpConnectionException.class).hasMessageContaining("none.qmp");
        BareQemu qemu = started("src", false);
        QmpClient qmp = QmpClient.connect(dir.resolve("src.qmp"), Duration.ofSeconds(5));
        closing.add(qmp);
        qemu.kill();
        assertThatThrownBy(() -> qmp.execute("query-status")).isInstanceOf(QmpConnectionException.class);
    }

    @Test
    void theGuestMovesWithTheGateRunWhileItIsPausedAndResumesAtTheDestination() throws Exception {
        BareQemu source = started("src", false);
        BareQemu destination = started("dst", true);
        QemuHypervisor here = hypervisor("src", QemuOptions.defaults());
        QemuHypervisor there = hypervisor("dst", QemuOptions.defaults());
        MigrationRequest request = new MigrationRequest("m-1", "src", "unix:" + dir.resolve("migrate.sock"),
                Optional.of(Duration.ofMillis(250)), Optional.of(3L << 30), 1, true, false, Optional.of(16L << 20));
        IncomingMigration incoming = there.prepareIncoming(renamed(request, "dst"), "unix:" + dir.resolve("migrate.sock"));
        closing.add(incoming);
        assertThat(there.state("dst")).contains(GuestState.INCOMING);

        List<String> statusInGate = new CopyOnWriteArrayList<>();
        List<com.fasterxml.jackson.databind.JsonNode> settingsInGate = new CopyOnWriteArrayList<>();
        try (QmpClient probe = source.probe()) {
            SwitchoverGate gate = event -> CompletableFuture.runAsync(() -> {
                statusInGate.add(probe.execute("query-status").path("status").asText());
                settingsInGate.add(probe.execute("query-migrate-parameters"));
                settingsInGate.add(probe.execute("query-migrate-capabilities"));
            });
            HypervisorMigration migration = here.migrate(request, event -> {
                stages.add(event);
                return CompletableFuture.completedFuture(null);
            }, gate);
            MigrationFigures figures = migration.result().toCompletableFuture().get(60, TimeUnit.SECONDS);
            long resumedAt = incoming.activated().get(10, TimeUnit.SECONDS);

            assertThat(statusInGate).as("the source's run state in the gate").containsExactly("finish-migrate");
            com.fasterxml.jackson.databind.JsonNode parameters = settingsInGate.get(0);
            assertThat(parameters.path("downtime-limit").asLong()).isEqualTo(250);
            assertThat(parameters.path("max-bandwidth").asLong()).isEqualTo(3L << 30);
            assertThat(parameters.path("xbzrle-cache-size").asLong()).isEqualTo(16L << 20);
            List<String> on = new java.util.ArrayList<>();
            settingsInGate.get(1).forEach(c -> {
                if (c.path("state").asBoolean()) {
                    on.add(c.path("capability").asText());
                }
            });
            assertThat(on).contains("xbzrle", "auto-converge", "pause-before-switchover").doesNotContain("postcopy-ram");
            assertThat(stages).extracting(CutoverEvent::stage).startsWith(CutoverStage.PLANNED)
                    .contains(CutoverStage.PRECOPY).endsWith(CutoverStage.SWITCHOVER, CutoverStage.COMMITTED,
                            CutoverStage.COMPLETED);
            assertThat(figures.status()).isEqualTo("completed");
            assertThat(figures.downtime()).isPresent();
            assertThat(figures.totalBytes()).isGreaterThanOrEqualTo(64L << 20);
            assertThat(here.state("src")).contains(GuestState.STOPPED);
            assertThat(there.state("dst")).contains(GuestState.RUNNING);
            long switchoverAt = stages.stream().filter(e -> e.stage() == CutoverStage.SWITCHOVER).findFirst()
                    .orElseThrow().nanoTime();
            System.out.printf("QEMU migration: pre-switchover -> destination RESUME %.1f ms, QEMU's downtime %d ms%n",
                    (resumedAt - switchoverAt) / 1e6, figures.downtime().orElseThrow().toMillis());
        }
    }

    @Test
    void aGateThatFailsCancelsTheMigrationAndTheGuestRunsOnAtTheSource() throws Exception {
        started("src", false);
        started("dst", true);
        QemuHypervisor here = hypervisor("src", QemuOptions.defaults());
        QemuHypervisor there = hypervisor("dst", QemuOptions.defaults());
        MigrationRequest request = request("src");
        closing.add(there.prepareIncoming(renamed(request, "dst"), "unix:" + dir.resolve("migrate.sock")));

        HypervisorMigration migration = here.migrate(request, this::record,
                event -> CompletableFuture.failedFuture(new IllegalStateException("the switch refused the redirect")));

        assertThatThrownBy(() -> migration.result().toCompletableFuture().get(60, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause()
                .isInstanceOfSatisfying(QemuMigrationException.class, e -> {
                    assertThat(e.getMessage()).contains("the switch refused the redirect");
                    assertThat(e.sourceStatus()).isEqualTo("running");
                });
        assertThat(stages).extracting(CutoverEvent::stage).endsWith(CutoverStage.SWITCHOVER, CutoverStage.FAILED);
        assertThat(here.state("src")).contains(GuestState.RUNNING);
    }

    @Test
    void aGateThatOverrunsItsBudgetCancelsTheMigration() throws Exception {
        started("src", false);
        started("dst", true);
        QemuOptions tight = new QemuOptions(Duration.ofSeconds(5), Duration.ofMillis(300), QemuOptions.DEFAULT_MAX_BANDWIDTH);
        QemuHypervisor here = hypervisor("src", tight);
        QemuHypervisor there = hypervisor("dst", tight);
        MigrationRequest request = request("src");
        closing.add(there.prepareIncoming(renamed(request, "dst"), "unix:" + dir.resolve("migrate.sock")));

        HypervisorMigration migration = here.migrate(request, this::record, event -> new CompletableFuture<>());

        assertThatThrownBy(() -> migration.result().toCompletableFuture().get(60, TimeUnit.SECONDS))
                .cause().isInstanceOf(QemuMigrationException.class).hasMessageContaining("longer than 300 ms");
        assertThat(here.state("src")).contains(GuestState.RUNNING);
    }

    @Test
    void aDestinationThatDiesMidMigrationFailsItAndTheSourceRunsOn() throws Exception {
        started("src", false);
        BareQemu destination = started("dst", true);
        QemuHypervisor here = hypervisor("src", QemuOptions.defaults());
        QemuHypervisor there = hypervisor("dst", QemuOptions.defaults());
        // slow enough to be killed mid-way: 64 MiB of mostly zero pages at 64 KiB/s takes seconds
        MigrationRequest request = new MigrationRequest("m-1", "src", "unix:" + dir.resolve("migrate.sock"),
                Optional.empty(), Optional.of(64L << 10), 1, false, false);
        closing.add(there.prepareIncoming(renamed(request, "dst"), "unix:" + dir.resolve("migrate.sock")));
        HypervisorMigration migration = here.migrate(request, this::record, event -> CompletableFuture.completedFuture(null));
        Thread.sleep(500);
        assertThat(migration.progress().status()).isEqualTo("active");

        destination.kill();

        assertThatThrownBy(() -> migration.result().toCompletableFuture().get(60, TimeUnit.SECONDS))
                .cause().isInstanceOfSatisfying(QemuMigrationException.class,
                        e -> assertThat(e.sourceStatus()).isEqualTo("running"));
        assertThat(stages).extracting(CutoverEvent::stage).doesNotContain(CutoverStage.SWITCHOVER)
                .endsWith(CutoverStage.FAILED);
        assertThat(here.state("src")).contains(GuestState.RUNNING);
    }

    @Test
    void postCopyWithSeveralChannelsIsRefusedBeforeAnythingChanges() throws Exception {
        started("src", false);
        QemuHypervisor here = hypervisor("src", QemuOptions.defaults());
        MigrationRequest request = new MigrationRequest("m-1", "src", "unix:" + dir.resolve("migrate.sock"),
                Optional.empty(), Optional.empty(), 4, false, true);
        assertThatThrownBy(() -> here.migrate(request, this::record, event -> CompletableFuture.completedFuture(null)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("post-copy");
        assertThat(here.state("src")).contains(GuestState.RUNNING);
    }

    private CompletableFuture<Void> record(CutoverEvent event) {
        stages.add(event);
        return CompletableFuture.completedFuture(null);
    }

    private BareQemu started(String name, boolean incoming) throws Exception {
        BareQemu qemu = BareQemu.start(dir, name, incoming);
        closing.add(qemu);
        return qemu;
    }

    private QemuHypervisor hypervisor(String vm, QemuOptions options) {
        QemuHypervisor hypervisor = new QemuHypervisor(dir, options);
        closing.add(hypervisor);
        assertThat(hypervisor.socketOf(vm)).exists();
        return hypervisor;
    }

    private MigrationRequest request(String vm) {
        return new MigrationRequest("m-1", vm, "unix:" + dir.resolve("migrate.sock"), Optional.of(Duration.ofMillis(300)),
                Optional.empty(), 1, false, false);
    }

    private static MigrationRequest renamed(MigrationRequest request, String vm) {
        return new MigrationRequest(request.migrationId(), vm, request.destination(), request.downtimeLimit(),
                request.maxBandwidth(), request.channels(), request.autoConverge(), request.postCopyAllowed(),
                request.xbzrleCache());
    }
}
