package io.cutover.qemu.impl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cutover.api.CutoverEvent;
import io.cutover.api.CutoverListener;
import io.cutover.api.CutoverStage;
import io.cutover.api.HypervisorMigration;
import io.cutover.api.MigrationFigures;
import io.cutover.api.MigrationRequest;
import io.cutover.api.SwitchoverGate;
import io.cutover.qemu.QemuMigrationException;
import io.cutover.qemu.QemuOptions;
import io.cutover.qemu.QmpClient;
import io.cutover.qemu.QmpEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * One outgoing QEMU migration: capabilities and parameters set, {@code migrate} sent, then QEMU's {@code MIGRATION}
 * events turned into the cutover's stages. At {@code pre-switchover} (the guest is paused) the gate runs the
 * network's steps and the driver lets QEMU finish with {@code migrate-continue}; a gate that fails or overruns the
 * switchover budget cancels the migration instead, and the guest runs on at the source.
 *
 * <p>The source sees PLANNED, PRECOPY (each pass over memory), SWITCHOVER, COMMITTED and COMPLETED (both when QEMU
 * reports {@code completed}) or FAILED. ACTIVATED, the guest running at the destination, is the destination's to
 * see ({@link io.cutover.qemu.IncomingMigration}).
 */
public final class QemuMigration implements HypervisorMigration {
    private static final Logger LOG = LoggerFactory.getLogger(QemuMigration.class);
    /** QEMU's own default, for a request that names none. */
    private static final Duration DEFAULT_DOWNTIME_LIMIT = Duration.ofMillis(300);
    /** How often, and how far apart, {@code query-migrate} is asked again for a downtime QEMU has not set yet. */
    private static final int DOWNTIME_ATTEMPTS = 20;
    private static final long DOWNTIME_PAUSE_MS = 5;

    private final QmpClient qmp;
    private final MigrationRequest request;
    private final CutoverListener listener;
    private final SwitchoverGate gate;
    private final QemuOptions options;
    /** Where QEMU's events are handled, one at a time, off the QMP reader thread. */
    private final ExecutorService events;
    private final CompletableFuture<MigrationFigures> result = new CompletableFuture<>();
    private AutoCloseable subscription;
    /** Whether the guest was paused for the switchover: the pass QEMU makes after it is the stop-and-copy. */
    private boolean switchedOver;
    private volatile MigrationFigures last;

    private QemuMigration(QmpClient qmp, MigrationRequest request, CutoverListener listener, SwitchoverGate gate,
                          QemuOptions options) {
        this.qmp = qmp;
        this.request = request;
        this.listener = listener;
        this.gate = gate;
        this.options = options;
        this.events = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "qemu-migration-" + request.vm());
            thread.setDaemon(true);
            return thread;
        });
        this.last = new MigrationFigures("setup", 0, 0, 0, 0, Optional.empty());
    }

    /**
     * Sets the migration up on the source QEMU behind {@code qmp} and starts it.
     *
     * @throws IllegalArgumentException the request asks for what QEMU cannot do (post-copy with several channels)
     * @throws io.cutover.qemu.QmpException QEMU refused a capability, a parameter or the migration
     */
    public static QemuMigration start(QmpClient qmp, MigrationRequest request, CutoverListener listener,
                                      SwitchoverGate gate, QemuOptions options) {
        MigrationSetup.requireSupported(request);
        QemuMigration migration = new QemuMigration(qmp, request, listener, gate, options);
        migration.subscription = qmp.onEvent(event -> migration.events.execute(() -> migration.on(event)));
        try {
            MigrationSetup.capabilities(qmp, request, true);
            // QEMU keeps parameters from one migration to the next: every one is set, every time
            ObjectNode parameters = JsonNodeFactory.instance.objectNode()
                    .put("max-bandwidth", request.maxBandwidth().orElse(options.maxBandwidth()))
                    .put("downtime-limit", request.downtimeLimit().orElse(DEFAULT_DOWNTIME_LIMIT).toMillis());
            if (request.channels() > 1) {
                parameters.put("multifd-channels", request.channels());
            }
            request.xbzrleCache().ifPresent(bytes -> parameters.put("xbzrle-cache-size", bytes));
            qmp.execute("migrate-set-parameters", parameters);
            migration.tell(CutoverEvent.now(request.migrationId(), CutoverStage.PLANNED));
            qmp.execute("migrate", JsonNodeFactory.instance.objectNode().put("uri", request.destination()));
        } catch (RuntimeException e) {
            migration.stop();
            throw e;
        }
        return migration;
    }

    @Override
    public String id() {
        return request.migrationId();
    }

    @Override
    public MigrationFigures progress() {
        if (result.isDone() || !qmp.isOpen()) {
            return last;
        }
        return figures(qmp.execute("query-migrate"));
    }

    @Override
    public CompletionStage<MigrationFigures> result() {
        return result;
    }

    @Override
    public void cancel() {
        qmp.executeAsync("migrate_cancel", null);
    }

    private void on(QmpEvent event) {
        if (result.isDone()) {
            return;
        }
        try {
            if (event.name().equals("MIGRATION_PASS") && !switchedOver) {
                tell(new CutoverEvent(request.migrationId(), CutoverStage.PRECOPY, event.data().path("pass").asInt(1),
                        event.nanoTime()));
            } else if (event.name().equals("MIGRATION")) {
                switch (event.text("status")) {
                    case "pre-switchover" -> switchover(event);
                    case "completed" -> completed();
                    case "failed" -> failed("QEMU reports the migration failed" + errorOf(), null);
                    case "cancelled" -> failed("the migration was cancelled", null);
                    default -> LOG.debug("{}: migration {}", request.vm(), event.text("status"));
                }
            }
        } catch (RuntimeException e) {
            failed("the QEMU driver lost track of the migration: " + e.getMessage(), e);
        }
    }

    /** The guest is paused: run the gate, then let QEMU finish, or cancel if the gate fails or overruns. */
    private void switchover(QmpEvent event) {
        switchedOver = true;
        CutoverEvent switchover = new CutoverEvent(request.migrationId(), CutoverStage.SWITCHOVER, 0, event.nanoTime());
        tell(switchover);
        Duration budget = options.switchoverBudget();
        CompletableFuture<Void> steps;
        try {
            steps = gate.atSwitchover(switchover).toCompletableFuture();
        } catch (RuntimeException e) {
            steps = CompletableFuture.failedFuture(e);
        }
        steps.orTimeout(budget.toNanos(), TimeUnit.NANOSECONDS).whenCompleteAsync((ok, error) -> {
            if (result.isDone()) {
                return;
            }
            if (error == null) {
                qmp.execute("migrate-continue", JsonNodeFactory.instance.objectNode().put("state", "pre-switchover"));
                return;
            }
            Throwable cause = error instanceof java.util.concurrent.CompletionException ? error.getCause() : error;
            String why = cause instanceof java.util.concurrent.TimeoutException
                    ? "the switchover's steps took longer than " + budget.toMillis() + " ms"
                    : "the switchover's steps failed: " + cause.getMessage();
            try {
                qmp.execute("migrate_cancel");
            } catch (RuntimeException e) {
                LOG.warn("{}: migrate_cancel failed: {}", request.vm(), e.getMessage());
            }
            failed(why + "; migration cancelled", cause);
        }, events);
    }

    /**
     * QEMU emits {@code completed} a moment before its migration thread works out the downtime ({@code
     * migration_calculate_complete} runs after the state change): until then {@code query-migrate} says 0. Asked again
     * a few times, briefly, so that the figures carry the real one.
     */
    private void completed() {
        MigrationFigures figures = figures(qmp.execute("query-migrate"));
        for (int attempt = 0; attempt < DOWNTIME_ATTEMPTS && figures.downtime().filter(d -> !d.isZero()).isEmpty();
             attempt++) {
            try {
                Thread.sleep(DOWNTIME_PAUSE_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            figures = figures(qmp.execute("query-migrate"));
        }
        last = figures;
        tell(CutoverEvent.now(request.migrationId(), CutoverStage.COMMITTED));
        tell(CutoverEvent.now(request.migrationId(), CutoverStage.COMPLETED));
        result.complete(figures);
        stop();
    }

    private void failed(String why, Throwable cause) {
        if (result.isDone()) {
            return;
        }
        String status = SourceStatus.awaitSettled(qmp, options.commandTimeout());
        tell(CutoverEvent.now(request.migrationId(), CutoverStage.FAILED));
        result.completeExceptionally(new QemuMigrationException(request.vm() + ": " + why, status, cause));
        stop();
    }

    /** QEMU's own words for why the migration failed, if it has them. */
    private String errorOf() {
        try {
            String desc = qmp.execute("query-migrate").path("error-desc").asText("");
            return desc.isEmpty() ? "" : ": " + desc;
        } catch (RuntimeException e) {
            return "";
        }
    }

    private void tell(CutoverEvent event) {
        try {
            listener.onEvent(event);
        } catch (RuntimeException e) {
            LOG.warn("{}: a listener failed on {}: {}", request.vm(), event.stage(), e.toString());
        }
    }

    private void stop() {
        try {
            if (subscription != null) {
                subscription.close();
            }
        } catch (Exception e) {
            LOG.debug("unsubscribing: {}", e.getMessage());
        }
        events.shutdown();
    }

    /** A migration's figures from QEMU's {@code query-migrate} answer. */
    static MigrationFigures figures(JsonNode answer) {
        JsonNode ram = answer.path("ram");
        Optional<Duration> downtime = answer.has("downtime")
                ? Optional.of(Duration.ofMillis(answer.path("downtime").asLong())) : Optional.empty();
        return new MigrationFigures(answer.path("status").asText("none"), ram.path("dirty-sync-count").asLong(),
                ram.path("transferred").asLong(), ram.path("remaining").asLong(), ram.path("total").asLong(), downtime);
    }
}
