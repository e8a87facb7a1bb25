package io.cutover.agent;

import io.cutover.agent.config.MigrationConfig;
import io.cutover.agent.plan.CutoverPlan;
import io.cutover.support.Netns;
import io.cutover.migration.IncomingMigration;
import io.cutover.migration.LiveMigration;
import io.cutover.migration.MigrationException;
import io.cutover.migration.MigrationMetrics;
import io.cutover.migration.MigrationOptions;
import io.cutover.migration.MigrationReport;
import io.cutover.migration.MigrationTarget;
import io.cutover.migration.TargetStats;
import io.cutover.migration.guest.GuestSpec;
import io.cutover.migration.guest.Guests;
import io.cutover.migration.guest.SyntheticGuest;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The built-in migrator (migration-core) of one agent. As a destination it listens on the configured migration
 * address and keeps the guests that arrive; as a source it migrates a cutover's guest to the destination agent's
 * migration address, with the cutover's plan as the migration's listener, so that the network's steps run at the
 * migration's own stages.
 *
 * <p>Guests are synthetic (migration-core's): the source agent makes the guest a cutover names and runs it until it
 * moves. A real hypervisor would hand over its VM's memory through the same {@code Guest} interface.
 *
 * <p>The migration port serves only migrations this agent expects: when a source agent claims memory here, the
 * destination {@linkplain #expect expects} one migration of at most the claimed size and answers the claim with a
 * one-time secret, which the source's migrator presents; releasing the claim withdraws an unused secret.
 *
 * <p>Every migration it sends or receives is counted in its {@link MigrationMetrics}, and so is its port's refusals.
 */
public final class BuiltInMigrator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BuiltInMigrator.class);
    /** How many incoming migrations are remembered for {@link #incoming()}. */
    public static final int REMEMBERED = 100;
    /** How long a claim's secret admits its migration (the claim's release withdraws it sooner). */
    public static final Duration EXPECTATION_VALIDITY = Duration.ofMinutes(30);

    private final MigrationConfig config;
    private final MigrationTarget target;
    private final MigrationMetrics metrics;
    private final Deque<IncomingMigration> incoming = new ArrayDeque<>();
    /** The secret each claim was given, until the claim is released. */
    private final Map<String, String> secrets = new ConcurrentHashMap<>();

    private BuiltInMigrator(MigrationConfig config, MeterRegistry meters) {
        this.config = config;
        this.metrics = new MigrationMetrics(meters);
        this.target = inNamespace(() -> MigrationTarget.listen(config.listen(), Guests.syntheticAllocator(),
                MigrationTarget.DEFAULT_MAX_GUEST_BYTES, List.of(), this::arrived));
        metrics.watch(target);
    }

    /** Listens for incoming migrations as {@code config} says, and meters nothing. */
    public static BuiltInMigrator open(MigrationConfig config) {
        return open(config, new CompositeMeterRegistry());
    }

    /** Listens for incoming migrations as {@code config} says, with the migrations' meters in {@code meters}. */
    public static BuiltInMigrator open(MigrationConfig config, MeterRegistry meters) {
        return new BuiltInMigrator(config, meters);
    }

    /** Where incoming migrations arrive, as {@code HOST:PORT}. */
    public String address() {
        InetSocketAddress at = target.localAddress();
        return at.getAddress().getHostAddress() + ":" + at.getPort();
    }

    /**
     * Expects the migration of claim {@code claimId}: at most {@code maxGuestBytes}, once. A claim made again gets a new
     * secret and its old one is withdrawn.
     *
     * @return the one-time secret for the source to present
     */
    public String expect(String claimId, long maxGuestBytes) {
        String secret = target.expect(maxGuestBytes, EXPECTATION_VALIDITY);
        String old = secrets.put(claimId, secret);
        if (old != null) {
            target.withdraw(old);
        }
        return secret;
    }

    /** Withdraws claim {@code claimId}'s secret if it was not used; a migration under way goes on. */
    public void withdraw(String claimId) {
        String secret = secrets.remove(claimId);
        if (secret != null) {
            target.withdraw(secret);
        }
    }

    /** The migration port's figures: connections, reservations, expectations and refusals. */
    public TargetStats stats() {
        return target.stats();
    }

    /** The latest incoming migrations, oldest first. */
    public synchronized List<IncomingMigration> incoming() {
        return List.copyOf(incoming);
    }

    private synchronized void arrived(IncomingMigration migration) {
        metrics.arrived(migration);
        LOG.info("incoming migration {}: {}", migration.migrationId(),
                migration.activated() ? "the guest runs here" : "discarded: " + migration.failure());
        incoming.addLast(migration);
        while (incoming.size() > REMEMBERED) {
            IncomingMigration old = incoming.removeFirst();
            if (old.guest() != null) {
                old.guest().close();
            }
        }
    }

    /**
     * Starts the guest {@code request} names and migrates it to {@code destination}, telling {@code plan} of every
     * stage (the migrator's COMPLETED is the plan's DRAINING).
     *
     * @param secret what the destination's agent answered the memory claim with
     */
    public Outgoing migrate(CutoverRequest request, CutoverPlan plan, InetSocketAddress destination, String secret) {
        CutoverRequest.Migrator settings = request.migrator();
        SyntheticGuest guest = SyntheticGuest.create(GuestSpec.parse(settings.guest()));
        try {
            guest.resume();
            MigrationOptions options = options(settings).toBuilder().secret(secret == null ? "" : secret).build();
            LiveMigration live = inNamespace(() -> LiveMigration.start(guest, destination, options,
                    List.of(plan.migrationListener())));
            metrics.follow(live);
            return new Outgoing(guest, live);
        } catch (RuntimeException e) {
            guest.close();
            throw e;
        }
    }

    /** The migration's options from a cutover's validated settings; the rest are migration-core's defaults. */
    static MigrationOptions options(CutoverRequest.Migrator settings) {
        return settings.options().build();
    }

    private <T> T inNamespace(Callable<T> task) {
        if (config.netns() == null) {
            try {
                return task.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        try (Netns namespace = Netns.of(config.netns())) {
            return namespace.call(task);
        }
    }

    @Override
    public synchronized void close() {
        target.close();
        incoming.forEach(m -> {
            if (m.guest() != null) {
                m.guest().close();
            }
        });
        incoming.clear();
    }

    /** A migration this agent sends: the guest, running here until it has moved (again if it failed), and its report. */
    public static final class Outgoing {
        private final SyntheticGuest guest;
        private final LiveMigration live;
        private final CompletionStage<Boolean> ended;
        private volatile MigrationReport report;

        Outgoing(SyntheticGuest guest, LiveMigration live) {
            this.guest = guest;
            this.live = live;
            this.ended = live.result().handle((done, error) -> {
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                report = done != null ? done
                        : cause instanceof MigrationException failed ? failed.report().orElse(null) : null;
                return error == null;
            });
        }

        /** Completes once the migration has ended and its report is kept: whether the guest runs at the destination. */
        public CompletionStage<Boolean> ended() {
            return ended;
        }

        public SyntheticGuest guest() {
            return guest;
        }

        public LiveMigration live() {
            return live;
        }

        /** How it ended, once it has. */
        public Optional<MigrationReport> report() {
            return Optional.ofNullable(report);
        }
    }
}
