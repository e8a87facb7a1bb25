package io.cutover.agent;

import io.cutover.agent.config.AgentConfig;
import io.cutover.agent.libvirt.LibvirtDomains;
import io.cutover.agent.libvirt.LibvirtEvent;
import io.cutover.agent.libvirt.LibvirtException;
import io.cutover.agent.plan.CutoverPlan;
import io.cutover.agent.plan.Timeline;
import io.cutover.agent.plan.Threads;
import io.cutover.api.CutoverStage;
import io.cutover.api.HypervisorMigration;
import io.cutover.support.Causes;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Collection;
import java.util.List;
import java.util.HexFormat;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The cutovers this agent runs, several at once (a host evacuation). Creating one runs the pre-checks
 * first — the destination differs from the source, its agent answers and reserves the memory — and then
 * the plan's PLANNED steps. The later stages come from the orchestrator's phase reports, from the migration this
 * agent runs (the built-in migrator, QEMU over QMP), or from libvirt's lifecycle events of the domain the
 * orchestrator migrates itself, which both hosts' agents follow ({@link LibvirtDomains}).
 */
public final class CutoverService {
    private static final Logger LOG = LoggerFactory.getLogger(CutoverService.class);
    /**
     * How long the source waits, once QEMU says the migration completed, for the destination's agent to report the
     * guest's RESUME; past it the source activates the network itself (the guest can only run there now).
     */
    public static final Duration ACTIVATION_LIMIT = Duration.ofSeconds(10);
    /** How long {@link #create} waits for the PLANNED steps before it answers. */
    public static final Duration PLANNED_LIMIT = Duration.ofSeconds(60);

    private final CutoverMetrics metrics;
    private final AgentConfig config;
    private final MemoryClaims claims;
    private final PeerAgents peers;
    private final StepFactory steps;
    private final BuiltInMigrator migrator;
    private final QemuMigrator qemu;
    private final LibvirtDomains libvirt;
    private final Map<String, Cutover> cutovers = new ConcurrentHashMap<>();
    private final Map<String, BuiltInMigrator.Outgoing> outgoing = new ConcurrentHashMap<>();
    private final Map<String, QemuOutgoing> qemuOutgoing = new ConcurrentHashMap<>();
    /** The libvirt migrations this agent follows as the source, by cutover. */
    private final Map<String, LibvirtSourceMove> libvirtOutgoing = new ConcurrentHashMap<>();
    /** The libvirt domains this agent follows as a cutover's destination, by cutover. */
    private final Map<String, LibvirtDomains.Subscription> libvirtIncoming = new ConcurrentHashMap<>();
    /** The cutovers whose migration this agent ran and whose end it has seen through (plan, claim, guest). */
    private final Set<String> finished = ConcurrentHashMap.newKeySet();
    private final SecureRandom random = new SecureRandom();
    /** Where claims are released at the destination's agent: never on an event loop, never in a lab namespace. */
    private final java.util.concurrent.ExecutorService releases = Threads.prestarted("cutover-release", 1);
    /**
     * Where a destination reports libvirt's events to the source's agent, in their order: never on the thread that
     * reads the events (a slow peer would hold back the next event of every domain).
     */
    private final java.util.concurrent.ExecutorService reports = Threads.prestarted("cutover-report", 1);
    /** When each cutover was created ({@link System#nanoTime()}), for {@link #expire()}. */
    private final Map<String, Long> createdAt = new ConcurrentHashMap<>();
    /** Where each cutover's plan state is kept; in memory unless the agent shares a store. */
    private volatile io.cutover.agent.journal.CutoverJournal journal;
    /** The host under which each cutover's document is kept, where it is another's (taken over from a peer). */
    private final Map<String, String> documentHosts = new ConcurrentHashMap<>();
    private final MeterRegistry meters;

    public CutoverService(AgentConfig config, MemoryClaims claims, PeerAgents peers, StepFactory steps) {
        this(config, claims, peers, steps, null);
    }

    /** @param migrator the built-in migrator, or {@code null} when orchestrators migrate (and report the phases) */
    public CutoverService(AgentConfig config, MemoryClaims claims, PeerAgents peers, StepFactory steps,
                          BuiltInMigrator migrator) {
        this(config, claims, peers, steps, migrator, null);
    }

    /**
     * @param migrator the built-in migrator, or {@code null}
     * @param qemu     this host's QEMU guests, or {@code null} when the agent does not drive QEMU
     */
    public CutoverService(AgentConfig config, MemoryClaims claims, PeerAgents peers, StepFactory steps,
                          BuiltInMigrator migrator, QemuMigrator qemu) {
        this(config, claims, peers, steps, migrator, qemu, new SimpleMeterRegistry());
    }

    /**
     * @param migrator the built-in migrator, or {@code null}
     * @param qemu     this host's QEMU guests, or {@code null} when the agent does not drive QEMU
     * @param meters   where the cutovers' meters go ({@link CutoverMetrics})
     */
    public CutoverService(AgentConfig config, MemoryClaims claims, PeerAgents peers, StepFactory steps,
                          BuiltInMigrator migrator, QemuMigrator qemu, MeterRegistry meters) {
        this(config, claims, peers, steps, migrator, qemu, null, meters);
    }

    /**
     * @param migrator the built-in migrator, or {@code null}
     * @param qemu     this host's QEMU guests, or {@code null} when the agent does not drive QEMU
     * @param libvirt  this host's libvirt domains, or {@code null} when the agent follows no libvirtd
     * @param meters   where the cutovers' meters go ({@link CutoverMetrics})
     */
    public CutoverService(AgentConfig config, MemoryClaims claims, PeerAgents peers, StepFactory steps,
                          BuiltInMigrator migrator, QemuMigrator qemu, LibvirtDomains libvirt, MeterRegistry meters) {
        this.libvirt = libvirt;
        this.metrics = new CutoverMetrics(meters);
        this.meters = meters;
        useJournal(new io.cutover.agent.journal.impl.MemoryCutoverJournal(config.host()));
        this.config = config;
        this.claims = claims;
        this.peers = peers;
        this.steps = steps;
        this.migrator = migrator;
        this.qemu = qemu;
    }

    /**
     * Keeps the cutovers' plan state in {@code journal} from now on (set before the agent serves), and counts its
     * writes as {@code cutover_journal_writes_total}.
     */
    public void useJournal(io.cutover.agent.journal.CutoverJournal journal) {
        this.journal = journal;
        io.micrometer.core.instrument.FunctionCounter.builder("cutover.journal.writes", journal,
                        io.cutover.agent.journal.CutoverJournal::writes)
                .description("writes of the cutovers' documents to the agent's journal (the store, when it has one)")
                .register(meters);
    }

    public io.cutover.agent.journal.CutoverJournal journal() {
        return journal;
    }

    /**
     * Takes in a cutover recovered from the journal (its plan resumed), so that it is listed and reported like the
     * others; {@code documentHost} is the host under which its document is kept.
     */
    void adopt(Cutover cutover, String documentHost) {
        metrics.follow(cutover.plan().timeline());
        cutovers.put(cutover.id(), cutover);
        documentHosts.put(cutover.id(), documentHost);
        finished.add(cutover.id());
    }

    /** Releases a recovered cutover's memory claim at its destination, as far as this agent may. */
    void releaseRecovered(Cutover cutover) {
        try {
            release(cutover);
        } catch (RuntimeException e) {
            LOG.info("cutover {}: its memory claim at {} was not released: {}", cutover.id(),
                    cutover.request().destination(), e.getMessage());
        }
    }

    /** The built-in migrator, or {@code null}. */
    public BuiltInMigrator migrator() {
        return migrator;
    }

    /** The migration this agent sends for cutover {@code id}, if it runs the built-in migrator. */
    public Optional<BuiltInMigrator.Outgoing> migration(String id) {
        return Optional.ofNullable(outgoing.get(id));
    }

    /** QEMU's migration of cutover {@code id}'s guest, when this agent drives it as the source. */
    public Optional<HypervisorMigration> qemuMigration(String id) {
        return Optional.ofNullable(qemuOutgoing.get(id)).map(QemuOutgoing::migration);
    }

    public MemoryClaims claims() {
        return claims;
    }

    /**
     * Claims memory here for a source agent's cutover {@code id}; with the built-in migrator, also expects that
     * cutover's migration, of at most the claimed memory.
     *
     * @param holder the source host whose agent asks, or {@link MemoryClaims#THIS_HOST}
     * @return the one-time secret the source's migrator presents, if this agent receives migrations
     * @throws MemoryClaims.InsufficientMemoryException if the memory is not free
     * @throws MemoryClaims.ClaimHeldException          if another holder holds a claim by that id
     */
    public Optional<String> claimForPeer(String id, String holder, long mib) {
        claims.claim(id, holder, mib);
        return migrator == null || mib <= 0 ? Optional.empty() : Optional.of(migrator.expect(id, mib << 20));
    }

    /**
     * Releases a source agent's claim, withdraws its migration's secret if it was not used, and stops waiting for its
     * incoming QEMU guest. {@link MemoryClaims#THIS_HOST} releases any claim; a peer only its own.
     *
     * @throws MemoryClaims.ClaimHeldException if another peer holds it (nothing is released)
     */
    public void releaseForPeer(String id, String holder) {
        if (holder.equals(MemoryClaims.THIS_HOST)) {
            claims.release(id);
        } else {
            claims.release(id, holder);
        }
        if (migrator != null) {
            migrator.withdraw(id);
        }
        if (qemu != null) {
            qemu.forgetIncoming(id);
        }
        LibvirtDomains.Subscription following = libvirtIncoming.remove(id);
        if (following != null) {
            following.close();
        }
    }

    /**
     * Checks and starts a cutover, and returns once its PLANNED steps are done (on a thread that may block: they call
     * the controller and the tunnel daemons).
     *
     * @throws IllegalArgumentException a field of the request is bad
     * @throws PrecheckFailedException  a pre-check failed, or a PLANNED step did (it was rolled back); nothing is
     *                                  left changed
     */
    public Cutover create(CutoverRequest raw) {
        Started started = start(raw);
        Cutover cutover = started.cutover();
        try {
            started.planned().get(PLANNED_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new PrecheckFailedException("cutover " + cutover.id() + " rolled back: "
                    + Causes.unwrap(e.getCause()).getMessage(), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new PrecheckFailedException("cutover " + cutover.id() + ": its PLANNED steps did not finish within "
                    + PLANNED_LIMIT.toSeconds() + " s; they go on, and the cutover is refused if they fail", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while cutover " + cutover.id() + " was planned", e);
        }
        return cutover;
    }

    /**
     * A cutover whose plan has started.
     *
     * @param planned completes when its PLANNED steps are done, fails when one failed (they are then rolled back)
     */
    private record Started(Cutover cutover, CompletableFuture<Void> planned) {
    }

    /** Checks a cutover and starts its plan (PLANNED's steps), without waiting for them. */
    private Started start(CutoverRequest raw) {
        CutoverRequest request = raw.validated();
        String here = config.host();
        if (!here.equals(request.source()) && !here.equals(request.destination())) {
            throw new PrecheckFailedException("this agent runs on " + here + ", neither the source ("
                    + request.source() + ") nor the destination (" + request.destination() + ")");
        }
        boolean byQemu = request.migrator() != null && request.migrator().byQemu();
        InetSocketAddress migrationTarget = request.migrator() == null || byQemu ? null : migrationTarget(request);
        if (byQemu) {
            requireQemuSource(request);
        }
        if (request.byLibvirt()) {
            requireLibvirtSource(request);
        }
        String id = "c-" + HexFormat.of().formatHex(bytes());
        Timeline timeline = new Timeline();
        CutoverPlan plan = new CutoverPlan(id, timeline, steps.steps(id, request, timeline),
                request.switchoverReported() ? Set.of() : Set.of(CutoverStage.SWITCHOVER));
        try {
            plan.recordedBy(journal.open(id, request));
        } catch (RuntimeException e) {
            throw new PrecheckFailedException("cutover " + id + " could not be written to the agent's journal: "
                    + e.getMessage(), e);
        }
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
        metrics.follow(plan.timeline());
        createdAt.put(id, System.nanoTime());
        LOG.info("cutover {}: {} from {} to {} ({}), {} steps", id, request.vm(), request.source(),
                request.destination(), request.mode(), plan.steps().size());
        // PLANNED is entered before the cutover is listed: a phase reported for a listed cutover comes after it
        // (listed first, a hook's switchover could come first, and PLANNED would then be refused as going back)
        CompletableFuture<Void> planned = plan.advance(CutoverStage.PLANNED).toCompletableFuture();
        cutovers.put(id, cutover);
        planned.whenComplete((ok, error) -> {
            if (error != null) {
                release(cutover);
                // no migration started: nothing more of it to see through
                finished.add(cutover.id());
            } else if (byQemu) {
                migrateWithQemu(cutover);
            } else if (migrationTarget != null) {
                migrate(cutover, migrationTarget, secret);
            }
        });
        // the orchestrator migrates once the answer says the cutover is ready: both agents follow the domain by then
        return new Started(cutover, request.byLibvirt() ? planned.thenCompose(ok -> followLibvirt(cutover)) : planned);
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

    /** Checks that QEMU can migrate the request's guest from here: this is its host, and the guest runs here. */
    private void requireQemuSource(CutoverRequest request) {
        if (!config.host().equals(request.source())) {
            throw new PrecheckFailedException("QEMU's migration is started at the source: create this cutover at the "
                    + "agent of " + request.source());
        }
        if (qemu == null) {
            throw new PrecheckFailedException("this agent has no qemu section in its configuration: it cannot drive "
                    + "QEMU's migration");
        }
        qemu.requireState(request.vm(), io.cutover.api.GuestState.RUNNING);
    }

    /**
     * Checks that libvirt's events for the request's domain can be followed from here: this is its source, this agent
     * has a {@code libvirt} section, and the domain runs here.
     */
    private void requireLibvirtSource(CutoverRequest request) {
        String domain = request.libvirt().domain();
        if (!config.host().equals(request.source())) {
            throw new PrecheckFailedException("libvirt's migration of " + domain + " is followed from its source: "
                    + "create this cutover at the agent of " + request.source());
        }
        if (libvirt == null) {
            throw new PrecheckFailedException("this agent has no libvirt section in its configuration: it cannot "
                    + "follow libvirt domain " + domain);
        }
        String state;
        try {
            state = libvirt.domainState(domain);
        } catch (LibvirtException e) {
            throw new PrecheckFailedException("cannot ask libvirt for the state of domain " + domain + ": "
                    + e.getMessage(), e);
        }
        if (!LibvirtDomains.RUNNING.equals(state)) {
            throw new PrecheckFailedException("libvirt domain " + domain + " is "
                    + (state.isEmpty() ? "unknown to this host's libvirtd" : state) + ", not running");
        }
    }

    /**
     * Follows this host's events of the cutover's domain, then has the destination's agent follow its own (it reports
     * the guest's {@code Resumed Migrated} as {@code activated}, its failure as {@code failed}). The orchestrator runs
     * the migration. Completes when both follow; fails, the cutover ending, when the destination's agent refuses.
     */
    private CompletableFuture<Void> followLibvirt(Cutover cutover) {
        CutoverPlan plan = cutover.plan();
        String domain = cutover.request().libvirt().domain();
        LibvirtSourceMove moving = new LibvirtSourceMove(config.host(), plan, new LibvirtSourceMove.Ending() {
            @Override
            public void failed() {
                end(cutover, () -> { }, CutoverStage.FAILED);
            }

            @Override
            public void migrated(CompletableFuture<Void> resumeReported, String ending) {
                completeAfterResume(cutover, resumeReported, "Resumed Migrated", ending, () -> { });
            }
        });
        libvirtOutgoing.put(cutover.id(), moving);
        moving.follow(libvirt, domain);
        try {
            peers.prepareIncoming(cutover.request().destination(), cutover.id(), cutover.request());
        } catch (RuntimeException e) {
            moving.stop();
            plan.timeline().add("migration", "failed", String.valueOf(e.getMessage()));
            end(cutover, () -> { }, CutoverStage.FAILED);
            return CompletableFuture.failedFuture(e);
        }
        plan.timeline().add("libvirt", "following", "domain " + domain + ", here and at the agent of "
                + cutover.request().destination());
        return CompletableFuture.completedFuture(null);
    }

    /**
     * Once the migration has ended at the source: ACTIVATED when the destination's agent has reported the guest's
     * {@code resume} (past {@link #ACTIVATION_LIMIT}, from here: the guest can only run there now), then the drain
     * and COMPLETED; {@code afterwards} runs at the end.
     */
    private void completeAfterResume(Cutover cutover, CompletableFuture<Void> activated, String resume,
                                     String ending, Runnable afterwards) {
        activated.orTimeout(ACTIVATION_LIMIT.toMillis(), TimeUnit.MILLISECONDS).whenComplete((ok, late) -> {
            if (late != null) {
                cutover.plan().timeline().add("vm.resume", "unreported", "the destination's agent did not report the "
                        + "guest's " + resume + " within " + ACTIVATION_LIMIT.toSeconds() + " s of " + ending
                        + "; activated from here");
            }
            end(cutover, afterwards, late != null ? CutoverStage.ACTIVATED : null, CutoverStage.DRAINING,
                    CutoverStage.COMPLETED);
        });
    }

    /**
     * Has the destination's agent point its incoming QEMU at the stream, then has QEMU migrate the guest. The plan
     * hears the stages up to the switchover from QEMU, runs the switchover's steps with the guest paused, and is
     * ACTIVATED when the destination reports the guest's RESUME; once QEMU has completed too, the brownout (DRAINING)
     * and then COMPLETED follow. A migration that fails rolls the plan back; the guest runs on here.
     */
    private void migrateWithQemu(Cutover cutover) {
        CutoverPlan plan = cutover.plan();
        String vm = cutover.request().vm();
        QemuOutgoing moving;
        try {
            peers.prepareIncoming(cutover.request().destination(), cutover.id(), cutover.request());
            moving = new QemuOutgoing(qemu.migrate(cutover), new CompletableFuture<>());
        } catch (RuntimeException e) {
            plan.timeline().add("migration", "failed", String.valueOf(e.getMessage()));
            end(cutover, () -> qemu.release(vm), CutoverStage.FAILED);
            return;
        }
        qemuOutgoing.put(cutover.id(), moving);
        moving.migration().result().whenComplete((figures, error) -> {
            if (error != null) {
                plan.timeline().add("migration", "failed", String.valueOf(Causes.unwrap(error).getMessage()));
                end(cutover, () -> noteSourceGuest(cutover), CutoverStage.FAILED);
                return;
            }
            plan.timeline().add("qemu", "completed", figures.downtime()
                    .map(d -> "QEMU's downtime " + d.toMillis() + " ms").orElse(""));
            completeAfterResume(cutover, moving.activated(), "RESUME", "QEMU's completion", () -> qemu.release(vm));
        });
    }

    /** After a failed QEMU migration: where the guest runs now, as its QEMU here says. */
    private void noteSourceGuest(Cutover cutover) {
        String vm = cutover.request().vm();
        try {
            cutover.plan().timeline().add("qemu", "source-guest", qemu.state(vm).map(Enum::name).orElse("gone"));
        } catch (RuntimeException e) {
            cutover.plan().timeline().add("qemu", "source-guest", "unknown: " + e.getMessage());
        } finally {
            qemu.release(vm);
        }
    }

    /**
     * Makes this host's incoming QEMU for a cutover's guest take the stream, as the source's agent asks once the
     * cutover's PLANNED steps are done; the guest's RESUME here is reported to the source's agent as ACTIVATED. For a
     * libvirt domain, follows the domain's events here instead: its {@code Resumed Migrated} (or {@code Post-copy}) is
     * reported as {@code activated}, its stopping before that ({@code Stopped Failed}, {@code Stopped Destroyed}) as
     * {@code failed}.
     *
     * @throws PrecheckFailedException this agent drives no QEMU (follows no libvirtd), the cutover's memory is not
     *                                 claimed here, or the guest is not waiting for a migration
     */
    public void prepareIncoming(IncomingRequest incoming) {
        String id = incoming.id();
        String source = incoming.source();
        if (incoming.libvirt() != null) {
            followIncoming(incoming);
            return;
        }
        if (qemu == null) {
            throw new PrecheckFailedException("this agent has no qemu section in its configuration: it cannot take "
                    + "QEMU's migration");
        }
        if (id == null || incoming.vm() == null || source == null || incoming.qemu() == null) {
            throw new IllegalArgumentException("expected {\"id\", \"vm\", \"source\", \"qemu\": {...}}");
        }
        if (!claims.holds(id)) {
            throw new PrecheckFailedException("no memory is claimed here for cutover " + id + ": claim it first");
        }
        qemu.prepareIncoming(id, incoming.vm(), incoming.qemu().validated(),
                resumed -> report(source, id, Phase.ACTIVATED, "the guest's RESUME"));
    }

    /** The destination's part of a libvirt cutover: {@link #prepareIncoming}'s libvirt case. */
    private void followIncoming(IncomingRequest incoming) {
        String id = incoming.id();
        String source = incoming.source();
        if (libvirt == null) {
            throw new PrecheckFailedException("this agent has no libvirt section in its configuration: it cannot "
                    + "follow libvirt domain " + incoming.libvirt().domain());
        }
        if (id == null || incoming.vm() == null || source == null || incoming.qemu() != null) {
            throw new IllegalArgumentException("expected {\"id\", \"vm\", \"source\", \"libvirt\": {\"domain\"}}");
        }
        String domain = incoming.libvirt().validated().domain();
        if (!claims.holds(id)) {
            throw new PrecheckFailedException("no memory is claimed here for cutover " + id + ": claim it first");
        }
        java.util.concurrent.atomic.AtomicBoolean reported = new java.util.concurrent.atomic.AtomicBoolean();
        LibvirtDomains.Subscription following = libvirt.follow(domain, event -> {
            boolean resumed = event.migrating(LibvirtEvent.Type.RESUMED);
            boolean stopped = event.type() == LibvirtEvent.Type.STOPPED || event.type() == LibvirtEvent.Type.CRASHED;
            if ((resumed || stopped) && reported.compareAndSet(false, true)) {
                report(source, id, resumed ? Phase.ACTIVATED : Phase.FAILED, "libvirt's " + event.words());
                LibvirtDomains.Subscription done = libvirtIncoming.remove(id);
                if (done != null) {
                    done.close();
                }
            }
        });
        LibvirtDomains.Subscription earlier = libvirtIncoming.put(id, following);
        if (earlier != null) {
            earlier.close();
        }
    }

    /** Reports {@code phase} of cutover {@code id} to the source's agent, in order, off the caller's thread. */
    private void report(String source, String id, Phase phase, String what) {
        String name = phase.name().toLowerCase(java.util.Locale.ROOT);
        reports.execute(() -> {
            try {
                peers.call(source, "POST", "/v1/cutovers/" + id + "/phase/" + name, 200);
            } catch (RuntimeException e) {
                LOG.warn("cutover {}: could not report {} ({}) to the agent of {}: {}", id, name, what, source,
                        e.getMessage());
            }
        });
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
            end(cutover, () -> { }, CutoverStage.FAILED);
            return;
        }
        outgoing.put(cutover.id(), migration);
        // the migrator's COMPLETED put the plan at DRAINING: COMPLETED follows once the drain has ended
        migration.ended().thenAccept(moved -> end(cutover, moved ? () -> migration.guest().close() : () -> { },
                moved ? CutoverStage.DRAINING : CutoverStage.FAILED, moved ? CutoverStage.COMPLETED : null));
    }

    /**
     * Takes the plan through {@code last}, each stage once the one before is done (null entries are passed over; a
     * stage the plan can no longer take, or one that failed, ends the list), then releases the cutover's claim and runs
     * {@code afterwards}. So COMPLETED follows DRAINING only once the drain has ended: {@code tunnel.drain} lasts until
     * the clients have moved.
     */
    private CompletableFuture<Void> end(Cutover cutover, Runnable afterwards, CutoverStage... last) {
        CompletableFuture<Void> done = CompletableFuture.completedFuture(null);
        for (CutoverStage stage : last) {
            if (stage != null) {
                done = done.thenCompose(before -> advanceUnlessEnded(cutover.plan(), stage));
            }
        }
        return done.whenComplete((ok, error) -> {
            release(cutover);
            stopFollowing(cutover.id());
            afterwards.run();
            finished.add(cutover.id());
        });
    }

    /** No more of libvirt's events for cutover {@code id}'s domain. */
    private void stopFollowing(String id) {
        LibvirtSourceMove moving = libvirtOutgoing.get(id);
        if (moving != null) {
            moving.stop();
        }
    }

    /** The plan at {@code stage}, once that stage's steps are done; nothing when the plan can no longer take it. */
    private static CompletableFuture<Void> advanceUnlessEnded(CutoverPlan plan, CutoverStage stage) {
        try {
            return plan.advance(stage).toCompletableFuture();
        } catch (IllegalStateException ended) {
            return CompletableFuture.completedFuture(null);
        }
    }

    /**
     * Ends cutover {@code id} at an orchestrator's request. One that has ended is forgotten. One that has not passed
     * the switchover is abandoned: the migration this agent runs for it is cancelled (the guest runs on here) and
     * the network's steps are rolled back. Past the switchover the guest may already run at the destination, and
     * only the migration's end can say where: refused.
     *
     * @return the stage that ends it, once it has ended
     * @throws NoSuchElementException unknown cutover
     * @throws IllegalStateException  past the switchover and not ended
     */
    public CompletionStage<CutoverStage> delete(String id) {
        Cutover cutover = get(id);
        CutoverPlan plan = cutover.plan();
        if (ended(cutover)) {
            try {
                journal.forget(documentHosts.getOrDefault(id, config.host()), id);
            } catch (RuntimeException e) {
                LOG.info("cutover {}: its document stays in the journal: {}", id, e.getMessage());
            }
            documentHosts.remove(id);
            cutovers.remove(id);
            createdAt.remove(id);
            outgoing.remove(id);
            qemuOutgoing.remove(id);
            libvirtOutgoing.remove(id);
            finished.remove(id);
            return CompletableFuture.completedFuture(plan.stage());
        }
        if (plan.stage().isTerminal()) {
            // rolling back or finishing its last steps: it ends by itself
            CompletableFuture<CutoverStage> result = new CompletableFuture<>();
            awaitEnd(cutover, result, System.nanoTime() + PLANNED_LIMIT.toNanos());
            return result;
        }
        if (plan.stage().compareTo(CutoverStage.SWITCHOVER) >= 0) {
            throw new IllegalStateException("cutover " + id + " is at " + plan.stage() + ", past the switchover: the "
                    + "guest may run at the destination; report completed or failed instead");
        }
        plan.timeline().add("cutover", "deleted", "the orchestrator ended it");
        BuiltInMigrator.Outgoing builtIn = outgoing.get(id);
        QemuOutgoing byQemu = qemuOutgoing.get(id);
        if (builtIn != null) {
            builtIn.live().cancel();
        } else if (byQemu != null) {
            byQemu.migration().cancel();
        } else {
            end(cutover, () -> { }, CutoverStage.FAILED);
        }
        CompletableFuture<CutoverStage> result = new CompletableFuture<>();
        awaitEnd(cutover, result, System.nanoTime() + PLANNED_LIMIT.toNanos());
        return result;
    }

    /**
     * Rolls back the cutovers whose orchestrator never reported their migration: still PLANNED {@code planned-expiry}
     * after their creation, with no migration of this agent's. Their memory claims are released. Called now and then.
     *
     * @return the ids of the cutovers expired now
     */
    public List<String> expire() {
        long now = System.nanoTime();
        List<String> expired = new java.util.ArrayList<>();
        for (Cutover cutover : cutovers.values()) {
            Long created = createdAt.get(cutover.id());
            boolean migrates = cutover.request().migrator() != null;
            if (created != null && !migrates && cutover.plan().stage() == CutoverStage.PLANNED
                    && now - created > config.plannedExpiry().toNanos()) {
                cutover.plan().timeline().add("cutover", "expired", "no phase reported within "
                        + config.plannedExpiry());
                LOG.info("cutover {} expired: still PLANNED after {}", cutover.id(), config.plannedExpiry());
                end(cutover, () -> { }, CutoverStage.FAILED);
                expired.add(cutover.id());
            }
        }
        return expired;
    }

    /** Completes {@code result} with the cutover's last stage once it has ended, polling (ends are rare). */
    private void awaitEnd(Cutover cutover, CompletableFuture<CutoverStage> result, long deadline) {
        if (ended(cutover)) {
            result.complete(cutover.plan().stage());
        } else if (System.nanoTime() > deadline) {
            result.completeExceptionally(new IllegalStateException("cutover " + cutover.id() + " did not end within "
                    + PLANNED_LIMIT.toSeconds() + " s of its deletion"));
        } else {
            CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS)
                    .execute(() -> awaitEnd(cutover, result, deadline));
        }
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

    /**
     * Whether the cutover has ended and nothing of it runs any more: its plan's last steps are done and, when this
     * agent migrates the guest (or follows libvirt's migration of it as the source), the migration has ended too (a
     * cancelled QEMU migration has resumed the guest here; libvirt's events are no longer followed).
     */
    public boolean ended(Cutover cutover) {
        boolean migrates = (cutover.request().migrator() != null || cutover.request().byLibvirt())
                && config.host().equals(cutover.request().source());
        return cutover.plan().ended() && (!migrates || finished.contains(cutover.id()));
    }

    public Collection<Cutover> list() {
        return cutovers.values();
    }

    /**
     * Moves a cutover to {@code phase}, as an orchestrator's hook reports it; the answer comes once the phase's steps
     * are done, but for {@code completed}: the drain (DRAINING) begins, and COMPLETED follows when it has ended.
     *
     * @throws NoSuchElementException unknown cutover
     * @throws IllegalStateException  the phase does not follow the cutover's stage
     */
    public CompletionStage<Void> phase(String id, Phase phase) {
        Cutover cutover = get(id);
        CutoverPlan plan = cutover.plan();
        LibvirtSourceMove byLibvirt = libvirtOutgoing.get(id);
        if (byLibvirt != null && phase == Phase.FAILED) {
            // the destination's guest stopped before it ran: the migration failed, the guest runs on here
            plan.timeline().add("migration", "failed", "the agent of " + cutover.request().destination()
                    + " reported it");
            stopFollowing(id);
            return end(cutover, () -> { }, CutoverStage.FAILED);
        }
        QemuOutgoing qemuMoving = phase == Phase.ACTIVATED ? qemuOutgoing.get(id) : null;
        CompletableFuture<Void> awaited = qemuMoving != null ? qemuMoving.activated()
                : phase == Phase.ACTIVATED && byLibvirt != null ? byLibvirt.activated() : null;
        if (awaited != null) {
            plan.timeline().add("vm.resume", "done", (qemuMoving != null ? "QEMU's RESUME" : "libvirt's Resumed")
                    + ", reported by the agent of " + cutover.request().destination());
        }
        if (awaited != null && byLibvirt != null) {
            byLibvirt.resumeReported();
        }
        if (phase == Phase.COMPLETED && plan.stage().compareTo(CutoverStage.DRAINING) <= 0) {
            // the orchestrator's "completed" is the migration's end: the network's brownout begins, and lasts until the
            // clients have moved (up to the tunnel's hard maximum), so the answer does not wait for it; COMPLETED
            // follows the drain, and the cutover's "ended" says when all is done
            plan.advance(CutoverStage.DRAINING).thenCompose(drained -> plan.advance(CutoverStage.COMPLETED))
                    .whenComplete((ok, error) -> release(cutover));
            return CompletableFuture.completedFuture(null);
        }
        CompletionStage<Void> done = plan.advance(phase.stage());
        if (awaited != null) {
            awaited.complete(null);
        }
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

    /**
     * A QEMU migration this agent drives as the source.
     *
     * @param migration QEMU's migration
     * @param activated completes when the destination reported the guest's RESUME (the plan took ACTIVATED)
     */
    private record QemuOutgoing(HypervisorMigration migration, CompletableFuture<Void> activated) {
    }
}
