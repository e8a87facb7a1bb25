package io.cutover.agent;

import io.cutover.agent.config.AgentConfig;
import io.cutover.agent.plan.CutoverPlan;
import io.cutover.agent.plan.Threads;
import io.cutover.api.CutoverStage;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cutovers this agent runs, several at once (a host evacuation). Creating one runs the pre-checks
 * first — the destination differs from the source, its agent answers and reserves the memory — and then
 * the plan's PLANNED steps.
 */
public final class CutoverService {
    private final AgentConfig config;
    private final MemoryClaims claims;
    private final PeerAgents peers;
    private final StepFactory steps;
    private final BuiltInMigrator migrator;
    private final Map<String, Cutover> cutovers = new ConcurrentHashMap<>();
    private final Map<String, BuiltInMigrator.Outgoing> outgoing = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    /** Where claims are released at the destination's agent: never on an event loop, never in a lab namespace. */
    private final java.util.concurrent.ExecutorService releases = Threads.prestarted("cutover-release", 1);

    public CutoverService(AgentConfig config, MemoryClaims claims, PeerAgents peers, StepFactory steps) {
        this(config, claims, peers, steps, null);
    }

    /** @param migrator the built-in migrator, or {@code null} when orchestrators migrate (and report the phases) */
    public CutoverService(AgentConfig config, MemoryClaims claims, PeerAgents peers, StepFactory steps,
                          BuiltInMigrator migrator) {
        this.config = config;
        this.claims = claims;
        this.peers = peers;
        this.steps = steps;
        this.migrator = migrator;
    }

    /** The built-in migrator, or {@code null}. */
    public BuiltInMigrator migrator() {
        return migrator;
    }

    /** The migration this agent sends for cutover {@code id}, if it runs the built-in migrator. */
    public Optional<BuiltInMigrator.Outgoing> migration(String id) {
        return Optional.ofNullable(outgoing.get(id));
    }

    public MemoryClaims claims() {
        return claims;
    }

    /**
     * Claims memory here for a source agent's cutover {@code id}; with the built-in migrator, also expects that
     * cutover's migration, of at most the claimed memory.
     *
     * @return the one-time secret the source's migrator presents, if this agent receives migrations
     * @throws MemoryClaims.InsufficientMemoryException if the memory is not free
     */
    public Optional<String> claimForPeer(String id, long mib) {
        claims.claim(id, mib);
        return migrator == null || mib <= 0 ? Optional.empty() : Optional.of(migrator.expect(id, mib << 20));
    }

    /** Releases a source agent's claim, and withdraws its migration's secret if it was not used. */
    public void releaseForPeer(String id) {
        claims.release(id);
        if (migrator != null) {
            migrator.withdraw(id);
        }
    }

    /**
     * Checks and starts a cutover.
     *
     * @throws IllegalArgumentException a field of the request is bad
     * @throws PrecheckFailedException  a pre-check failed; nothing was changed
     */
    public Cutover create(CutoverRequest raw) {
        CutoverRequest request = raw.validated();
        String here = config.host();
        if (!here.equals(request.source()) && !here.equals(request.destination())) {
            throw new PrecheckFailedException("this agent runs on " + here + ", neither the source ("
                    + request.source() + ") nor the destination (" + request.destination() + ")");
        }
        InetSocketAddress migrationTarget = request.migrator() == null ? null : migrationTarget(request);
        String id = "c-" + HexFormat.of().formatHex(bytes());
        CutoverPlan plan = new CutoverPlan(id, steps.steps(id, request),
                request.switchoverReported() ? Set.of() : Set.of(CutoverStage.SWITCHOVER));
        String secret;
        if (here.equals(request.destination())) {
            try {
                claims.claim(id, request.memoryMiB());
            } catch (MemoryClaims.InsufficientMemoryException e) {
                throw new PrecheckFailedException(e.getMessage(), e);
            }
            secret = null;
        } else {
            secret = peers.claimMemory(request.destination(), id, request.memoryMiB());
        }
        Cutover cutover = new Cutover(id, request, plan);
        cutovers.put(id, cutover);
        plan.advance(CutoverStage.PLANNED).whenComplete((ok, error) -> {
            if (error != null) {
                release(cutover);
            } else if (migrationTarget != null) {
                migrate(cutover, migrationTarget, secret);
            }
        });
        return cutover;
    }

    /** Checks that the built-in migrator can run here, and asks the destination's agent where to migrate to. */
    private InetSocketAddress migrationTarget(CutoverRequest request) {
        if (!config.host().equals(request.source())) {
            throw new PrecheckFailedException("the built-in migrator runs at the source: create this cutover at the "
                    + "agent of " + request.source());
        }
        if (migrator == null) {
            throw new PrecheckFailedException("this agent has no migration section in its configuration: it cannot "
                    + "run the built-in migrator");
        }
        return peers.migrationAddress(request.destination());
    }

    /**
     * Runs the built-in migrator with the plan as its listener; when it ends, the plan completes (after the drain)
     * or rolls back, and the memory claim is released.
     */
    private void migrate(Cutover cutover, InetSocketAddress target, String secret) {
        CutoverPlan plan = cutover.plan();
        BuiltInMigrator.Outgoing migration;
        try {
            migration = migrator.migrate(cutover.request(), plan, target, secret);
        } catch (RuntimeException e) {
            plan.timeline().add("migration", "failed", String.valueOf(e.getMessage()));
            end(cutover, CutoverStage.FAILED, null);
            return;
        }
        outgoing.put(cutover.id(), migration);
        migration.ended().thenAccept(moved -> end(cutover, moved ? CutoverStage.COMPLETED : CutoverStage.FAILED,
                moved ? migration : null));
    }

    private void end(Cutover cutover, CutoverStage last, BuiltInMigrator.Outgoing moved) {
        CompletionStage<Void> done;
        try {
            done = cutover.plan().advance(last);
        } catch (IllegalStateException ended) {
            done = java.util.concurrent.CompletableFuture.completedFuture(null);
        }
        done.whenComplete((ok, error) -> {
            release(cutover);
            if (moved != null) {
                moved.guest().close();
            }
        });
    }

    private byte[] bytes() {
        byte[] id = new byte[6];
        random.nextBytes(id);
        return id;
    }

    public Cutover get(String id) {
        Cutover cutover = cutovers.get(id);
        if (cutover == null) {
            throw new NoSuchElementException("no cutover " + id);
        }
        return cutover;
    }

    public Collection<Cutover> list() {
        return cutovers.values();
    }

    /**
     * Moves a cutover to {@code phase}, as an orchestrator's hook reports it.
     *
     * @throws NoSuchElementException unknown cutover
     * @throws IllegalStateException  the phase does not follow the cutover's stage
     */
    public CompletionStage<Void> phase(String id, Phase phase) {
        Cutover cutover = get(id);
        CutoverPlan plan = cutover.plan();
        if (phase == Phase.COMPLETED && plan.stage().compareTo(CutoverStage.DRAINING) < 0) {
            // the orchestrator's "completed" is the migration's end: the network's brownout, then its end
            plan.advance(CutoverStage.DRAINING);
        }
        CompletionStage<Void> done = plan.advance(phase.stage());
        return done.whenComplete((ok, error) -> {
            if (error != null || cutover.plan().stage().isTerminal()) {
                release(cutover);
            }
        });
    }

    private void release(Cutover cutover) {
        if (config.host().equals(cutover.request().destination())) {
            claims.release(cutover.id());
        } else {
            releases.execute(() -> peers.releaseMemory(cutover.request().destination(), cutover.id()));
        }
    }
}
