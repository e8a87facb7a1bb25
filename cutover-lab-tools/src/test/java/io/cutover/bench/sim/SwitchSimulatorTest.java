package io.cutover.bench.sim;

import io.cutover.sdn.ControllerOptions;
import io.cutover.sdn.Dpid;
import io.cutover.sdn.Endpoint;
import io.cutover.sdn.FlowView;
import io.cutover.sdn.Link;
import io.cutover.sdn.Move;
import io.cutover.sdn.SdnController;
import io.cutover.sdn.rest.SdnRestClient;
import io.cutover.sdn.rest.SdnRestServer;
import io.cutover.support.JsonHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The simulator against the real controller, over its real OpenFlow and REST paths: a root switch and two leaves, four
 * endpoints added in one REST call; each simulated table must hold exactly the flows the controller planned for it,
 * and after a move's prepare, redirect, commit and cleanup, exactly the new plan.
 */
class SwitchSimulatorTest {
    private static final long ROOT = 0x100;
    private static final long LEAF_A = 0x201;
    private static final long LEAF_B = 0x202;
    private static final Duration WAIT = Duration.ofSeconds(20);

    SdnController sdn;
    SdnRestServer rest;
    JsonHttpClient http;
    SwitchSimulator sim;

    @BeforeEach
    void start() {
        sdn = SdnController.start(ControllerOptions.builder().bindAddress("127.0.0.1").port(0).build());
        rest = SdnRestServer.start(sdn, "127.0.0.1", 0);
        http = JsonHttpClient.builder(URI.create("http://127.0.0.1:" + rest.port() + "/v1/")).build();
        sim = SwitchSimulator.connect(sdn.address(), List.of(
                new SwitchSpec(ROOT, "root", List.of("down-a", "down-b")),
                new SwitchSpec(LEAF_A, "leaf-a", List.of("up", "vm1", "vm2", "fwd", "mig")),
                new SwitchSpec(LEAF_B, "leaf-b", List.of("up", "vm3", "vm4", "fwd", "mig"))), 2);
    }

    @AfterEach
    void stop() {
        sim.close();
        http.close();
        rest.close();
        sdn.close();
    }

    @Test
    void theSimulatedTablesHoldExactlyThePlanBeforeAndAfterAMove() throws Exception {
        sim.awaitDescribed(WAIT);
        sdn.awaitSwitches(List.of(Dpid.of(ROOT), Dpid.of(LEAF_A), Dpid.of(LEAF_B)), WAIT).toCompletableFuture().join();
        http.send("PUT", "links", List.of(new Link(Dpid.of(ROOT), "down-a", Dpid.of(LEAF_A), "up"),
                new Link(Dpid.of(ROOT), "down-b", Dpid.of(LEAF_B), "up"))).requireStatus(200);
        List<Endpoint> endpoints = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            endpoints.add(new Endpoint(i, "vm" + i, 1, "02:00:00:00:00:0" + i, List.of(),
                    Dpid.of(i <= 2 ? LEAF_A : LEAF_B), "vm" + i));
        }
        http.send("POST", "endpoints", endpoints).requireStatus(201);

        assertTablesHoldThePlan();
        // a leaf: its 2 endpoints' unicast and the default up to the root; the root: all 4 endpoints' unicast; one
        // admit per endpoint or link port, one flood, and on every switch the answers to the controller's probes
        assertThat(sim.get(LEAF_A).flowCount()).isEqualTo(2 + 1 + 3 + 1 + 1);
        assertThat(sim.get(ROOT).flowCount()).isEqualTo(4 + 2 + 1 + 1);
        Set<String> rootBefore = SimFlows.ofTable(sim.get(ROOT).flows());

        SdnRestClient moves = new SdnRestClient(URI.create("http://127.0.0.1:" + rest.port() + "/v1/"), null, WAIT);
        Move move = moves.prepare("vm1", Dpid.of(LEAF_B), "mig").toCompletableFuture().join();
        moves.redirectToForwarder(move.id(), "fwd").toCompletableFuture().join();
        assertTablesHoldThePlan();
        moves.commit(move.id()).toCompletableFuture().join();
        assertTablesHoldThePlan();
        moves.cleanup(move.id()).toCompletableFuture().join();
        assertTablesHoldThePlan();

        // the root now sends vm1's frames down to leaf B (port 2) instead of leaf A (port 1)
        Set<String> rootAfter = SimFlows.ofTable(sim.get(ROOT).flows());
        assertThat(rootBefore).anyMatch(line -> line.contains("eth_dst=02:00:00:00:00:01") && line.endsWith("output:1"));
        assertThat(rootAfter).anyMatch(line -> line.contains("eth_dst=02:00:00:00:00:01") && line.endsWith("output:2"))
                .noneMatch(line -> line.contains("eth_dst=02:00:00:00:00:01") && line.endsWith("output:1"));
        assertThat(sim.switches()).allMatch(sw -> sw.errorsSent() == 0);
    }

    @Test
    void theControllerReconcilesFromTheSimulatedTables() {
        sim.awaitDescribed(WAIT);
        sdn.awaitSwitches(List.of(Dpid.of(LEAF_A)), WAIT).toCompletableFuture().join();
        http.send("POST", "endpoints", List.of(new Endpoint(1, "vm1", 1, "02:00:00:00:00:01", List.of(),
                Dpid.of(LEAF_A), "vm1"))).requireStatus(201);
        // what the controller reads back through flow statistics is what it planned
        List<FlowView> read = sdn.switchFlows(Dpid.of(LEAF_A)).toCompletableFuture().join();
        assertThat(SimFlows.ofPlan(read)).isEqualTo(SimFlows.ofPlan(sdn.desiredFlows(Dpid.of(LEAF_A))));
        // a foreign flow (not our cookie) on the switch stays; the controller's reconciliation ignores it
        sdn.sendFlowMods(Dpid.of(LEAF_A), List.of(SdnController.factory().buildFlowAdd().setPriority(1)
                .setCookie(org.projectfloodlight.openflow.types.U64.of(7)).build())).toCompletableFuture().join();
        assertThat(sim.get(LEAF_A).flowCount()).isEqualTo(sdn.desiredFlows(Dpid.of(LEAF_A)).size() + 1);
    }

    private void assertTablesHoldThePlan() {
        for (long dpid : List.of(ROOT, LEAF_A, LEAF_B)) {
            List<FlowView> planned = Arrays.asList(http.send("GET", "switches/" + Dpid.of(dpid) + "/flows?desired=true",
                    null).requireStatus(200).body(FlowView[].class));
            List<OFFlowStatsEntry> held = sim.get(dpid).flows();
            assertThat(SimFlows.ofTable(held)).as("switch %s", Dpid.of(dpid)).isEqualTo(SimFlows.ofPlan(planned))
                    .isNotEmpty();
        }
    }
}
