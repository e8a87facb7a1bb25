package io.cutover.sdn.impl;

import io.cutover.sdn.Cookie;
import io.cutover.sdn.Dpid;
import io.cutover.sdn.Endpoint;
import io.cutover.sdn.Link;
import io.cutover.sdn.Move;
import io.cutover.sdn.MoveState;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static io.cutover.sdn.impl.FlowPlannerTest.find;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Two tenants whose VMs share MACs, on two hypervisors joined by an overlay tunnel. */
class OverlayPlanTest {
    static final Dpid H1 = Dpid.of(0xa1);
    static final Dpid H2 = Dpid.of(0xb1);
    static final Dpid TOR = Dpid.of(0xf0);
    static final String MAC_1 = "02:00:00:00:00:01";
    static final String MAC_2 = "02:00:00:00:00:02";
    static final String MULTICAST = "eth_dst=01:00:00:00:00:00/01:00:00:00:00:00";
    /** On each hypervisor: tenant A's VM port 1, tenant B's 2, a spare port 3, the tunnel to the other 7. */
    static final Map<Dpid, Map<String, Integer>> PORTS = Map.of(
            H1, Map.of("a", 1, "b", 2, "spare", 3, "ovl-h2", 7),
            H2, Map.of("a", 1, "b", 2, "spare", 3, "ovl-h1", 7));

    static ModelState twoTenants() {
        return ModelState.empty()
                .withLinks(List.of(Link.overlay(H1, "ovl-h2", H2, "ovl-h1")))
                .withEndpoints(List.of(
                        new ModelState.Placed(new Endpoint(1, "a1", 1, MAC_1, List.of(), H1, "a"), 0),
                        new ModelState.Placed(new Endpoint(2, "a2", 1, MAC_2, List.of(), H2, "a"), 0),
                        new ModelState.Placed(new Endpoint(3, "b1", 2, MAC_1, List.of(), H1, "b"), 0),
                        new ModelState.Placed(new Endpoint(4, "b2", 2, MAC_2, List.of(), H2, "b"), 0)));
    }

    @Test
    void eachNetworkCrossesTheTunnelWithItsOwnVni() {
        Map<FlowKey, FlowSpec> h1 = FlowPlanner.plan(twoTenants(), PORTS).get(H1);
        assertThat(find(h1, 0, 100, "in_port=7,tunnel_id=0x1").actions()).isEqualTo("write_metadata:0x1,goto_table:1");
        assertThat(find(h1, 0, 100, "in_port=7,tunnel_id=0x2").actions()).isEqualTo("write_metadata:0x2,goto_table:1");
        assertThat(FlowPlannerTest.unicastTo(h1, MAC_2, 1))
                .isEqualTo("set_field:0x1->tun_id,output:7");
        assertThat(FlowPlannerTest.unicastTo(h1, MAC_2, 2))
                .isEqualTo("set_field:0x2->tun_id,output:7");
        assertThat(find(h1, 1, 100, "eth_dst=" + MAC_1 + ",metadata=0x2").actions()).isEqualTo("output:2");
    }

    @Test
    void broadcastsGoToTheNetworksPortsAndTunnelsButNeverFromOneTunnelIntoAnother() {
        Map<FlowKey, FlowSpec> h1 = FlowPlanner.plan(twoTenants(), PORTS).get(H1);
        assertThat(find(h1, 1, 50, MULTICAST + ",metadata=0x1").actions())
                .isEqualTo("output:1,set_field:0x1->tun_id,output:7");
        assertThat(find(h1, 1, 50, MULTICAST + ",metadata=0x2").actions())
                .isEqualTo("output:2,set_field:0x2->tun_id,output:7");
        assertThat(find(h1, 1, 60, MULTICAST + ",in_port=7,metadata=0x1").actions()).isEqualTo("output:1");
        assertThat(find(h1, 1, 60, MULTICAST + ",in_port=7,metadata=0x2").actions()).isEqualTo("output:2");
    }

    @Test
    void movingOneTenantsVmAcrossTheOverlayLeavesTheOtherTenantsFlowsAlone() {
        ModelState before = twoTenants();
        Move move = new Move(9, "a1", H1, "a", 0, H2, "spare", null, MoveState.PREPARED);
        ModelState prepared = before.withMove(move);
        Map<FlowKey, FlowSpec> h2 = FlowPlanner.plan(prepared, PORTS).get(H2);
        assertThat(find(h2, 0, 100, "in_port=3").actions()).isEqualTo("write_metadata:0x1,goto_table:1");
        assertThat(find(h2, 1, FlowPlanner.PRIORITY_ARRIVED, "eth_dst=" + MAC_1 + ",in_port=7,metadata=0x1")
                .actions()).as("what the tunnel still brings for a1 goes to its new port").isEqualTo("output:3");

        ModelState committed = prepared.withEndpoint(new ModelState.Placed(
                        new Endpoint(1, "a1", 1, MAC_1, List.of(), H2, "spare"), 9))
                .withMove(move.with(MoveState.COMMITTED));
        Map<Dpid, Map<FlowKey, FlowSpec>> after = FlowPlanner.plan(committed, PORTS);
        assertThat(find(after.get(H1), 1, 100, "eth_dst=" + MAC_1 + ",metadata=0x1").actions())
                .isEqualTo("set_field:0x1->tun_id,output:7");
        assertThat(find(after.get(H2), 1, 100, "eth_dst=" + MAC_1 + ",metadata=0x1").actions()).isEqualTo("output:3");
        Map<Dpid, Map<FlowKey, FlowSpec>> plannedBefore = FlowPlanner.plan(before, PORTS);
        for (Dpid sw : List.of(H1, H2)) {
            assertThat(network(after.get(sw), 2)).as("tenant B's flows on " + sw)
                    .isEqualTo(network(plannedBefore.get(sw), 2)).isNotEmpty();
        }
    }

    @Test
    void aMoveThroughTheForwarderRedirectsAtTheSourceThenCommitsIntoTheTunnel() {
        Map<String, Integer> h1Ports = new java.util.HashMap<>(PORTS.get(H1));
        h1Ports.put("fwd", 9);
        Map<Dpid, Map<String, Integer>> ports = Map.of(H1, h1Ports, H2, PORTS.get(H2));
        Move move = new Move(9, "a1", H1, "a", 0, H2, "spare", "fwd", MoveState.PREPARED).redirectedTo("fwd");
        ModelState redirected = twoTenants().withMove(move);
        assertThat(find(FlowPlanner.plan(redirected, ports).get(H1), 1, FlowPlanner.PRIORITY_REDIRECT,
                "eth_dst=" + MAC_1 + ",metadata=0x1").actions()).isEqualTo("output:9");

        ModelState committed = redirected.withEndpoint(new ModelState.Placed(
                        new Endpoint(1, "a1", 1, MAC_1, List.of(), H2, "spare"), 9))
                .withMove(move.with(MoveState.COMMITTED));
        Map<FlowKey, FlowSpec> h1 = FlowPlanner.plan(committed, ports).get(H1);
        assertThat(find(h1, 1, FlowPlanner.PRIORITY_REDIRECT, "eth_dst=" + MAC_1 + ",metadata=0x1"))
                .as("the tunnel reaches the destination: the redirect ends with the commit").isNull();
        assertThat(find(h1, 1, 100, "eth_dst=" + MAC_1 + ",metadata=0x1").actions())
                .isEqualTo("set_field:0x1->tun_id,output:7");
        assertThat(find(h1, 1, FlowPlanner.PRIORITY_ARRIVED, "eth_dst=" + MAC_1 + ",in_port=7,metadata=0x1")
                .actions()).as("stragglers back from the tunnel go to the forwarder").isEqualTo("output:9");
    }

    /** The flows of {@code network}'s endpoints (by cookie), as text. */
    private static List<String> network(Map<FlowKey, FlowSpec> flows, int network) {
        return flows.values().stream().filter(f -> f.cookie() != FlowPlanner.FABRIC_COOKIE
                        && Cookie.network(f.cookie()) == network)
                .map(f -> f.key() + " " + f.actions()).sorted().collect(Collectors.toList());
    }

    @Test
    void tunnelsMayMeshButNeverDeliverAFrameTwice() {
        Dpid h3 = Dpid.of(0xc1);
        LinkTree.require(List.of(Link.overlay(H1, "t2", H2, "t1"), Link.overlay(H1, "t3", h3, "t1"),
                Link.overlay(H2, "t3", h3, "t2")));
        List<Link> cabled = List.of(new Link(H1, "up", TOR, "to-h1"), new Link(H2, "up", TOR, "to-h2"));
        LinkTree.require(concat(cabled, Link.overlay(H1, "t2", H2, "t1")));
        assertThatThrownBy(() -> LinkTree.require(concat(cabled, Link.overlay(H1, "t3", h3, "t1"),
                Link.overlay(H2, "t3", h3, "t2")))).hasMessageContaining("ends a tunnel out of it too");
        assertThatThrownBy(() -> LinkTree.require(List.of(Link.overlay(H1, "t2", H2, "t1"),
                Link.overlay(H1, "u2", H2, "u1")))).hasMessageContaining("doubles another tunnel");
    }

    @Test
    void theCableNetworkKeepsToTheCablesWhereTheyJoinTheHostsAndTheTenantsTakeTheTunnel() {
        Map<Dpid, Map<String, Integer>> ports = Map.of(
                H1, Map.of("a", 1, "b", 2, "up", 5, "ovl-h2", 7),
                H2, Map.of("a", 1, "b", 2, "up", 5, "ovl-h1", 7),
                TOR, Map.of("to-h1", 1, "to-h2", 2));
        ModelState model = twoTenants().withLinks(List.of(new Link(H1, "up", TOR, "to-h1"),
                new Link(H2, "up", TOR, "to-h2"), Link.overlay(H1, "ovl-h2", H2, "ovl-h1")));
        Map<FlowKey, FlowSpec> h1 = FlowPlanner.plan(model, ports).get(H1);
        assertThat(FlowPlannerTest.unicastTo(h1, MAC_2, 1))
                .as("the cable network over the cables").isEqualTo("output:5");
        assertThat(FlowPlannerTest.unicastTo(h1, MAC_2, 2))
                .as("tenant B over the tunnel").isEqualTo("set_field:0x2->tun_id,output:7");
        assertThat(find(h1, 1, 50, MULTICAST + ",metadata=0x1").actions()).isEqualTo("output:1,output:5");
        assertThat(find(h1, 0, 100, "in_port=7,tunnel_id=0x1")).as("no cable-network frames from that tunnel").isNull();
        assertThat(find(h1, 0, 100, "in_port=7,tunnel_id=0x2")).isNotNull();
    }

    private static List<Link> concat(List<Link> links, Link... more) {
        return java.util.stream.Stream.concat(links.stream(), java.util.Arrays.stream(more)).toList();
    }
}
