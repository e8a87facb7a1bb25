package io.cutover.sdn;

import io.cutover.sdn.impl.ControllerCore;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import io.cutover.sdn.impl.SwitchSession;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * An OpenFlow 1.3 controller that keeps endpoints (VM interfaces) reachable through proactive flows on switches
 * running with {@code fail-mode=secure}, and moves them atomically.
 *
 * <pre>{@code
 * try (SdnController sdn = SdnController.start(ControllerOptions.builder().port(0).build())) {
 *     sdn.setLinks(links).toCompletableFuture().join();
 *     sdn.putEndpoint(vm).toCompletableFuture().join();
 *     Move move = sdn.prepare("vm1", Dpid.parse("0000a2b3c4d5e6f7"), "vm1").toCompletableFuture().join();
 *     sdn.commit(move.id()).toCompletableFuture().join();   // every switch confirmed
 *     sdn.cleanup(move.id()).toCompletableFuture().join();  // the old location's flows are gone
 * }
 * }</pre>
 *
 * Switches are named by their datapath id ({@link Dpid}); a bridge's name is only the label {@link SwitchInfo#name()}
 * shows, and two switches may share it. While a switch's session is alive, a second session claiming its datapath id
 * is refused ({@link #refusedSessions()} counts them). With TLS and a switch CA ({@link ControllerTls}), a peer whose
 * certificate the CA did not sign is refused before its OpenFlow handshake ({@link #refusedTlsSessions()}).
 * <p>
 * Futures fail with {@link OpenFlowErrorException} (a switch rejected a message; its xid and error),
 * {@link SwitchUnavailableException}, {@link MoveStateException}, {@link ConflictException} (networks),
 * {@link NotFoundException} or {@link IllegalArgumentException} (bad input).
 * <p>
 * Networks: an endpoint names its network by id. While no {@link Network} is defined, networks are implicit (any id,
 * its VNI the id). Once one is defined, an endpoint must name a defined network (else {@link IllegalArgumentException});
 * endpoints put before stay where they are.
 */
public final class SdnController implements AutoCloseable {
    private final ControllerCore core;

    private SdnController(ControllerCore core) {
        this.core = core;
    }

    /**
     * Loads the journaled state (if {@link ControllerOptions#stateDir()} is set) and starts listening.
     *
     * @throws SdnException when the port cannot be bound or the journal cannot be read
     */
    public static SdnController start(ControllerOptions options) {
        return new SdnController(new ControllerCore(options));
    }

    /**
     * Rewrites the journal in {@code stateDir} written when switches were named by bridge name so that it names them
     * by datapath id (run it while no controller uses the directory); the old file stays beside it as
     * {@code state.json.by-name}. A journal already by datapath id is left as it is.
     *
     * @param dpids each bridge name the journal uses, to its switch's datapath id
     * @throws IllegalArgumentException when the journal names a bridge {@code dpids} lacks
     */
    public static void migrateJournal(java.nio.file.Path stateDir, java.util.Map<String, Dpid> dpids) {
        new io.cutover.sdn.impl.StateJournal(stateDir).migrate(dpids);
    }

    /** The address switches connect to. */
    public InetSocketAddress address() {
        return core.address();
    }

    /** The factory of OpenFlow 1.3 messages, for {@link #sendFlowMods}. */
    public static OFFactory factory() {
        return SwitchSession.OF;
    }

    /** Known switches, connected or not, by datapath id. */
    public List<SwitchInfo> switches() {
        return core.switches();
    }

    /** As {@link #switches()}, without waiting: for callers that must not block (an event loop). */
    public CompletionStage<List<SwitchInfo>> listSwitches() {
        return core.listSwitches();
    }

    /** Registers the controller's meters (flow-mods, transactions, switches, moves) in {@code registry}. */
    public void bindTo(io.micrometer.core.instrument.MeterRegistry registry) {
        io.cutover.sdn.impl.ControllerMetrics.bind(core, registry);
    }

    /** How many sessions were refused because a live session already held their datapath id. */
    public long refusedSessions() {
        return core.refusedSessions();
    }

    /**
     * How many connections were refused because their TLS handshake failed: no client certificate, one the CA of
     * {@link ControllerTls#server} did not sign, plain TCP on a TLS port, or no handshake within the timeout. Such a
     * connection never reaches the OpenFlow handshake.
     */
    public long refusedTlsSessions() {
        return core.refusedTls();
    }

    /**
     * How many sessions were refused because the certificate they presented is not bound to the datapath id they
     * claimed ({@link ControllerOptions#switchIdentities()}).
     */
    public long refusedIdentitySessions() {
        return core.refusedIdentities();
    }

    /** Completes when each switch is connected and its flows reconciled; fails after {@code timeout}. */
    public CompletionStage<Void> awaitSwitches(Collection<Dpid> switches, Duration timeout) {
        return core.awaitSwitches(switches, timeout);
    }

    public List<Endpoint> endpoints() {
        return core.model().endpoints().values().stream().map(p -> p.endpoint()).toList();
    }

    public Optional<Endpoint> endpoint(String name) {
        return Optional.ofNullable(core.model().endpoints().get(name)).map(p -> p.endpoint());
    }

    /** The defined networks, by id. */
    public List<Network> networks() {
        return core.model().networks().values().stream().sorted(java.util.Comparator.comparingInt(Network::id))
                .toList();
    }

    public Optional<Network> network(int id) {
        return Optional.ofNullable(core.model().networks().get(id));
    }

    /**
     * The VNI that carries network {@code id} across the overlay: its defined VNI, or the id when it is not defined.
     */
    public int vni(int id) {
        return core.model().vni(id);
    }

    /**
     * Defines a network; completes once journaled, with {@code true} when it was added and {@code false} when an
     * identical network was already defined (nothing changed). No flow changes: a network's flows are its endpoints'.
     * The stage fails with {@link ConflictException} when its id is defined with another VNI or name, or another
     * network carries its VNI.
     */
    public CompletionStage<Boolean> addNetwork(Network network) {
        return core.addNetwork(java.util.Objects.requireNonNull(network, "network"));
    }

    /**
     * Removes a network; completes once journaled. Fails with {@link NotFoundException} when it is not defined and
     * {@link ConflictException} while endpoints are in it.
     */
    public CompletionStage<Void> removeNetwork(int id) {
        return core.removeNetwork(id);
    }

    public List<Link> links() {
        return core.model().links();
    }

    public List<Move> moves() {
        return List.copyOf(core.model().moves().values());
    }

    public Optional<Move> move(int id) {
        return Optional.ofNullable(core.model().moves().get(id));
    }

    /** Replaces the links between switches (they must form a tree) and converges every switch. */
    /**
     * Takes {@code role} towards every switch, with the generation id of the cluster's leader election (see
     * {@link ControllerRole}): a new master reconciles every switch; a slave writes nothing and refuses changes with
     * {@link NotMasterException}. Fails with {@link NotMasterException} if a switch refuses it (a stale generation).
     */
    public CompletionStage<Void> takeRole(ControllerRole role, long generation) {
        return core.takeRole(role, generation);
    }

    /** The controller's role towards its switches. */
    public ControllerRole role() {
        return core.role();
    }

    /**
     * Waits up to {@code timeout} until the controller has {@code role} (a member of a cluster becomes the master when
     * it leads the election, {@link ControllerOptions#store()}).
     *
     * @return whether it has it
     */
    public boolean awaitRole(ControllerRole role, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (core.role() != role) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    public CompletionStage<Void> setLinks(List<Link> links) {
        return core.setLinks(links);
    }

    /**
     * Adds or replaces an endpoint; completes when every connected switch has confirmed its flows. Once networks are
     * defined, its network must be one of them.
     */
    public CompletionStage<Void> putEndpoint(Endpoint endpoint) {
        return core.putEndpoint(endpoint);
    }

    /**
     * Adds or replaces many endpoints at once (a host's VMs when it joins): checked together (names, ids and MACs
     * unique), journaled once, planned once; completes when every connected switch has confirmed its flows.
     */
    public CompletionStage<Void> putEndpoints(List<Endpoint> endpoints) {
        return core.putEndpoints(endpoints);
    }

    /** Removes an endpoint and deletes its flows by cookie. */
    public CompletionStage<Void> removeEndpoint(String name) {
        return core.removeEndpoint(name);
    }

    /**
     * Installs the destination's flows (its port is admitted) before the guest is transferred; traffic still goes
     * to the source. Completes when the destination switch has confirmed.
     */
    public CompletionStage<Move> prepare(String endpoint, Dpid toSwitch, String toPort) {
        return core.prepare(endpoint, toSwitch, toPort, null);
    }

    /**
     * {@link #prepare(String, Dpid, String)}, and the source switch also sends the endpoint's traffic to {@code
     * mirrorPort} (a forwarder's port on it) besides its own port, until the move is redirected, committed or rolled
     * back: a forwarder that keeps what it caught lately holds what reaches the old port after the VM stopped, with no
     * change at the switch in the blackout. Completes when both switches have confirmed.
     */
    public CompletionStage<Move> prepareMirrored(String endpoint, Dpid toSwitch, String toPort, String mirrorPort) {
        return core.prepare(endpoint, toSwitch, toPort, java.util.Objects.requireNonNull(mirrorPort, "mirrorPort"));
    }

    /** At switchover: traffic for the endpoint reaching the source switch goes to {@code port} (the forwarder). */
    public CompletionStage<Move> redirectToForwarder(int moveId, String port) {
        return core.redirectToForwarder(moveId, port);
    }

    /**
     * Switches every switch to the new location, each in one atomic ONF bundle (or ordered flow-mods and a barrier
     * when a switch lacks bundles). Completes only when every changed switch has confirmed.
     */
    public CompletionStage<Move> commit(int moveId) {
        return core.commit(moveId);
    }

    /**
     * Sends {@code frames} (whole Ethernet frames from the endpoint's MAC, at most 64) into the endpoint's switch as if
     * it had sent them from its port, through the switch's tables: a moved VM's announcements, entering the network
     * where the VM now is. Completes with how many were sent once the switch confirmed them.
     *
     * @throws IllegalArgumentException (in the stage) a frame not from the endpoint's MAC, or too many or none
     */
    public CompletionStage<Integer> sendFrames(String endpoint, java.util.List<byte[]> frames) {
        return core.sendFrames(endpoint, frames);
    }

    /**
     * Asks {@code endpoint}, at the port the model has it on, for its own address until it answers there or {@code
     * timeout} has passed (see {@link ProbeAnswer}): whether a moved VM runs at its new place. Silence is an answer
     * ({@code answered} false), not a failure.
     *
     * @throws NotFoundException          (in the stage) no such endpoint
     * @throws SwitchUnavailableException (in the stage) its switch is not connected, or has no port by its name
     * @throws BusyException              (in the stage) too many endpoints are being probed at once
     */
    public CompletionStage<ProbeAnswer> probe(String endpoint, Duration timeout) {
        return core.probe(endpoint, timeout);
    }

    /** Deletes the old location's flows by their cookie; completes when every switch has confirmed. */
    public CompletionStage<Move> cleanup(int moveId) {
        return core.cleanup(moveId);
    }

    /** Restores the state before the move (also after commit) and deletes the move's flows by cookie. */
    public CompletionStage<Move> rollback(int moveId) {
        return core.rollback(moveId);
    }

    /** The flows the controller wants on a switch. */
    public List<FlowView> desiredFlows(Dpid dpid) {
        return core.desiredFlows(dpid);
    }

    /** As {@link #desiredFlows}, without waiting: for callers that must not block (an event loop). */
    public CompletionStage<List<FlowView>> listDesiredFlows(Dpid sw) {
        return core.listDesiredFlows(sw);
    }

    /** Every flow on a switch (any cookie), read from it. */
    public CompletionStage<List<FlowView>> switchFlows(Dpid dpid) {
        return core.switchFlows(dpid);
    }

    /**
     * Sends flow-mods of your own to a switch in order, then a barrier; completes when the barrier is answered or
     * fails with the first error that names one of them. The controller does not track these flows: use cookies
     * outside {@link Cookie#MAGIC}, or reconciliation deletes them.
     */
    public CompletionStage<Void> sendFlowMods(Dpid dpid, List<OFFlowMod> mods) {
        return core.sendFlowMods(dpid, mods);
    }

    /** Stops listening and closes every switch connection (the switches keep their flows). */
    @Override
    public void close() {
        core.close();
    }
}
