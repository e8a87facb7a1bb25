package io.cutover.it.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.it.LabExtension;
import io.cutover.lab.Lab;
import io.cutover.lab.Topology;
import io.cutover.store.ReplicatedStore;
import io.cutover.store.StoreOptions;
import io.cutover.support.JsonAnswer;
import io.cutover.support.Netns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static io.cutover.it.agent.LabNetworkState.flows;
import static io.cutover.it.agent.LabNetworkState.moves;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An agent on the lab's replicated store is killed (SIGKILL) in the middle of a cutover, its move prepared and the
 * source's traffic redirected to the forwarder. Started again, it finds the cutover's document in the store and rolls
 * it back; left down, a peer on the same store takes the cutover over once its lease has expired and rolls it back.
 * Either way the REST API of the agent that ended it reports the cutover ROLLED_BACK, the controller's move is rolled
 * back, and every switch has the flows it had before the cutover.
 */
class AgentRestartIT {
    @RegisterExtension
    static final LabExtension LAB = LabExtension.withStore(Topology.LAN);

    @TempDir
    Path dir;

    @Test
    void anAgentKilledMidCutoverRollsItBackWhenItStartsAgain() throws Exception {
        Lab lab = LAB.lab();
        try (LabProcesses processes = new LabProcesses(lab, dir)) {
            String sdn = processes.startController();
            int portA = LabProcesses.freePort();
            int portB = LabProcesses.freePort();
            String[] store = store(lab, "hostA");
            AgentApi source = new AgentApi(processes.startAgent("hostA", portA, Map.of("hostB", portB), sections(sdn),
                    store));
            processes.startAgent("hostB", portB, Map.of("hostA", portA), "");
            Map<String, List<String>> before = prepared(lab);
            String id = redirected(lab, source);

            processes.killAgent("hostA");
            AgentApi restarted = new AgentApi(processes.startAgent("hostA", portA, Map.of("hostB", portB),
                    sections(sdn), store));
            JsonNode report = restarted.awaitCutover(id, Duration.ofSeconds(30), AgentRestartIT::rolledBack);
            assertThat(report.path("stage").asText()).as("%s\n%s", report, processes.logs()).isEqualTo("ROLLED_BACK");
            assertThat(AgentApi.has(report, "sdn.redirect", "rolled-back")).as("%s", report).isTrue();
            System.out.println("store_writes_per_move=" + report.path("journalWrites").asLong());
            assertUndone(lab, sdn, before);
        }
    }

    /**
     * The second promise of docs/scale-out.md: hostA's agent is killed after the redirect and stays down; once its
     * lease has expired, hostB's agent (on the same store, checking the leases) takes the cutover over and rolls it
     * back, while hostC's agent, checking too, finds it taken and leaves it.
     */
    @Test
    void aPeerRollsBackTheCutoverOfAnAgentThatStaysDown() throws Exception {
        Lab lab = LAB.lab();
        try (LabProcesses processes = new LabProcesses(lab, dir)) {
            String sdn = processes.startController();
            int portA = LabProcesses.freePort();
            int portB = LabProcesses.freePort();
            int portC = LabProcesses.freePort();
            String[] store = store(lab, "hostA");
            AgentApi source = new AgentApi(processes.startAgent("hostA", portA, Map.of("hostB", portB, "hostC", portC),
                    sections(sdn), store));
            AgentApi peerB = new AgentApi(processes.startAgent("hostB", portB, Map.of("hostA", portA, "hostC", portC),
                    sections(sdn), peerOf(store, lab, "hostB")));
            AgentApi peerC = new AgentApi(processes.startAgent("hostC", portC, Map.of("hostA", portA, "hostB", portB),
                    sections(sdn), peerOf(store, lab, "hostB")));
            Map<String, List<String>> before = prepared(lab);
            String id = redirected(lab, source);
            Map<String, AgentApi> peers = Map.of("hostB", peerB, "hostC", peerC);
            assertThat(taker(peers, id)).as("no peer takes it while hostA's agent lives").isEmpty();

            long killed = System.nanoTime();
            processes.killAgent("hostA");
            JsonNode report;
            String winner;
            try {
                winner = awaitTaker(peers, id, Duration.ofSeconds(20));
                report = peers.get(winner).awaitCutover(id, Duration.ofSeconds(30), AgentRestartIT::rolledBack);
            } catch (AssertionError notTaken) {
                throw new AssertionError(notTaken.getMessage() + "\n" + processes.logs(), notTaken);
            }
            long takeoverMs = (System.nanoTime() - killed) / 1_000_000;
            System.out.println("peer_takeover_ms=" + takeoverMs + " (by " + winner + "; lease " + SESSION_TIMEOUT
                    + ", lease check " + LEASE_CHECK + ")");
            assertThat(report.path("stage").asText()).as("%s\n%s", report, processes.logs()).isEqualTo("ROLLED_BACK");
            assertThat(AgentApi.has(report, "sdn.redirect", "rolled-back")).as("%s", report).isTrue();
            assertThat(AgentApi.has(report, "sdn.prepare", "rolled-back")).as("%s", report).isTrue();
            assertThat(report.toString()).as("the recovery on the timeline")
                    .contains("taken over by the agent of " + winner + ": the lease of hostA's agent expired");
            assertThat(takeoverMs).as("taken over and rolled back a bounded time after the kill")
                    .isLessThan(Duration.ofSeconds(15).toMillis());
            assertUndone(lab, sdn, before);

            JsonNode document = document(lab, store, id);
            assertThat(document.path("state").path("stage").asText()).as("%s", document).isEqualTo("ROLLED_BACK");
            assertThat(document.path("state").path("ended").asBoolean()).as("%s", document).isTrue();
            assertThat(document.path("owner").asText()).as("%s", document).isEqualTo(winner);
            Thread.sleep(LEASE_CHECK.multipliedBy(3).toMillis()); // more lease checks of both peers
            assertThat(taker(peers, id)).as("one peer only took it over").containsExactly(winner);
            assertThat(peers.get(winner).cutover(id).path("timeline").toString()).as("ended once")
                    .containsOnlyOnce("\"what\":\"recovery\"");
        }
    }

    /** The peers whose REST API lists cutover {@code id}. */
    private static List<String> taker(Map<String, AgentApi> peers, String id) {
        return peers.entrySet().stream().filter(peer -> peer.getValue().send("GET", "cutovers/" + id, null)
                .status() == 200).map(Map.Entry::getKey).toList();
    }

    /** Waits until a peer lists cutover {@code id}; returns its host. */
    private static String awaitTaker(Map<String, AgentApi> peers, String id, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            List<String> taking = taker(peers, id);
            if (!taking.isEmpty()) {
                return taking.get(0);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no peer took cutover " + id + " over within " + within);
    }

    private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration LEASE_CHECK = Duration.ofMillis(500);

    /** The SDN section of every agent: both hosts' switches and hostA's forwarder port. */
    private static String sections(String sdn) {
        return """
                sdn:
                  url: %s
                  switches: {hostA: 00000000000000a0, hostB: 00000000000000b0}
                  forwarder-ports: {hostA: hostA}
                  timeout: 3s
                """.formatted(sdn);
    }

    /** The store's options of an agent, a root of this test's own, reached from {@code namespace}. */
    private static String[] store(Lab lab, String host) {
        return new String[] {"--store", lab.store().orElseThrow().connectString(), "--store-root",
                "agent-restart-it-" + System.nanoTime(), "--store-netns", lab.namespace(host),
                "--store-session-timeout", SESSION_TIMEOUT.toMillis() + "ms", "--store-auth",
                lab.store().orElseThrow().credentialFile().toString()};
    }

    /** {@code store}'s options for a peer reaching the store from {@code host}'s namespace, checking the leases. */
    private static String[] peerOf(String[] store, Lab lab, String host) {
        String[] peer = Arrays.copyOf(store, store.length + 2);
        peer[5] = lab.namespace(host);
        peer[store.length] = "--lease-check";
        peer[store.length + 1] = LEASE_CHECK.toMillis() + "ms";
        return peer;
    }

    /** Dual-homes vm1 for its move to hostB; returns every switch's flows before the cutover. */
    private static Map<String, List<String>> prepared(Lab lab) {
        lab.dualHome("vm1", "br-b");
        return flows(lab);
    }

    /** Creates vm1's cutover from hostA to hostB at {@code source} and takes it to SWITCHOVER; returns its id. */
    private static String redirected(Lab lab, AgentApi source) throws Exception {
        Map<String, List<String>> before = flows(lab);
        JsonAnswer created = source.create("""
                {"vm": "vm1", "mac": "%s", "addresses": ["%s"], "source": "hostA", "destination": "hostB",
                 "mode": "lan", "memoryMiB": 64, "destinationPort": "%s"}""".formatted(Topology.VM_MAC,
                lab.port("vm1").ipv4Address(), lab.switchPort("vm1", "br-b")));
        assertThat(created.status()).as("%s", created.body()).isEqualTo(201);
        String id = created.body().path("id").asText();
        assertThat(source.phase(id, "switchover").status()).isEqualTo(200);
        assertThat(flows(lab).get("br-a")).as("sdn.redirect changed the source's switch")
                .isNotEqualTo(before.get("br-a"));
        assertThat(source.cutover(id).path("journalWrites").asLong()).as("document writes so far").isPositive();
        return id;
    }

    private static boolean rolledBack(JsonNode cutover) {
        return cutover.path("stage").asText().equals("ROLLED_BACK") && cutover.path("ended").asBoolean();
    }

    /** The controller's move rolled back and every switch's flows as {@code before}. */
    private static void assertUndone(Lab lab, String sdn, Map<String, List<String>> before) throws Exception {
        assertThat(moves(sdn)).as("the controller's moves").contains("\"state\":\"ROLLED_BACK\"")
                .doesNotContain("PREPARED").doesNotContain("REDIRECTED");
        assertThat(flows(lab)).as("the flows as before the cutover").isEqualTo(before);
    }

    /** The cutover's document in the store, as a client in hostB's namespace reads it. */
    private static JsonNode document(Lab lab, String[] store, String id) throws Exception {
        StoreOptions options = StoreOptions.of(store[1]).withRoot(store[3])
                .withCredential(lab.store().orElseThrow().credential());
        try (ReplicatedStore client = ReplicatedStore.connect(options, Netns.threadFactory(lab.namespace("hostB")))) {
            return new ObjectMapper().readTree(client.read("cutovers/hostA/" + id).orElseThrow().data());
        }
    }
}
