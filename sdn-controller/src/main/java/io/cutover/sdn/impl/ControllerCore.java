package io.cutover.sdn.impl;

import io.cutover.sdn.ConflictException;
import io.cutover.sdn.ControllerOptions;
import io.cutover.sdn.ControllerRole;
import io.cutover.sdn.Cookie;
import io.cutover.sdn.Dpid;
import io.cutover.sdn.Endpoint;
import io.cutover.sdn.FlowView;
import io.cutover.sdn.Link;
import io.cutover.sdn.Move;
import io.cutover.sdn.MoveState;
import io.cutover.sdn.MoveStateException;
import io.cutover.sdn.Network;
import io.cutover.sdn.NotFoundException;
import io.cutover.sdn.NotMasterException;
import io.cutover.sdn.OpenFlowErrorException;
import io.cutover.sdn.ProbeAnswer;
import io.cutover.sdn.SwitchInfo;
import io.cutover.sdn.SwitchUnavailableException;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.match.Match;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.OFGroup;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The controller's state and its convergence. Every change of the model, every plan and every diff runs on one
 * core thread, so they need no locks; switch sessions report on their event loop and hop onto it.
 */
public final class ControllerCore implements SessionListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControllerCore.class);

    private final ControllerOptions options;
    /** Read and changed on the core thread only. */
    private final Mastership mastership;
    private final ExecutorService core = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sdn-core");
        t.setDaemon(true);
        return t;
    });
    /** Where the model is kept: a journal of its own, the cluster's store, or nowhere (null: memory only). */
    private final ModelStore models;
    /** The controller cluster this controller is a member of, or null when it runs alone. */
    private final ControllerCluster cluster;
    private final ExecutorService journalThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sdn-journal");
        t.setDaemon(true);
        return t;
    });
    private final Map<Dpid, SwitchSession> sessions = new HashMap<>();
    /** The endpoints being asked whether they answer at their place; core thread only. */
    private final EndpointProbes probes = new EndpointProbes(core, this::sendOut);
    private final Map<Dpid, Map<String, Integer>> knownPorts = new HashMap<>();
    /** The bridge name each switch last reported: a label for listings, never a key. */
    private final Map<Dpid, String> names = new HashMap<>();
    private final Map<Dpid, CompletableFuture<Void>> readiness = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong refusedSessions = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong refusedIdentities = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong neighbourAnswers = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong unanswered = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong limitedPackets = new java.util.concurrent.atomic.AtomicLong();
    private final OpenFlowCounters sent = new OpenFlowCounters();
    private volatile ModelState model;
    /** The cluster's saves, grouped into store transactions; null without a cluster. */
    private final GroupCommit commits;
    /**
     * The last save asked of the cluster's store: what a change's flow-mods wait for, so that no switch hears of a
     * change before the store has it. Core thread only; completed without a cluster.
     */
    private CompletableFuture<Void> stored = CompletableFuture.completedFuture(null);
    /** Dispatched once the flow-mods sent before are: keeps sends waiting for the store in their order. Core only. */
    private CompletableFuture<Void> dispatched = CompletableFuture.completedFuture(null);
    /** The flows the model asks of each switch, planned by parts; read and changed on the core thread only. */
    private final FlowPlan plan;
    private final OpenFlowServer server;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    public ControllerCore(ControllerOptions options) {
        this.options = options;
        if (options.store() != null) {
            // a member of a cluster starts as a slave with nothing; it follows the store's model once it joined
            this.cluster = ControllerCluster.connect(options);
            this.models = cluster.models();
            this.mastership = new Mastership(ControllerRole.SLAVE, 0);
            this.model = ModelState.empty();
        } else {
            this.cluster = null;
            this.models = options.stateDir() == null ? null : new StateJournal(options.stateDir());
            this.mastership = new Mastership(options.role(), options.generation());
            this.model = models == null ? ModelState.empty() : models.load();
        }
        this.commits = cluster == null ? null : new GroupCommit(cluster.models()::save, journalThread, model);
        this.plan = new FlowPlan(model, Map.of());
        try {
            this.server = OpenFlowServer.start(options,
                    () -> new SwitchSession(this, options.requestTimeout(), options.bundles()));
        } catch (RuntimeException e) {
            if (cluster != null) {
                cluster.close();
            }
            throw e;
        }
        if (cluster != null) {
            try {
                cluster.start(this, server.address().getHostString() + ":" + server.address().getPort());
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }
        LOG.info("OpenFlow 1.3 controller listening on {} ({} endpoints, {} networks, {} links, {} moves from the "
                + "journal)", server.address(), model.endpoints().size(), model.networks().size(), model.links().size(),
                model.moves().size());
    }

    public InetSocketAddress address() {
        return server.address();
    }

    public ModelState model() {
        return model;
    }

    // ---- session events ---------------------------------------------------------------------------------------

    /**
     * A switch that finished its handshake, known by its datapath id (its bridge name is only a label: two hosts'
     * {@code br-int} are two switches). While a session for the same datapath id is alive, a second one is refused,
     * counted and closed: a peer that claims a connected switch's datapath id does not take its place (a switch that
     * really reconnects is let in once its old connection is found dead, by the keepalive at the latest). With
     * {@link ControllerOptions#switchIdentities()}, a switch whose certificate is not bound to its datapath id is refused
     * first, counted apart.
     */
    @Override
    public void ready(SwitchSession session) {
        core.execute(() -> {
            Dpid dpid = session.dpid();
            java.util.Optional<String> unbound = options.switchIdentities() == null ? java.util.Optional.empty()
                    : options.switchIdentities().refusal(dpid, session.peerCertificate());
            if (unbound.isPresent()) {
                LOG.warn("refusing switch {} from {}: {} ({} refused)", session.label(), session.remoteAddress(),
                        unbound.get(), refusedIdentities.incrementAndGet());
                session.close();
                return;
            }
            SwitchSession old = sessions.get(dpid);
            if (old != null && old != session && old.active()) {
                LOG.warn("refusing a second session for switch {} from {}: datapath id {} is connected ({} refused)",
                        session.label(), session.remoteAddress(), dpid, refusedSessions.incrementAndGet());
                session.close();
                return;
            }
            sessions.put(dpid, session);
            LOG.info("switch {} connected from {} with {} ports", session.label(), session.remoteAddress(),
                    session.ports().size());
            if (session.name() != null) {
                names.put(dpid, session.name());
            }
            knownPorts.computeIfAbsent(dpid, k -> new HashMap<>()).putAll(session.ports());
            plan.ports(dpid, knownPorts.get(dpid));
            if (mastership.requestsRoles()) {
                claimRole(session).whenCompleteAsync((v, err) -> {
                    if (err != null && mastership.role() == ControllerRole.MASTER) {
                        mastership.set(ControllerRole.SLAVE, mastership.generation());
                    }
                    afterRole(session);
                }, core);
            } else {
                reconcile(session);
            }
        });
    }

    /** Sends the controller's role to {@code session}'s switch; a refusal is logged (the switch keeps its master). */
    private CompletableFuture<Void> claimRole(SwitchSession session) {
        ControllerRole role = mastership.role();
        long generation = mastership.generation();
        return session.requestRole(Mastership.openFlow(role), generation).handle((answered, err) -> {
            if (err != null) {
                LOG.warn("switch {} refused this controller as {} (generation {}): {}", session.label(), role,
                        generation, unwrap(err).getMessage());
                throw new CompletionException(unwrap(err));
            }
            LOG.info("switch {} takes this controller as {} (generation {})", session.label(), answered, generation);
            return null;
        });
    }

    /**
     * A switch made this controller a slave: a newer master took it (Open vSwitch's role status). The controller writes
     * nothing more to any switch and refuses changes, until it takes a role again.
     */
    @Override
    public void deposed(SwitchSession session, long generation) {
        core.execute(() -> {
            if (mastership.role() == ControllerRole.MASTER) {
                LOG.warn("switch {} takes a newer master (generation {}): this controller is a slave now",
                        session.label(), generation);
                mastership.set(ControllerRole.SLAVE, mastership.generation());
            }
        });
    }

    /**
     * A neighbour solicitation the responder's flow sent up ({@link NeighbourResponder}): answered with the advertisement
     * of the endpoint of the frame's network (its metadata) that has the target address, out of the port it came in
     * by. Anything else is counted and dropped. A slave answers nothing (the master does).
     */
    @Override
    public void packetIn(SwitchSession session, org.projectfloodlight.openflow.protocol.OFPacketIn packetIn) {
        core.execute(() -> {
            Match match = packetIn.getMatch();
            OFPort inPort = match.get(MatchField.IN_PORT);
            if (inPort != null && probes.offer(session.dpid(), inPort.getPortNumber(), packetIn.getData())) {
                return;
            }
            org.projectfloodlight.openflow.types.OFMetadata metadata = match.get(MatchField.METADATA);
            java.util.Optional<byte[]> answer = !mastership.writes() || inPort == null || metadata == null
                    ? java.util.Optional.empty()
                    : NeighbourAdvertisement.answer(packetIn.getData(), address -> NeighbourResponder.macFor(model,
                            (int) metadata.getValue().getValue(), address));
            if (answer.isPresent()) {
                session.sendPacketOut(inPort.getPortNumber(), answer.get());
                neighbourAnswers.incrementAndGet();
            } else {
                LOG.debug("switch {}: a packet-in the responder does not answer ({} dropped)", session.label(),
                        unanswered.incrementAndGet());
            }
        });
    }

    @Override
    public void packetInDropped(SwitchSession session) {
        limitedPackets.incrementAndGet();
    }

    /** How many packets the switches sent up beyond their rate, dropped before the controller's thread saw them. */
    public long limitedPackets() {
        return limitedPackets.get();
    }

    /** How many neighbour solicitations the controller answered for the switches. */
    public long neighbourAnswers() {
        return neighbourAnswers.get();
    }

    /** How many times this controller wrote the model to the cluster's store (0 without one). */
    public long storeSaves() {
        return cluster == null ? 0 : cluster.models().saves();
    }

    /**
     * How many documents those writes made, replaced or deleted in the store (0 without one): per move, some 3 per
     * change of it (the head, a bucket's new part, the part it replaces).
     */
    public long storeDocumentsWritten() {
        return cluster == null ? 0 : cluster.models().documentsWritten();
    }

    /** How long those writes' store transactions took, in milliseconds (0 without a store). */
    public long storeWriteMillis() {
        return cluster == null ? 0 : cluster.models().writeMillis();
    }

    /** How many packets the switches sent up that the controller dropped unanswered. */
    public long unansweredPackets() {
        return unanswered.get();
    }

    /** Once a switch answered the role request: a master reconciles it, a slave only reads it. */
    private void afterRole(SwitchSession session) {
        if (mastership.writes()) {
            reconcile(session);
        } else {
            readiness.computeIfAbsent(session.dpid(), k -> new CompletableFuture<>()).complete(null);
        }
    }

    /**
     * Takes {@code role} with {@code generation} towards every connected switch (and those that connect later). A new
     * master reconciles every switch to its plan; a slave writes nothing and refuses changes. Fails if a switch refuses
     * the role (a stale generation: a newer master exists), and then the controller is a slave.
     */
    public CompletableFuture<Void> takeRole(ControllerRole role, long generation) {
        return CompletableFuture.supplyAsync(() -> {
            mastership.set(role, generation);
            LOG.info("taking the role {} (generation {}) towards {} switches", role, generation, sessions.size());
            List<CompletableFuture<Void>> claims = new ArrayList<>();
            for (SwitchSession session : List.copyOf(sessions.values())) {
                if (session.active()) {
                    claims.add(claimRole(session).thenRunAsync(() -> afterRole(session), core));
                }
            }
            return CompletableFuture.allOf(claims.toArray(CompletableFuture[]::new)).whenCompleteAsync((v, err) -> {
                if (err != null && role == ControllerRole.MASTER) {
                    mastership.set(ControllerRole.SLAVE, generation);
                }
            }, core);
        }, core).thenCompose(f -> f).exceptionally(err -> {
            Throwable cause = unwrap(err);
            throw new CompletionException(cause instanceof OpenFlowErrorException refused
                    && refused.errorType().contains("ROLE_REQUEST_FAILED")
                    ? new NotMasterException("a switch refused this controller as " + role + " (generation "
                    + generation + "): " + refused.getMessage()) : cause);
        });
    }

    /**
     * Takes over as the cluster's master with {@code generation}: loads the model from the store (what changed since
     * this slave last followed it; the plan of the rest is warm), closes the moves the
     * previous master left open ({@link #takenOver}), writes it back by compare-and-set (so that a previous master's
     * next write is refused) and takes the role of master towards every switch, reconciling each. Fails, a slave, if
     * the store or a switch refuses.
     */
    CompletableFuture<Void> lead(long generation) {
        long[] phases = new long[5];
        return CompletableFuture.supplyAsync(() -> {
            phases[0] = System.nanoTime();
            ModelState loaded = models.load();
            commits.resume(loaded, cluster.models().reads());
            model = loaded;
            phases[1] = System.nanoTime();
            replan();
            phases[2] = System.nanoTime();
            model = takenOver(loaded);
            try {
                commits.save(model).join();
            } catch (CompletionException e) {
                storeRefused(e);
                throw e;
            }
            phases[3] = System.nanoTime();
            replan();
            phases[4] = System.nanoTime();
            return takeRole(ControllerRole.MASTER, generation);
        }, core).thenCompose(f -> f).thenRun(() -> LOG.info("leading with generation {}: {} endpoints, {} links, {} "
                + "networks; took over in {} ms: read what changed in the store {} ms, planned it {} ms, closed the open "
                + "moves and wrote them back {} ms, planned that {} ms, claimed and reconciled {} switches {} ms",
                generation, model.endpoints().size(), model.links().size(), model.networks().size(),
                millis(phases[0], System.nanoTime()), millis(phases[0], phases[1]), millis(phases[1], phases[2]),
                millis(phases[2], phases[3]), millis(phases[3], phases[4]), sessions.size(),
                millis(phases[4], System.nanoTime())));
    }

    private static long millis(long from, long to) {
        return (to - from) / 1_000_000;
    }

    /**
     * A slave's model follows the store's ({@link SharedModel#refresh}): it answers reads, and its plan is kept, so that
     * a takeover reads and plans only what changed since. A master's own model is left alone.
     */
    void follow(ModelState state) {
        core.execute(() -> {
            if (mastership.role() == ControllerRole.MASTER) {
                return;
            }
            model = state;
            commits.resume(state, cluster.models().reads());
            // a slave sends nothing: the changed keys are not kept (a new master reconciles each switch whole)
            replan().forEach(plan::takeChanged);
        });
    }

    /**
     * The model a new master starts from: a move the previous master committed in the store stays committed (the
     * reconciliation rolls its flows forward on every switch); a move it left prepared or redirected is rolled back,
     * its endpoint where it was, since its commit never reached the store (and so no switch).
     */
    static ModelState takenOver(ModelState loaded) {
        ModelState result = loaded;
        for (Move move : loaded.moves().values()) {
            if (move.state() == MoveState.PREPARED || move.state() == MoveState.REDIRECTED) {
                LOG.warn("move {} of {} was left {} by the previous master: rolled back", move.id(), move.endpoint(),
                        move.state());
                result = result.withMove(move.with(MoveState.ROLLED_BACK));
            }
        }
        return result;
    }

    /** The generation id of the controller's role. */
    long generation() {
        return CompletableFuture.supplyAsync(mastership::generation, core).join();
    }

    /** The controller's role. */
    public ControllerRole role() {
        return CompletableFuture.supplyAsync(mastership::role, core).join();
    }

    /** How many sessions were refused because a live session held their datapath id. */
    public long refusedSessions() {
        return refusedSessions.get();
    }

    /** How many sessions were refused because their certificate was not bound to the datapath id they claimed. */
    public long refusedIdentities() {
        return refusedIdentities.get();
    }

    /** How many connections were refused because their TLS handshake failed (a certificate the CA did not sign). */
    public long refusedTls() {
        return server.tlsRefusals();
    }

    /**
     * A port that appears, or comes back with another number, changes the plan of its switch. A port that only goes
     * down or up changes nothing: converging then would push the switch's flows out of turn, ahead of a commit that
     * goes one distance at a time (a cable switched at the cutover makes both its ports report).
     */
    @Override
    public void portChanged(SwitchSession session, String port, int number, boolean deleted) {
        core.execute(() -> {
            if (deleted) {
                return;
            }
            if (sessions.get(session.dpid()) != session) {
                return;
            }
            Integer before = knownPorts.computeIfAbsent(session.dpid(), k -> new HashMap<>()).put(port, number);
            if (before == null || before != number) {
                plan.ports(session.dpid(), knownPorts.get(session.dpid()));
                converge(session.dpid(), false, Set.of());
            }
        });
    }

    @Override
    public void closed(SwitchSession session) {
        core.execute(() -> {
            if (sessions.get(session.dpid()) == session) {
                LOG.info("switch {} disconnected", session.label());
                sessions.remove(session.dpid());
                readiness.computeIfPresent(session.dpid(), (k, f) -> f.isDone() ? null : f);
            }
        });
    }

    /** Reads the switch's flows with our cookies and converges them to the plan; foreign cookies stay. */
    private void reconcile(SwitchSession session) {
        session.dumpFlows(Cookie.MAGIC, Cookie.OURS_MASK).thenAcceptAsync(entries -> {
            session.installed.clear();
            if (session.unconfirmed.isCompletedExceptionally()) {
                // the switch's flows were read again: what a failed send lacked is sent again below, and waited for
                session.unconfirmed = CompletableFuture.completedFuture(null);
            }
            for (OFFlowStatsEntry entry : entries) {
                FlowSpec spec = FlowSpec.of(entry);
                session.installed.put(spec.key(), spec);
            }
            ModelState recovered = CommitRecovery.rollForward(model, session.installed.values());
            boolean rolledForward = !recovered.equals(model);
            if (rolledForward) {
                LOG.warn("switch {} holds commits the journal lacks; rolling them forward", session.label());
                model = recovered;
                save().whenComplete((v, err) -> {
                    if (err != null) {
                        LOG.warn("switch {}: cannot keep the commits it holds: {}", session.label(),
                                unwrap(err).getMessage());
                    }
                });
            }
            replan();
            int before = entries.size();
            plan.takeChanged(session.dpid());
            Set<FlowKey> everything = new java.util.HashSet<>(session.installed.keySet());
            everything.addAll(plan.flows(session.dpid()).keySet());
            CompletableFuture<Void> converged = converge(session.dpid(), false, Set.of(), everything);
            if (rolledForward) {
                // the switches reconciled before this one (the destination) took the journaled plan
                convergeAll(true, Set.of());
            }
            converged.whenComplete((v, err) -> {
                if (err != null) {
                    LOG.warn("switch {}: reconcile failed: {}", session.label(), err.getMessage());
                } else {
                    LOG.info("switch {} reconciled: {} flows of ours found, {} desired", session.label(), before,
                            plan.flows(session.dpid()).size());
                }
                readiness.computeIfAbsent(session.dpid(), k -> new CompletableFuture<>()).complete(null);
            });
        }, core).exceptionally(err -> {
            LOG.warn("switch {}: cannot read its flows: {}", session.label(), err.getMessage());
            return null;
        });
    }

    // ---- convergence ------------------------------------------------------------------------------------------

    /** Plans the model's change by parts; returns the switches whose flows changed. */
    private Set<Dpid> replan() {
        return plan.update(model);
    }

    /** As {@link #replan()}, where only {@code endpoint} of the model's endpoints changed. */
    private Set<Dpid> replan(String endpoint) {
        return plan.update(model, List.of(endpoint));
    }

    private CompletableFuture<Void> convergeAll(boolean atomic, Set<Long> cookieDeletes) {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (Dpid sw : List.copyOf(sessions.keySet())) {
            all.add(converge(sw, atomic, cookieDeletes));
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }

    /**
     * Converges every switch with changes atomically, one distance from {@code destination} at a time, nearest first,
     * each level once the one before confirmed: a switch that starts sending a moved endpoint's frames towards its new
     * location finds the switches further along already forwarding them there (all switches at once would let a
     * frame reach a switch that still sends it back the way it came, where it is dropped). The switches with nothing
     * to change (most, with a default route) are no level of their own. Other changes converge a switch of a later
     * level only in its turn ({@link SwitchSession#turn}). A level whose flows another change sent first waits for the
     * switch to confirm that change's flow-mods ({@link #converge}).
     */
    private CompletableFuture<Void> convergeFrom(Dpid destination) {
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        Set<Dpid> pending = plan.pending();
        List<Dpid> changing = sessions.keySet().stream().filter(pending::contains).toList();
        for (List<Dpid> level : FlowPlanner.byDistance(model.links(), destination, changing)) {
            CompletableFuture<Void> nearer = chain.handle((v, err) -> null);
            for (Dpid sw : level) {
                SwitchSession session = sessions.get(sw);
                session.turn = session.turn.isDone() ? nearer : CompletableFuture.allOf(session.turn, nearer);
            }
            chain = chain.thenComposeAsync(ignored -> CompletableFuture.allOf(level.stream()
                    .map(sw -> converge(sw, true, Set.of(), plan.takeChanged(sw))).toArray(CompletableFuture[]::new)),
                    core);
        }
        return chain;
    }

    /**
     * Sends what makes switch {@code sw} hold the plan's flows where they changed since its last convergence; while a
     * commit's levels nearer its destination are not confirmed, once they are (its changed flows hold the commit's).
     */
    private CompletableFuture<Void> converge(Dpid sw, boolean atomic, Set<Long> cookieDeletes) {
        SwitchSession session = sessions.get(sw);
        if (session != null && !session.turn.isDone()) {
            return session.turn.thenComposeAsync(v -> converge(sw, atomic, cookieDeletes), core);
        }
        return converge(sw, atomic, cookieDeletes, plan.takeChanged(sw));
    }

    /**
     * Sends what makes switch {@code sw} hold the plan's flows of {@code keys}; flows with a cookie in
     * {@code cookieDeletes} that must go are deleted by that cookie, the others strictly. A switch that is not
     * connected (or a controller that does not write) gets nothing: it is reconciled whole when it is. Completes once
     * the switch confirmed them and every flow-mod sent to it before ({@link SwitchSession#unconfirmed}): another
     * change that converged the switch meanwhile took some of these keys, and sent their flows, unconfirmed yet.
     */
    private CompletableFuture<Void> converge(Dpid sw, boolean atomic, Set<Long> cookieDeletes, Set<FlowKey> keys) {
        SwitchSession session = sessions.get(sw);
        if (session == null || !session.active() || !mastership.writes()) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> earlier = session.unconfirmed;
        List<OFFlowMod> mods = diff(session, sw, keys, cookieDeletes);
        if (mods.isEmpty()) {
            // what these keys need may be on its way in an earlier change's flow-mods (taken as installed when sent):
            // done once the switch confirmed those
            return earlier;
        }
        boolean bundle = atomic && session.bundles;
        CompletableFuture<Void> own = send(session, mods, bundle).handle((v, err) -> err).thenCompose(err -> {
            if (err == null) {
                return CompletableFuture.<Void>completedFuture(null);
            }
            return CompletableFuture.supplyAsync(() -> recover(session, sw, mods, bundle, err), core)
                    .thenCompose(f -> f);
        });
        // done once the switch also confirmed the flow-mods sent before, which may carry flows these keys need
        session.unconfirmed = earlier.isDone() ? own : CompletableFuture.allOf(earlier, own);
        return session.unconfirmed;
    }

    /** After a failed send: fall back from bundles if the switch lacks them, else read its flows again. */
    private CompletableFuture<Void> recover(SwitchSession session, Dpid sw, List<OFFlowMod> mods, boolean bundle,
                                            Throwable err) {
        Throwable cause = unwrap(err);
        if (cause instanceof NotMasterException || cause instanceof io.cutover.store.StoreException) {
            // the store did not take the change: nothing was sent, and storeRefused has dealt with the switches
            return CompletableFuture.failedFuture(cause);
        }
        if (bundle && cause instanceof OpenFlowErrorException rejected
                && rejected.errorType().contains("BAD_REQUEST")) {
            LOG.warn("switch {} rejects ONF bundles ({}); falling back to ordered flow-mods and a barrier", session.label(),
                    rejected.getMessage());
            session.bundles = false;
            return transmit(session, mods, false);
        }
        if (cause instanceof OpenFlowErrorException refused && refused.errorCode().contains("IS_SLAVE")) {
            LOG.warn("switch {} takes this controller as a slave now (a newer master took it): writing nothing more",
                    session.label());
            mastership.set(ControllerRole.SLAVE, mastership.generation());
            return CompletableFuture.failedFuture(new NotMasterException("switch " + session.label()
                    + " refused a write: this controller is no longer its master"));
        }
        if (!(cause instanceof SwitchUnavailableException) && sessions.get(sw) == session) {
            LOG.warn("switch {}: {}; reading its flows again", session.label(), cause.getMessage());
            reconcile(session);
        }
        return CompletableFuture.failedFuture(cause);
    }

    /**
     * The flow-mods that make the switch's flows of {@code keys} the plan's (adds first, then strict deletes, then
     * deletes by cookie), and takes them as installed.
     */
    private List<OFFlowMod> diff(SwitchSession session, Dpid sw, Set<FlowKey> keys, Set<Long> cookieDeletes) {
        Map<FlowKey, FlowSpec> desired = plan.flows(sw);
        List<OFFlowMod> mods = new ArrayList<>();
        List<OFFlowMod> deletes = new ArrayList<>();
        Set<Long> byCookie = new java.util.TreeSet<>();
        for (FlowKey key : keys) {
            FlowSpec spec = desired.get(key);
            FlowSpec installed = session.installed.get(key);
            if (spec != null) {
                if (!spec.sameAs(installed)) {
                    mods.add(spec.toAdd());
                    session.installed.put(key, spec);
                }
            } else if (installed != null) {
                if (cookieDeletes.contains(installed.cookie())) {
                    byCookie.add(installed.cookie());
                } else {
                    deletes.add(installed.toDeleteStrict());
                }
                session.installed.remove(key);
            }
        }
        mods.addAll(deletes);
        for (long cookie : byCookie) {
            mods.add(SwitchSession.OF.buildFlowDelete().setTableId(TableId.ALL).setCookie(U64.of(cookie))
                    .setCookieMask(U64.of(Cookie.EXACT)).setOutPort(OFPort.ANY).setOutGroup(OFGroup.ANY)
                    .setMatch(SwitchSession.OF.buildMatch().build()).build());
        }
        return mods;
    }

    /**
     * Journals the model as it is now, on the journal thread, so that the fsync overlaps the switches' round trip;
     * an operation completes only when both are done. A crash in between leaves the switches ahead of the journal,
     * and reconciliation on restart takes them back to the journaled state (the operation never completed). With a
     * cluster's store the model is written there first: with the saves asked for while one is in flight, in one
     * transaction ({@link GroupCommit}), and the change's flow-mods wait for it ({@link #send}).
     */
    private CompletableFuture<Void> save() {
        if (models == null) {
            return CompletableFuture.completedFuture(null);
        }
        ModelState snapshot = model;
        if (models.shared()) {
            // a failure completes the change once the model is back as the store last took it
            CompletableFuture<Void> saved = commits.save(snapshot).handle((v, err) -> err == null
                    ? CompletableFuture.<Void>completedFuture(null) : CompletableFuture.<Void>supplyAsync(() -> {
                        storeRefused(err);
                        throw err instanceof CompletionException c ? c : new CompletionException(err);
                    }, core)).thenCompose(f -> f);
            stored = saved;
            return saved;
        }
        return CompletableFuture.runAsync(() -> models.save(snapshot), journalThread);
    }

    /**
     * After the cluster's store refused a save or failed it (the compare-and-set is what keeps two controllers from
     * both changing flows): the model goes back to what the store last took, and the changes made since fail with
     * that save (their flow-mods were never sent). A refusal (another controller wrote) makes this controller a slave;
     * a master that stays one reads its switches' flows again, since the failed changes' flow-mods were taken as sent.
     * Core thread; once per failed group.
     */
    private void storeRefused(Throwable error) {
        if (!commits.failing()) {
            return;
        }
        Throwable cause = unwrap(error);
        model = commits.landed();
        replan();
        commits.resume(model, commits.term());
        stored = CompletableFuture.completedFuture(null);
        if (cause instanceof NotMasterException) {
            LOG.warn("{}: a slave now", cause.getMessage());
            mastership.set(ControllerRole.SLAVE, mastership.generation());
        } else {
            LOG.warn("the store did not take a change ({}): the model is back as the store last took it",
                    cause.getMessage());
            if (mastership.writes()) {
                List.copyOf(sessions.values()).stream().filter(SwitchSession::active).forEach(this::reconcile);
            }
        }
    }

    // ---- API operations (each runs on the core thread) --------------------------------------------------------

    /**
     * Logs one line when a move's change is done — confirmed by every switch it touched — or refused, with how long
     * it took from the call (the core's queue included): the controller's share of a cutover's step.
     */
    private static CompletableFuture<Move> logged(String what, String subject, long started,
                                                  CompletableFuture<Move> change) {
        return change.whenComplete((move, error) -> {
            double millis = (System.nanoTime() - started) / 1e6;
            if (error == null) {
                LOG.info("move {} of {} {} in {} ms", move.id(), move.endpoint(), what,
                        String.format(java.util.Locale.ROOT, "%.1f", millis));
            } else {
                LOG.info("{}: not {} after {} ms: {}", subject, what,
                        String.format(java.util.Locale.ROOT, "%.1f", millis), io.cutover.support.Causes.unwrap(error)
                                .getMessage());
            }
        });
    }

    /** Runs a change of the model (or of a switch) on the core thread; a slave refuses it. */
    private <T> CompletableFuture<T> onCore(Supplier<CompletableFuture<T>> task) {
        return CompletableFuture.supplyAsync(() -> {
            mastership.requireWrites("a change");
            return task.get();
        }, core).thenCompose(f -> f);
    }

    public CompletableFuture<Void> putEndpoint(Endpoint endpoint) {
        return putEndpoints(List.of(endpoint));
    }

    /** Adds or replaces endpoints: one check of them all, one journal write, one plan, one convergence. */
    public CompletableFuture<Void> putEndpoints(List<Endpoint> endpoints) {
        return onCore(() -> {
            Map<String, Endpoint> incoming = new LinkedHashMap<>();
            for (Endpoint endpoint : endpoints) {
                if (incoming.put(endpoint.name(), endpoint) != null) {
                    throw new IllegalArgumentException("endpoint " + endpoint.name() + " is listed twice");
                }
            }
            Map<Integer, String> ids = new HashMap<>();
            // the others by MAC and by port: the checks below look at those only (all of them per endpoint made a
            // batch's checks quadratic in the endpoints)
            Map<String, List<Endpoint>> byMac = new HashMap<>();
            Map<List<Object>, List<Endpoint>> byPort = new HashMap<>();
            java.util.function.Consumer<Endpoint> other = e -> {
                byMac.computeIfAbsent(e.mac(), k -> new ArrayList<>()).add(e);
                byPort.computeIfAbsent(List.of(e.switchId(), e.port()), k -> new ArrayList<>()).add(e);
            };
            for (ModelState.Placed placed : model.endpoints().values()) {
                if (!incoming.containsKey(placed.endpoint().name())) {
                    ids.put(placed.endpoint().id(), placed.endpoint().name());
                    other.accept(placed.endpoint());
                }
            }
            MacSegments segments = new MacSegments(model.links());
            List<ModelState.Placed> placed = new ArrayList<>(endpoints.size());
            for (Endpoint endpoint : endpoints) {
                String sameId = ids.putIfAbsent(endpoint.id(), endpoint.name());
                if (sameId != null) {
                    throw new IllegalArgumentException("endpoint " + endpoint.name() + " has the id of " + sameId);
                }
                requireDefinedNetwork(endpoint);
                segments.require(endpoint, endpoint.switchId(), byMac.getOrDefault(endpoint.mac(), List.of()));
                requireOneNetworkPerPort(endpoint, byPort.getOrDefault(List.of(endpoint.switchId(), endpoint.port()),
                        List.of()));
                other.accept(endpoint);
                if (model.openMove(endpoint.name()).isPresent()) {
                    throw new MoveStateException("endpoint " + endpoint.name() + " is moving; finish the move first");
                }
                ModelState.Placed old = model.endpoints().get(endpoint.name());
                placed.add(new ModelState.Placed(endpoint, old == null ? 0 : old.generation()));
            }
            model = model.withEndpoints(placed);
            CompletableFuture<Void> saved = save();
            replan();
            return convergeAll(false, Set.of()).thenCombine(saved, (v, w) -> v);
        });
    }

    /**
     * Once any network is defined, an endpoint must name one of them: a typo in a network id would otherwise create a
     * network of its own, isolated, with its id as VNI. A controller with no network defined keeps networks implicit
     * (any id, its VNI the id), as before networks were objects; endpoints already in an undefined network stay.
     */
    private void requireDefinedNetwork(Endpoint endpoint) {
        Map<Integer, Network> networks = model.networks();
        if (!networks.isEmpty() && !networks.containsKey(endpoint.network())) {
            throw new IllegalArgumentException("endpoint " + endpoint.name() + " names network " + endpoint.network()
                    + ", which is not defined (" + networks.size() + (networks.size() == 1 ? " network is" : " networks are")
                    + " defined: GET /v1/networks lists them, POST /v1/networks defines one)");
        }
    }

    /**
     * Defines a network; one identical to a defined network changes nothing. Completes with whether it was added,
     * once journaled.
     *
     * @throws ConflictException (in the stage) when its id is defined with another VNI or name, or its VNI is carried
     *                           by another network (a defined one, or an undefined one its endpoints use: its VNI is its
     *                           id)
     */
    public CompletableFuture<Boolean> addNetwork(Network network) {
        return onCore(() -> {
            Network old = model.networks().get(network.id());
            if (network.equals(old)) {
                return CompletableFuture.completedFuture(false);
            }
            if (old != null) {
                throw new ConflictException("network " + network.id() + " is defined with vni " + old.vni()
                        + " and name " + old.name() + ": delete it first to change it");
            }
            for (Network other : model.networks().values()) {
                if (other.vni() == network.vni()) {
                    throw new ConflictException("vni " + network.vni() + " is carried by network " + other.id() + " ("
                            + other.name() + ")");
                }
            }
            model.endpoints().values().stream().map(p -> p.endpoint().network())
                    .filter(id -> id != network.id() && id == network.vni() && !model.networks().containsKey(id))
                    .findFirst().ifPresent(id -> {
                        throw new ConflictException("vni " + network.vni() + " is carried by network " + id + ", which "
                                + "endpoints use without its being defined (its vni is its id): define network " + id
                                + " first, or choose another vni");
                    });
            model = model.withNetwork(network);
            LOG.info("network {} (vni {}, {}) defined", network.id(), network.vni(), network.name());
            return changedNetworks().thenApply(v -> true);
        });
    }

    /**
     * Removes a network that no endpoint is in; completes once journaled.
     *
     * @throws NotFoundException (in the stage) when it is not defined
     * @throws ConflictException (in the stage) while endpoints are in it
     */
    public CompletableFuture<Void> removeNetwork(int id) {
        return onCore(() -> {
            Network network = model.networks().get(id);
            if (network == null) {
                throw new NotFoundException("no network " + id);
            }
            List<String> members = model.endpoints().values().stream().map(ModelState.Placed::endpoint)
                    .filter(e -> e.network() == id).map(Endpoint::name).toList();
            if (!members.isEmpty()) {
                throw new ConflictException("network " + id + " (" + network.name() + ") still has " + members.size()
                        + (members.size() == 1 ? " endpoint: " : " endpoints: ")
                        + String.join(", ", members.stream().limit(10).toList()) + (members.size() > 10 ? ", ..." : "")
                        + "; remove them or put them in another network first");
            }
            model = model.withoutNetwork(id);
            LOG.info("network {} (vni {}, {}) removed", id, network.vni(), network.name());
            return changedNetworks();
        });
    }

    /**
     * Journals a change of the networks. Today's flows do not depend on them (a network's flows are its endpoints'),
     * so convergence sends nothing; it is run all the same so that flows that come to depend on a network's VNI (the
     * overlay) follow a network defined for endpoints that used it while it was implicit.
     */
    private CompletableFuture<Void> changedNetworks() {
        CompletableFuture<Void> saved = save();
        replan();
        return convergeAll(false, Set.of()).thenCombine(saved, (v, w) -> v);
    }

    /**
     * A port belongs to exactly one network: the admitting table tags everything that arrives on it with one network,
     * so endpoints of two networks on one port would have one of them cut off.
     */
    private static void requireOneNetworkPerPort(Endpoint endpoint, List<Endpoint> others) {
        others.stream().filter(other -> other.switchId().equals(endpoint.switchId())
                        && other.port().equals(endpoint.port()) && other.network() != endpoint.network())
                .findFirst().ifPresent(other -> {
                    throw new IllegalArgumentException("endpoint " + endpoint.name() + " (network "
                            + endpoint.network() + ") is on port " + endpoint.port() + " of " + endpoint.switchId()
                            + ", which belongs to network " + other.network() + " (endpoint " + other.name()
                            + "): a port belongs to exactly one network");
                });
    }

    public CompletableFuture<Void> removeEndpoint(String name) {
        return onCore(() -> {
            ModelState.Placed old = placed(name);
            if (model.openMove(name).isPresent()) {
                throw new MoveStateException("endpoint " + name + " is moving; finish the move first");
            }
            model = model.withoutEndpoint(name);
            CompletableFuture<Void> saved = save();
            replan();
            Endpoint e = old.endpoint();
            return convergeAll(false, Set.of(Cookie.of(e.network(), e.id(), old.generation())))
                    .thenCombine(saved, (v, w) -> v);
        });
    }

    public CompletableFuture<Void> setLinks(List<Link> links) {
        return onCore(() -> {
            LinkTree.require(links);
            MacSegments segments = new MacSegments(links);
            List<Endpoint> all = model.endpoints().values().stream().map(ModelState.Placed::endpoint).toList();
            all.forEach(endpoint -> segments.clash(endpoint, endpoint.switchId(), all).ifPresent(other -> {
                throw new IllegalArgumentException("these links would join endpoints " + endpoint.name() + " and "
                        + other.name() + ", which have one MAC, in one layer-2 segment");
            }));
            model = model.withLinks(links);
            CompletableFuture<Void> saved = save();
            replan();
            return convergeAll(false, Set.of()).thenCombine(saved, (v, w) -> v);
        });
    }

    public CompletableFuture<Move> prepare(String endpoint, Dpid toSwitch, String toPort, String mirrorPort) {
        long started = System.nanoTime();
        return logged("prepared", endpoint, started, onCore(() -> {
            ModelState.Placed placed = placed(endpoint);
            Endpoint e = placed.endpoint();
            model.openMove(endpoint).ifPresent(m -> {
                throw new MoveStateException("endpoint " + endpoint + " already has open move " + m.id());
            });
            if (toSwitch == null) {
                throw new IllegalArgumentException("the destination switch is missing");
            }
            if (e.switchId().equals(toSwitch) && e.port().equals(toPort)) {
                throw new IllegalArgumentException("endpoint " + endpoint + " is already at " + toSwitch + "/" + toPort);
            }
            if (mirrorPort != null && mirrorPort.isBlank()) {
                throw new IllegalArgumentException("the mirror port is blank");
            }
            new MacSegments(model.links()).require(e, toSwitch, plan.withMac(e.mac()));
            requireConnected(mirrorPort == null ? List.of(toSwitch) : List.of(toSwitch, e.switchId()));
            int id = nextMoveId();
            Move move = new Move(id, endpoint, e.switchId(), e.port(), placed.generation(), toSwitch, toPort, mirrorPort,
                    MoveState.PREPARED);
            model = model.withMove(move);
            CompletableFuture<Void> saved = save();
            replan();
            CompletableFuture<Void> converged = converge(toSwitch, false, Set.of());
            if (mirrorPort != null && !e.switchId().equals(toSwitch)) {
                converged = converged.thenCombine(converge(e.switchId(), false, Set.of()), (v, w) -> null);
            }
            return converged.thenCombine(saved, (v, w) -> move);
        }));
    }

    public CompletableFuture<Move> redirectToForwarder(int moveId, String port) {
        long started = System.nanoTime();
        return logged("redirected", "move " + moveId, started, onCore(() -> {
            Move move = move(moveId);
            if (move.state() != MoveState.PREPARED && move.state() != MoveState.REDIRECTED) {
                throw new MoveStateException("move " + moveId + " is " + move.state() + ", not PREPARED");
            }
            if (port == null || port.isBlank()) {
                throw new IllegalArgumentException("the forwarder port is missing");
            }
            requireConnected(List.of(move.fromSwitch()));
            Move redirected = move.redirectedTo(port);
            model = model.withMove(redirected);
            CompletableFuture<Void> saved = save();
            replan();
            CompletableFuture<Void> converged = converge(move.fromSwitch(), true, Set.of());
            if (!move.toSwitch().equals(move.fromSwitch())) {
                // the destination gains the flow that takes what its own forwarder delivers to the new port (the
                // forwarder port is known from the redirect on): without it, that flow waited for the commit
                converged = converged.thenCombine(converge(move.toSwitch(), false, Set.of()), (v, w) -> null);
            }
            return converged.thenCombine(saved, (v, w) -> redirected);
        }));
    }

    public CompletableFuture<Move> commit(int moveId) {
        long started = System.nanoTime();
        return logged("committed", "move " + moveId, started, onCore(() -> {
            Move move = move(moveId);
            if (move.state() != MoveState.PREPARED && move.state() != MoveState.REDIRECTED) {
                throw new MoveStateException("move " + moveId + " is " + move.state() + ", not PREPARED or REDIRECTED");
            }
            ModelState before = model;
            Move committed = move.with(MoveState.COMMITTED);
            model = CommitRecovery.committed(model, move);
            Set<Dpid> changed = replan(move.endpoint());
            try {
                requireConnected(changed);
            } catch (RuntimeException e) {
                model = before;
                replan();
                throw e;
            }
            if (models != null && models.shared()) {
                // a cluster's store has the commit before any switch does: a new master rolls it forward
                CompletableFuture<Void> saved = save();
                return convergeFrom(move.toSwitch()).thenCombine(saved, (v, w) -> committed);
            }
            // journaled once the switches confirmed, off the commit's path: if the write is lost in a crash, the
            // switches' cookies roll the commit forward on reconnect (CommitRecovery)
            return convergeFrom(move.toSwitch()).whenComplete((v, err) -> core.execute(() -> save()
                    .whenComplete((w, journalError) -> {
                        if (journalError != null) {
                            LOG.error("cannot journal the commit of move {}: {}", moveId, journalError.getMessage());
                        }
                    }))).thenApply(v -> committed);
        }));
    }

    /**
     * Sends {@code frames} into the endpoint's switch as if the endpoint had sent them from its port, through the
     * switch's tables (where its own frames go): the announcements of a VM that has just moved enter the network at
     * its new port, not at some host's interface. Only frames from the endpoint's own MAC ({@link EndpointFrames}).
     * Completes with how many were sent once the switch has confirmed them.
     */
    public CompletableFuture<Integer> sendFrames(String endpoint, List<byte[]> frames) {
        return onCore(() -> {
            Endpoint e = placed(endpoint).endpoint();
            EndpointFrames.require(e, frames);
            int port = portOf(e);
            return session(e.switchId()).sendPacketsIn(port, frames).thenApply(v -> frames.size());
        });
    }

    public CompletableFuture<ProbeAnswer> probe(String endpoint, Duration timeout) {
        return onCore(() -> {
            Endpoint e = placed(endpoint).endpoint();
            return probes.probe(e, portOf(e), timeout);
        });
    }

    /** The number of the endpoint's port on its switch, which must be connected and have it. Core thread. */
    private int portOf(Endpoint e) {
        requireConnected(List.of(e.switchId()));
        Integer port = session(e.switchId()).ports().get(e.port());
        if (port == null) {
            throw new SwitchUnavailableException(e.switchId(), "has no port " + e.port() + " for endpoint "
                    + e.name());
        }
        return port;
    }

    public CompletableFuture<Move> cleanup(int moveId) {
        long started = System.nanoTime();
        return logged("cleaned up", "move " + moveId, started, onCore(() -> {
            Move move = move(moveId);
            if (move.state() != MoveState.COMMITTED) {
                throw new MoveStateException("move " + moveId + " is " + move.state() + ", not COMMITTED");
            }
            Move cleaned = move.with(MoveState.CLEANED);
            model = model.withMove(cleaned);
            CompletableFuture<Void> saved = save();
            replan();
            Endpoint e = placed(move.endpoint()).endpoint();
            return convergeAll(false, Set.of(Cookie.of(e.network(), e.id(), move.fromGeneration())))
                    .thenCombine(saved, (v, w) -> cleaned);
        }));
    }

    public CompletableFuture<Move> rollback(int moveId) {
        long started = System.nanoTime();
        return logged("rolled back", "move " + moveId, started, onCore(() -> {
            Move move = move(moveId);
            if (!move.open()) {
                throw new MoveStateException("move " + moveId + " is " + move.state() + " and cannot be rolled back");
            }
            ModelState.Placed placed = placed(move.endpoint());
            Endpoint e = placed.endpoint();
            Move rolledBack = move.with(MoveState.ROLLED_BACK);
            if (move.state() == MoveState.COMMITTED) {
                model = model.withEndpoint(new ModelState.Placed(e.at(move.fromSwitch(), move.fromPort()),
                        move.fromGeneration()));
            }
            model = model.withMove(rolledBack);
            CompletableFuture<Void> saved = save();
            replan(e.name());
            return convergeAll(true, Set.of(Cookie.of(e.network(), e.id(), move.id()))).thenCombine(saved, (v, w) -> rolledBack);
        }));
    }

    /** Sends raw flow-mods to a switch and confirms them with a barrier (not tracked by the plan). */
    public CompletableFuture<Void> sendFlowMods(Dpid sw, List<OFFlowMod> mods) {
        return transmit(session(sw), mods, false);
    }

    /**
     * Sends {@code mods} to the session's switch once the store has the change they come from ({@link #stored}), in
     * the order they were asked for; fails, sending nothing, if the store did not take it.
     */
    private CompletableFuture<Void> send(SwitchSession session, List<OFFlowMod> mods, boolean bundle) {
        CompletableFuture<Void> gate = stored;
        if (gate.isDone() && !gate.isCompletedExceptionally() && dispatched.isDone()) {
            return transmit(session, mods, bundle);
        }
        CompletableFuture<CompletableFuture<Void>> sending = dispatched.thenCompose(v -> gate.handleAsync(
                (ok, err) -> err == null ? transmit(session, mods, bundle) : CompletableFuture.<Void>failedFuture(err),
                core));
        dispatched = sending.handle((f, err) -> null);
        return sending.thenCompose(f -> f);
    }

    /** Sends {@code mods} to the session's switch as an atomic bundle or ordered with a barrier, counted. */
    private CompletableFuture<Void> transmit(SwitchSession session, List<OFFlowMod> mods, boolean bundle) {
        return bundle ? sent.track(OpenFlowCounters.Kind.BUNDLE, mods.size(), session.sendBundle(mods))
                : sent.track(OpenFlowCounters.Kind.BARRIER, mods.size(), session.sendOrdered(mods));
    }

    /** What the controller has sent its switches since it started. */
    public OpenFlowCounters sent() {
        return sent;
    }

    /** Every flow on the switch, read from it. */
    public CompletableFuture<List<FlowView>> switchFlows(Dpid sw) {
        return session(sw).dumpFlows(0, 0).thenApply(entries -> entries.stream().map(entry -> {
            FlowSpec spec = FlowSpec.of(entry);
            return view(sw, spec);
        }).toList());
    }

    /** The flows the controller wants on {@code sw}. */
    public List<FlowView> desiredFlows(Dpid sw) {
        return listDesiredFlows(sw).join();
    }

    /** As {@link #desiredFlows}, read on the core thread; the caller does not wait for it. */
    public CompletableFuture<List<FlowView>> listDesiredFlows(Dpid sw) {
        return CompletableFuture.supplyAsync(() -> plan.flows(sw).values().stream().map(spec -> view(sw, spec))
                .toList(), core);
    }

    public List<SwitchInfo> switches() {
        try {
            return listSwitches().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the controller's core thread does not answer", e);
        }
    }

    /** The switches, read on the core thread; the caller does not wait for it. */
    public CompletableFuture<List<SwitchInfo>> listSwitches() {
        return CompletableFuture.supplyAsync(() -> {
            Map<Dpid, SwitchInfo> all = new TreeMap<>();
            knownPorts.forEach((dpid, ports) -> all.put(dpid, new SwitchInfo(dpid, names.get(dpid), false, ports)));
            sessions.forEach((dpid, s) -> all.put(dpid, new SwitchInfo(dpid, s.name(), s.active(), s.ports())));
            return List.copyOf(all.values());
        }, core);
    }

    /** Completes when every switch of {@code switches} is connected and reconciled. */
    public CompletableFuture<Void> awaitSwitches(Collection<Dpid> switches, Duration timeout) {
        CompletableFuture<?>[] all = switches.stream()
                .map(name -> readiness.computeIfAbsent(name, k -> new CompletableFuture<>()))
                .toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(all).orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public Map<String, Move> movesByEndpoint() {
        Map<String, Move> byEndpoint = new LinkedHashMap<>();
        model.moves().values().forEach(m -> byEndpoint.put(m.endpoint(), m));
        return byEndpoint;
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    /** Sends {@code frame} out of {@code port} of {@code sw}, past its tables; false when it is not connected. */
    private boolean sendOut(Dpid sw, int port, byte[] frame) {
        SwitchSession session = sessions.get(sw);
        if (session == null || !session.active()) {
            return false;
        }
        session.sendPacketOut(port, frame);
        return true;
    }

    private void requireConnected(Collection<Dpid> switches) {
        for (Dpid sw : switches) {
            SwitchSession session = sessions.get(sw);
            if (session == null || !session.active()) {
                throw new SwitchUnavailableException(sw, "not connected");
            }
        }
    }

    private SwitchSession session(Dpid sw) {
        SwitchSession session = sw == null ? null : sessions.get(sw);
        if (session == null) {
            throw new NotFoundException("no switch " + sw + " is connected");
        }
        return session;
    }

    private ModelState.Placed placed(String name) {
        ModelState.Placed placed = model.endpoints().get(name);
        if (placed == null) {
            throw new NotFoundException("no endpoint " + name);
        }
        return placed;
    }

    private Move move(int id) {
        Move move = model.moves().get(id);
        if (move == null) {
            throw new NotFoundException("no move " + id);
        }
        return move;
    }

    private int nextMoveId() {
        int id = model.nextMoveId();
        if (id > Cookie.MAX_GENERATION) {
            id = 1;
        }
        while (model.moves().containsKey(id) && model.moves().get(id).open()) {
            id++;
        }
        return id;
    }

    private static FlowView view(Dpid sw, FlowSpec spec) {
        return new FlowView(sw, spec.key().table(), spec.key().priority(), spec.cookie(), spec.key().match(),
                spec.actions());
    }

    static Throwable unwrap(Throwable err) {
        while (err instanceof CompletionException && err.getCause() != null) {
            err = err.getCause();
        }
        return err;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (cluster != null) {
            cluster.close();
        }
        server.close();
        core.shutdownNow();
        journalThread.shutdown();
        try {
            journalThread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (models instanceof StateJournal journal) {
            journal.close();
        }
    }
}
