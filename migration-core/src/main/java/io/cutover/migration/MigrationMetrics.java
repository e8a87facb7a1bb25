package io.cutover.migration;

import io.cutover.api.CutoverStage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.concurrent.CompletionException;

/**
 * The built-in migrator's meters, counted as each migration ends, at the source from its {@link MigrationReport} and
 * at the destination from its {@link IncomingMigration}:
 * <ul>
 *   <li>{@code cutover_migrations_total{side,outcome}}: {@code side} is {@code source} or {@code destination};
 *       {@code outcome} is {@code completed} (the guest runs at the destination), {@code aborted} (it stayed at, or
 *       went back to, the source) or {@code failed} (it failed after the commit, or in post-copy);</li>
 *   <li>{@code cutover_migration_bytes_total{direction}} and {@code cutover_migration_pages_total{direction}}:
 *       {@code sent} by the sources, {@code received} by the destinations (pages with data and zero pages);</li>
 *   <li>{@code cutover_migration_rounds_total}: the sources' pre-copy rounds;</li>
 *   <li>{@code cutover_migration_downtime_seconds}: from the pause at the source to the activation it was told of, a
 *       histogram; the source measures it, so only the sending side records it;</li>
 *   <li>with {@link #watch(MigrationTarget)}: {@code cutover_migration_refused_total{reason}} (connections the
 *       migration port turned away) and {@code cutover_migration_arriving} (migrations admitted and not yet activated
 *       or discarded).</li>
 * </ul>
 * Every counter is there from the start, at zero. One instance a registry.
 */
public final class MigrationMetrics {
    private static final String[] OUTCOMES = {"completed", "aborted", "failed"};

    private final MeterRegistry registry;
    private final Counter bytesSent;
    private final Counter bytesReceived;
    private final Counter pagesSent;
    private final Counter pagesReceived;
    private final Counter rounds;
    private final Timer downtime;

    public MigrationMetrics(MeterRegistry registry) {
        this.registry = registry;
        bytesSent = bytes("sent");
        bytesReceived = bytes("received");
        pagesSent = pages("sent");
        pagesReceived = pages("received");
        rounds = Counter.builder("cutover.migration.rounds").description("pre-copy rounds of the migrations sent")
                .register(registry);
        downtime = Timer.builder("cutover.migration.downtime")
                .description("from the pause at the source to the activation at the destination, as the source saw "
                        + "them").publishPercentileHistogram().register(registry);
        for (String side : new String[] {"source", "destination"}) {
            for (String outcome : OUTCOMES) {
                migrations(side, outcome);
            }
        }
    }

    /** Counts {@code migration} once it ends, as its source. */
    public void follow(LiveMigration migration) {
        migration.result().whenComplete((report, error) -> {
            if (report != null) {
                sent(report);
                return;
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof MigrationException failed && failed.report().isPresent()) {
                sent(failed.report().get());
            } else {
                migrations("source", cause instanceof MigrationException failed && failed.sourceResumed()
                        ? "aborted" : "failed").increment();
            }
        });
    }

    /** Counts a migration this host sent, from how it ended. */
    public void sent(MigrationReport report) {
        MigrationProgress progress = report.progress();
        migrations("source", switch (progress.state()) {
            case COMPLETED -> "completed";
            case ROLLED_BACK -> "aborted";
            default -> "failed";
        }).increment();
        bytesSent.increment(progress.transferredBytes());
        pagesSent.increment(progress.pagesSent() + progress.zeroPages());
        rounds.increment(report.events().stream().filter(e -> e.stage() == CutoverStage.PRECOPY).count());
        if (!progress.downtime().isZero()) {
            downtime.record(progress.downtime());
        }
    }

    /** Counts a migration that arrived here, from how it ended ({@link MigrationTarget#listen}'s {@code onEnd}). */
    public void arrived(IncomingMigration migration) {
        migrations("destination", migration.activated() ? "completed" : migration.lost() ? "failed" : "aborted")
                .increment();
        bytesReceived.increment(migration.bytesReceived());
        pagesReceived.increment(migration.pagesReceived());
    }

    /** Adds the meters of {@code target}'s port: refusals by reason and migrations arriving, read at each scrape. */
    public void watch(MigrationTarget target) {
        for (Refusal reason : Refusal.values()) {
            FunctionCounter.builder("cutover.migration.refused", target, t -> t.stats().refused(reason))
                    .tag("reason", reason.name()).description("connections the migration port refused, by reason")
                    .register(registry);
        }
        Gauge.builder("cutover.migration.arriving", target, t -> t.stats().migrations())
                .description("migrations admitted and not yet activated or discarded").register(registry);
    }

    private Counter migrations(String side, String outcome) {
        return Counter.builder("cutover.migrations").tag("side", side).tag("outcome", outcome)
                .description("migrations that ended, by this host's side and how").register(registry);
    }

    private Counter bytes(String direction) {
        return Counter.builder("cutover.migration.bytes").tag("direction", direction)
                .description("bytes of the migration streams sent and received").register(registry);
    }

    private Counter pages(String direction) {
        return Counter.builder("cutover.migration.pages").tag("direction", direction)
                .description("pages (data and zero) of the migration streams sent and received")
                .register(registry);
    }
}
