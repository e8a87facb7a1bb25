package io.cutover.sdn.impl;

import io.cutover.sdn.Cookie;
import io.cutover.sdn.Dpid;
import io.cutover.sdn.Endpoint;
import io.cutover.sdn.Link;
import io.cutover.sdn.Move;
import io.cutover.sdn.MoveState;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class FlowPlannerTest {
    static final Dpid TOR = Dpid.of(0xf0);
    static final Dpid A = Dpid.of(0xa0);
    static final Dpid B = Dpid.of(0xb0);
    static final Dpid X = Dpid.of(0xee);
    static final String VM_MAC = "02:00:c6:12:00:64";
    /** The match's tail of flows of network 1 (the metadata the admitting table writes). */
    static final String NET1 = ",metadata=0x1";
    static final Map<Dpid, Map<String, Integer>> PORTS = Map.of(
            TOR, Map.of("client", 1, "tor-to-a", 3, "tor-to-b", 4),
            A, Map.of("hostA", 1, "vm1", 2, "a-to-tor", 3, "fwd", 9),
            B, Map.of("hostB", 1, "b-to-tor", 2, "vm1", 5));
    static final Endpoint VM = new Endpoint(5, "vm1", 1, VM_MAC, List.of("198.18.0.100"), A, "vm1");
    static final Endpoint CLIENT = new Endpoint(1, "client", 1, "02:00:00:00:00:01", List.of(), TOR, "client");

    static ModelState lan() {
        return ModelState.empty()
                .withLinks(List.of(new Link(TOR, "tor-to-a", A, "a-to-tor"),
                        new Link(TOR, "tor-to-b", B, "b-to-tor")))
                .withEndpoint(new ModelState.Placed(VM, 0))
                .withEndpoint(new ModelState.Placed(CLIENT, 0));
    }

    static FlowSpec find(Map<FlowKey, FlowSpec> flows, int table, int priority, String match) {
        return flows.get(new FlowKey(table, priority, match));
    }

    /**
     * What a switch does with {@code network}'s unicast for {@code mac}: the endpoint's flow, or where there is none
     * the network's default; null if neither.
     */
    static String unicastTo(Map<FlowKey, FlowSpec> flows, String mac, int network) {
        String metadata = "metadata=0x" + Integer.toHexString(network);
        FlowSpec own = find(flows, 1, FlowPlanner.PRIORITY_UNICAST, "eth_dst=" + mac + "," + metadata);
        FlowSpec byDefault = find(flows, 1, FlowPlanner.PRIORITY_DEFAULT, metadata);
        return own != null ? own.actions() : byDefault == null ? null : byDefault.actions();
    }

    @Test
    void aCommitReachesTheSwitchesNearestTheDestinationFirstAndTheUnreachableOnesLast() {
        List<Link> links = List.of(new Link(TOR, "tor-to-a", A, "a-to-tor"),
                new Link(TOR, "tor-to-b", B, "b-to-tor"));
        assertThat(FlowPlanner.byDistance(links, B, List.of(A, TOR, B, X)))
                .containsExactly(List.of(B), List.of(TOR), List.of(A), List.of(X));
        assertThat(FlowPlanner.byDistance(List.of(), B, List.of(A, B)))
                .containsExactly(List.of(B), List.of(A));
    }

    @Test
    void unicastFollowsTheLinkTreeAndBroadcastReachesEveryKnownPort() {
        Map<Dpid, Map<FlowKey, FlowSpec>> plan = FlowPlanner.plan(lan(), PORTS);
        assertThat(unicastTo(plan.get(TOR), VM_MAC, 1)).isEqualTo("output:3");
        assertThat(unicastTo(plan.get(B), VM_MAC, 1)).isEqualTo("output:2");
        FlowSpec vmOnA = find(plan.get(A), 1, 100, "eth_dst=" + VM_MAC + NET1);
        assertThat(vmOnA.actions()).isEqualTo("output:2");
        assertThat(vmOnA.cookie()).isEqualTo(Cookie.of(1, 5, 0));
        assertThat(find(plan.get(A), 0, 100, "in_port=2").actions()).isEqualTo("write_metadata:0x1,goto_table:1");
        assertThat(find(plan.get(A), 1, 50, "eth_dst=01:00:00:00:00:00/01:00:00:00:00:00" + NET1).actions())
                .isEqualTo("output:2,output:3");
        assertThat(find(plan.get(TOR), 1, 50, "eth_dst=01:00:00:00:00:00/01:00:00:00:00:00" + NET1).actions())
                .isEqualTo("output:1,output:3,output:4");
        assertThat(plan.values()).allSatisfy(flows -> assertThat(flows.values())
                .allSatisfy(f -> assertThat(f.actions()).doesNotContain("NORMAL")));
        // hostA is not an endpoint: its port is not admitted
        assertThat(find(plan.get(A), 0, 100, "in_port=1")).isNull();
    }

    @Test
    void aMoveAdmitsFirstThenSwitchesThenKeepsTheOldPortUntilCleanup() {
        ModelState model = lan();
        Move prepared = new Move(7, "vm1", A, "vm1", 0, B, "vm1", null, MoveState.PREPARED);
        model = model.withMove(prepared);
        Map<Dpid, Map<FlowKey, FlowSpec>> plan = FlowPlanner.plan(model, PORTS);
        assertThat(find(plan.get(B), 0, 100, "in_port=5").cookie()).isEqualTo(Cookie.of(1, 5, 7));
        assertThat(unicastTo(plan.get(TOR), VM_MAC, 1)).isEqualTo("output:3");
        assertThat(plan.get(B).values()).as("frames for vm1 back from br-tor's side go to its new port")
                .anyMatch(f -> f.key().priority() == FlowPlanner.PRIORITY_ARRIVED && f.key().match().contains("in_port=2")
                        && f.key().match().contains(VM_MAC) && f.actions().equals("output:5"));

        model = model.withMove(prepared.redirectedTo("fwd"));
        plan = FlowPlanner.plan(model, PORTS);
        assertThat(find(plan.get(A), 1, 150, "eth_dst=" + VM_MAC + NET1).actions()).isEqualTo("output:9");

        model = model.withEndpoint(new ModelState.Placed(VM.at(B, "vm1"), 7))
                .withMove(prepared.with(MoveState.COMMITTED));
        plan = FlowPlanner.plan(model, PORTS);
        assertThat(unicastTo(plan.get(TOR), VM_MAC, 1)).isEqualTo("output:4");
        assertThat(find(plan.get(TOR), 1, 100, "eth_dst=" + VM_MAC + NET1).cookie()).isEqualTo(Cookie.anyPlace(1, 5));
        assertThat(find(plan.get(B), 1, 100, "eth_dst=" + VM_MAC + NET1).cookie()).isEqualTo(Cookie.of(1, 5, 7));
        assertThat(unicastTo(plan.get(A), VM_MAC, 1)).isEqualTo("output:3");
        assertThat(find(plan.get(A), 1, 150, "eth_dst=" + VM_MAC + NET1)).isNull();
        assertThat(plan.values().stream().flatMap(f -> f.values().stream()))
                .noneMatch(f -> f.key().priority() == FlowPlanner.PRIORITY_ARRIVED);
        assertThat(find(plan.get(A), 0, 100, "in_port=2").cookie()).as("old port until cleanup")
                .isEqualTo(Cookie.of(1, 5, 0));

        model = model.withMove(prepared.with(MoveState.CLEANED));
        plan = FlowPlanner.plan(model, PORTS);
        assertThat(find(plan.get(A), 0, 100, "in_port=2")).isNull();
        assertThat(plan.values().stream().flatMap(f -> f.values().stream()))
                .noneMatch(f -> f.cookie() == Cookie.of(1, 5, 0));
    }

    @Test
    void aCommitLeavesTheSwitchesWhereTheEndpointsFlowsKeepTheirOutputAsTheyWere() {
        Dpid c = Dpid.of(0xc0);
        Map<Dpid, Map<String, Integer>> ports = new java.util.HashMap<>(PORTS);
        ports.put(TOR, Map.of("client", 1, "tor-to-a", 3, "tor-to-b", 4, "tor-to-c", 6));
        ports.put(c, Map.of("c-to-tor", 1, "vm2", 2));
        ModelState before = lan().withLinks(List.of(new Link(TOR, "tor-to-a", A, "a-to-tor"),
                new Link(TOR, "tor-to-b", B, "b-to-tor"), new Link(TOR, "tor-to-c", c, "c-to-tor")));
        Move move = new Move(7, "vm1", A, "vm1", 0, B, "vm1", null, MoveState.COMMITTED);
        ModelState after = CommitRecovery.committed(before, move);

        Map<Dpid, Map<FlowKey, FlowSpec>> was = FlowPlanner.plan(before, ports);
        Map<Dpid, Map<FlowKey, FlowSpec>> is = FlowPlanner.plan(after, ports);
        assertThat(is.get(c)).as("br-c still sends vm1's frames up to br-tor: nothing to send it").isEqualTo(was.get(c));
        assertThat(find(is.get(TOR), 1, 100, "eth_dst=" + VM_MAC + NET1).actions()).isEqualTo("output:4");
        assertThat(find(is.get(TOR), 1, 100, "eth_dst=" + VM_MAC + NET1).cookie())
                .isEqualTo(find(was.get(TOR), 1, 100, "eth_dst=" + VM_MAC + NET1).cookie());
    }

    @Test
    void aMovePreparedWithAMirrorPortCopiesTheTrafficToTheForwarderUntilTheCommit() {
        Move mirrored = new Move(7, "vm1", A, "vm1", 0, B, "vm1", "fwd", MoveState.PREPARED);
        ModelState model = lan().withMove(mirrored);
        FlowSpec mirror = find(FlowPlanner.plan(model, PORTS).get(A), 1, 150, "eth_dst=" + VM_MAC + NET1);
        assertThat(mirror.actions()).as("to the VM's own port and the forwarder's").isEqualTo("output:2,output:9");
        assertThat(mirror.cookie()).isEqualTo(Cookie.of(1, 5, 7));

        model = model.withMove(mirrored.redirectedTo("fwd"));
        assertThat(find(FlowPlanner.plan(model, PORTS).get(A), 1, 150, "eth_dst=" + VM_MAC + NET1).actions())
                .as("redirected: the forwarder's port alone").isEqualTo("output:9");

        model = CommitRecovery.committed(lan().withMove(mirrored), mirrored);
        Map<Dpid, Map<FlowKey, FlowSpec>> plan = FlowPlanner.plan(model, PORTS);
        assertThat(find(plan.get(A), 1, 150, "eth_dst=" + VM_MAC + NET1)).as("committed along the links: no copy").isNull();
        assertThat(unicastTo(plan.get(A), VM_MAC, 1)).isEqualTo("output:3");

        model = lan().withMove(mirrored.with(MoveState.ROLLED_BACK));
        assertThat(find(FlowPlanner.plan(model, PORTS).get(A), 1, 150, "eth_dst=" + VM_MAC + NET1)).as("rolled back").isNull();
    }

    @Test
    void theDestinationsForwarderPortDeliversToTheNewPortBeforeTheCommitWhereItHasOne() {
        Map<Dpid, Map<String, Integer>> ports = Map.of(TOR, PORTS.get(TOR), A, PORTS.get(A),
                B, Map.of("hostB", 1, "b-to-tor", 2, "vm1", 5, "fwd", 8));
        Move move = new Move(7, "vm1", A, "vm1", 0, B, "vm1", "fwd", MoveState.PREPARED);
        assertThat(fromForwarder(FlowPlanner.plan(lan().withMove(move), ports).get(B)))
                .as("the forwarded frames reach the new port, not the link back").containsExactly("output:5");
        assertThat(fromForwarder(FlowPlanner.plan(lan().withMove(move.redirectedTo("fwd")), ports).get(B)))
                .as("redirected too").containsExactly("output:5");
        assertThat(fromForwarder(FlowPlanner.plan(lan().withMove(move), PORTS).get(B))).as("a switch without the port")
                .isEmpty();
        assertThat(fromForwarder(FlowPlanner.plan(CommitRecovery.committed(lan().withMove(move), move), ports).get(B)))
                .as("committed: the unicast flow delivers").isEmpty();
    }

    @Test
    void aCommittedMovesSourceSwitchSendsWhatStillArrivesFromTheLinkTowardTheDestinationToTheForwarder() {
        Move move = new Move(7, "vm1", A, "vm1", 0, B, "vm1", "fwd", MoveState.PREPARED);
        ModelState committed = CommitRecovery.committed(lan().withMove(move), move);
        assertThat(FlowPlanner.plan(committed, PORTS).get(A).values())
                .as("a straggler from br-tor's side goes to the forwarder, not back where it came from")
                .anyMatch(f -> f.key().priority() == FlowPlanner.PRIORITY_ARRIVED && f.key().match().contains("in_port=3")
                        && f.key().match().contains(VM_MAC) && f.actions().equals("output:9"));
        Move plain = new Move(7, "vm1", A, "vm1", 0, B, "vm1", null, MoveState.PREPARED);
        assertThat(FlowPlanner.plan(CommitRecovery.committed(lan().withMove(plain), plain), PORTS).get(A).values())
                .as("without a forwarder").noneMatch(f -> f.key().priority() == FlowPlanner.PRIORITY_ARRIVED);
    }

    /** The actions of the flows that take what the destination switch's port 8 (its forwarder) sends to the VM. */
    private static List<String> fromForwarder(Map<FlowKey, FlowSpec> flows) {
        return flows.values().stream().filter(f -> f.key().priority() == FlowPlanner.PRIORITY_ARRIVED
                && f.key().match().contains("in_port=8") && f.key().match().contains(VM_MAC)).map(FlowSpec::actions).toList();
    }

    /** br-b is at another site: no link leads from br-a or br-tor to it. */
    static ModelState wan() {
        return lan().withLinks(List.of(new Link(TOR, "tor-to-a", A, "a-to-tor")));
    }

    /** {@code model} after vm1's move 7 from br-a to br-b, redirected to br-a's "fwd" port, was committed. */
    static ModelState committedWithForwarder(ModelState model) {
        Move redirected = new Move(7, "vm1", A, "vm1", 0, B, "vm1", "fwd", MoveState.REDIRECTED);
        return CommitRecovery.committed(model.withMove(redirected), redirected);
    }

    @Test
    void aCommittedMoveToAnUnreachableSwitchKeepsTheRedirect() {
        ModelState model = committedWithForwarder(wan());
        Map<Dpid, Map<FlowKey, FlowSpec>> plan = FlowPlanner.plan(model, PORTS);
        FlowSpec redirect = find(plan.get(A), 1, 150, "eth_dst=" + VM_MAC + NET1);
        assertThat(redirect.actions()).isEqualTo("output:9");
        assertThat(redirect.cookie()).isEqualTo(Cookie.of(1, 5, 7));
        assertThat(find(plan.get(A), 1, 100, "eth_dst=" + VM_MAC + NET1)).as("no path to br-b").isNull();
        FlowSpec towardsSource = find(plan.get(TOR), 1, 100, "eth_dst=" + VM_MAC + NET1);
        assertThat(towardsSource.actions()).as("the old site's other switches send to the source's").isEqualTo("output:3");
        assertThat(towardsSource.cookie()).isEqualTo(Cookie.of(1, 5, 7));
        assertThat(unicastTo(plan.get(B), VM_MAC, 1)).isEqualTo("output:5");
    }

    @Test
    void aCommittedMoveAlongTheLinksDropsTheRedirect() {
        ModelState model = committedWithForwarder(lan());
        Map<Dpid, Map<FlowKey, FlowSpec>> plan = FlowPlanner.plan(model, PORTS);
        assertThat(find(plan.get(A), 1, 150, "eth_dst=" + VM_MAC + NET1)).isNull();
        assertThat(plan.get(B).values()).as("the destination forwards by the commit")
                .noneMatch(f -> f.key().priority() == FlowPlanner.PRIORITY_ARRIVED);
        assertThat(plan.get(A).values()).as("only stragglers from the link go to the forwarder")
                .filteredOn(f -> f.key().priority() == FlowPlanner.PRIORITY_ARRIVED)
                .allMatch(f -> f.key().match().contains("in_port=3") && f.actions().equals("output:9"));
        assertThat(unicastTo(plan.get(A), VM_MAC, 1)).isEqualTo("output:3");
    }

    @Test
    void aMoveOnOneSwitchDropsTheRedirectAtCommit() {
        Move redirected = new Move(7, "vm1", A, "vm1", 0, A, "hostA", "fwd", MoveState.REDIRECTED);
        ModelState model = CommitRecovery.committed(wan().withMove(redirected), redirected);
        Map<Dpid, Map<FlowKey, FlowSpec>> plan = FlowPlanner.plan(model, PORTS);
        assertThat(find(plan.get(A), 1, 150, "eth_dst=" + VM_MAC + NET1)).isNull();
        assertThat(plan.values().stream().flatMap(f -> f.values().stream()))
                .noneMatch(f -> f.key().priority() == FlowPlanner.PRIORITY_ARRIVED);
        assertThat(unicastTo(plan.get(A), VM_MAC, 1)).isEqualTo("output:1");
    }

    @Test
    void aCleanedUpOrRolledBackMoveToAnUnreachableSwitchHasNoRedirect() {
        ModelState committed = committedWithForwarder(wan());
        Move move = committed.moves().get(7);
        ModelState cleaned = committed.withMove(move.with(MoveState.CLEANED));
        ModelState rolledBack = committed.withEndpoint(new ModelState.Placed(VM, 0))
                .withMove(move.with(MoveState.ROLLED_BACK));
        assertThat(FlowPlanner.plan(cleaned, PORTS).get(A)).as("cleaned")
                .doesNotContainKey(new FlowKey(1, 150, "eth_dst=" + VM_MAC + NET1));
        assertThat(FlowPlanner.plan(cleaned, PORTS).get(TOR)).as("cleaned, the old site")
                .doesNotContainKey(new FlowKey(1, 100, "eth_dst=" + VM_MAC + NET1));
        Map<FlowKey, FlowSpec> rolledBackOnA = FlowPlanner.plan(rolledBack, PORTS).get(A);
        assertThat(rolledBackOnA).as("rolled back").doesNotContainKey(new FlowKey(1, 150, "eth_dst=" + VM_MAC + NET1));
        assertThat(find(rolledBackOnA, 1, 100, "eth_dst=" + VM_MAC + NET1).actions()).isEqualTo("output:2");
    }

    @Test
    void theKeptRedirectDoesNotCountAsACommit() {
        ModelState committed = committedWithForwarder(wan());
        Move redirected = committed.moves().get(7).with(MoveState.REDIRECTED);
        ModelState journaled = wan().withMove(redirected);
        var sourceFlows = FlowPlanner.plan(committed, PORTS).get(A).values();
        assertThat(CommitRecovery.rollForward(journaled, sourceFlows)).isEqualTo(journaled);
    }

    @Test
    void flowsOnUnknownPortsWaitUntilThePortAppears() {
        Map<Dpid, Map<String, Integer>> ports = Map.of(TOR, PORTS.get(TOR), A, PORTS.get(A),
                B, Map.of("hostB", 1, "b-to-tor", 2));
        ModelState model = lan().withMove(new Move(7, "vm1", A, "vm1", 0, B, "vm1", null, MoveState.PREPARED));
        assertThat(find(FlowPlanner.plan(model, ports).get(B), 0, 100, "in_port=5")).isNull();
    }

    @Test
    void nextHopIsNullWithoutAPath() {
        var routes = new LinkRoutes(FlowPlanner.adjacency(List.of(new Link(A, "x1", B, "y1"))));
        assertThat(routes.nextHop(A, B)).isEqualTo("x1");
        assertThat(routes.nextHop(A, X)).isNull();
    }

    @Test
    void theJournalRoundTripsTheModel(@org.junit.jupiter.api.io.TempDir Path dir) {
        ModelState model = lan().withMove(new Move(7, "vm1", A, "vm1", 0, B, "vm1", "fwd", MoveState.REDIRECTED));
        StateJournal journal = new StateJournal(dir);
        assertThat(journal.load()).isEqualTo(ModelState.empty());
        journal.save(model);
        assertThat(new StateJournal(dir).load()).isEqualTo(model);
    }

    /** Tenant B's VM on switch A: the same MAC as vm1 (a cloned image), its own port, network 2. */
    static final Endpoint CLONE = new Endpoint(6, "clone", 2, VM_MAC, List.of("198.18.0.100"), A, "hostA");

    @Test
    void twoNetworksKeepTheirOwnFlowsForOneMac() {
        Map<FlowKey, FlowSpec> onA = FlowPlanner.plan(lan().withEndpoint(new ModelState.Placed(CLONE, 0)), PORTS)
                .get(A);
        assertThat(find(onA, 1, 100, "eth_dst=" + VM_MAC + NET1).actions()).isEqualTo("output:2");
        assertThat(find(onA, 1, 100, "eth_dst=" + VM_MAC + ",metadata=0x2").actions()).isEqualTo("output:1");
        assertThat(find(onA, 1, 100, "eth_dst=" + VM_MAC + ",metadata=0x2").cookie()).isEqualTo(Cookie.of(2, 6, 0));
        assertThat(find(onA, 0, 100, "in_port=1").actions()).as("tenant B's port is tagged with network 2")
                .isEqualTo("write_metadata:0x2,goto_table:1");
        assertThat(find(onA, 0, 100, "in_port=2").actions()).isEqualTo("write_metadata:0x1,goto_table:1");
    }

    @Test
    void aBroadcastFloodsOnlyItsOwnNetworksPorts() {
        Map<Dpid, Map<FlowKey, FlowSpec>> plan = FlowPlanner.plan(lan().withEndpoint(new ModelState.Placed(CLONE, 0)),
                PORTS);
        String multicast = "eth_dst=01:00:00:00:00:00/01:00:00:00:00:00";
        assertThat(find(plan.get(A), 1, 50, multicast + NET1).actions()).as("vm1's port and the link, not hostA")
                .isEqualTo("output:2,output:3");
        assertThat(find(plan.get(A), 1, 50, multicast + ",metadata=0x2").actions()).isEqualTo("output:1");
        assertThat(plan.get(TOR).keySet()).as("network 2 does not cross the links (they carry network 1 only)")
                .noneMatch(key -> key.match().contains("metadata=0x2"));
        assertThat(plan.values().stream().flatMap(flows -> flows.values().stream()))
                .filteredOn(f -> f.key().table() == 1 && f.key().priority() != EndpointProbes.PRIORITY_PROBE_ANSWER)
                .allSatisfy(f -> assertThat(f.key().match()).as("every forwarding flow names its network")
                        .contains("metadata=0x"));
        assertThat(plan.values()).allSatisfy(flows -> assertThat(flows.values())
                .filteredOn(f -> f.key().priority() == EndpointProbes.PRIORITY_PROBE_ANSWER)
                .as("the answers to the controller's probes, whatever their network, go to the controller alone")
                .singleElement().satisfies(f -> assertThat(f.actions()).isEqualTo("CONTROLLER:65535")));
    }

    @Test
    void onATreeALeafHoldsItsOwnEndpointsAndSendsTheRestUpAndEveryFrameStillArrives() {
        // a root, 3 rack switches, 4 leaves under each, an endpoint on every leaf (port "vm" = 1)
        Dpid root = Dpid.of(0x100);
        List<Link> links = new java.util.ArrayList<>();
        Map<Dpid, Map<String, Integer>> ports = new java.util.HashMap<>();
        ports.put(root, new java.util.HashMap<>());
        ModelState model = ModelState.empty();
        int id = 1;
        for (int r = 0; r < 3; r++) {
            Dpid rack = Dpid.of(0x200 + r);
            links.add(new Link(root, "to-rack" + r, rack, "up"));
            ports.get(root).put("to-rack" + r, 10 + r);
            ports.put(rack, new java.util.HashMap<>(Map.of("up", 1)));
            for (int l = 0; l < 4; l++, id++) {
                Dpid leaf = Dpid.of(0x300 + 10 * r + l);
                links.add(new Link(rack, "to-leaf" + l, leaf, "up"));
                ports.get(rack).put("to-leaf" + l, 10 + l);
                ports.put(leaf, Map.of("up", 2, "vm", 1));
                model = model.withEndpoint(new ModelState.Placed(new Endpoint(id, "vm" + id, 1,
                        String.format("02:00:00:00:00:%02x", id), List.of(), leaf, "vm"), 0));
            }
        }
        model = model.withLinks(links);
        Map<Dpid, Map<FlowKey, FlowSpec>> plan = FlowPlanner.plan(model, ports);

        Dpid leaf = Dpid.of(0x300);
        assertThat(plan.get(leaf).keySet()).as("a leaf's unicast: its own endpoint's, and the default up")
                .filteredOn(key -> key.table() == 1 && key.priority() == FlowPlanner.PRIORITY_UNICAST).hasSize(1);
        assertThat(unicastTo(plan.get(leaf), "02:00:00:00:00:0c", 1)).isEqualTo("output:2");
        assertThat(plan.get(Dpid.of(0x200)).keySet()).as("a rack switch's: its four leaves' endpoints")
                .filteredOn(key -> key.table() == 1 && key.priority() == FlowPlanner.PRIORITY_UNICAST).hasSize(4);
        assertThat(find(plan.get(root), 1, FlowPlanner.PRIORITY_DEFAULT, "metadata=0x1")).as("the root has no default")
                .isNull();

        for (ModelState.Placed placed : model.endpoints().values()) {
            for (Dpid from : plan.keySet()) {
                assertThat(walk(plan, ports, links, from, placed.endpoint().mac()))
                        .as(placed.endpoint().name() + " from " + from).isEqualTo(placed.endpoint().switchId());
            }
        }
        assertThat(walk(plan, ports, links, leaf, "02:00:00:00:99:99")).as("an unknown MAC ends at the root")
                .isEqualTo(root);
    }

    /**
     * Follows network 1's unicast for {@code mac} from switch {@code at} by the plan's flows: where it leaves by a
     * port that is no link's, or has no flow to take, the switch it stops at.
     */
    private static Dpid walk(Map<Dpid, Map<FlowKey, FlowSpec>> plan, Map<Dpid, Map<String, Integer>> ports,
                             List<Link> links, Dpid at, String mac) {
        for (int hops = 0; hops < 10; hops++) {
            String actions = unicastTo(plan.get(at), mac, 1);
            if (actions == null) {
                return at;
            }
            int port = Integer.parseInt(actions.substring("output:".length()));
            Dpid here = at;
            Link link = links.stream().filter(l -> l.switchA().equals(here) && ports.get(here).get(l.portA()) == port
                    || l.switchB().equals(here) && ports.get(here).get(l.portB()) == port).findFirst().orElse(null);
            if (link == null) {
                return at;
            }
            at = link.switchA().equals(here) ? link.switchB() : link.switchA();
        }
        throw new AssertionError("a loop: " + mac + " still travelling after 10 hops");
    }
}
