package io.cutover.it.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.cutover.it.LabExtension;
import io.cutover.lab.Lab;
import io.cutover.lab.Topology;
import io.cutover.support.JsonAnswer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An agent on the lab's replicated store is killed (SIGKILL) in the middle of a cutover, its move prepared and the
 * source's traffic redirected to the forwarder; started again, it finds the cutover's document in the store and rolls
 * it back: its REST API reports the cutover ROLLED_BACK, the controller's move is rolled back, and every switch has
 * the flows it had before the cutover.
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
            String sections = """
                    sdn:
                      url: %s
                      switches: {hostA: 00000000000000a0, hostB: 00000000000000b0}
                      forwarder-ports: {hostA: hostA}
                      timeout: 3s
                    """.formatted(sdn);
            String[] store = {"--store", lab.store().orElseThrow().connectString(), "--store-root",
                    "agent-restart-it-" + System.nanoTime(), "--store-netns", lab.namespace("hostA")};
            AgentApi source = new AgentApi(processes.startAgent("hostA", portA, Map.of("hostB", portB), sections,
                    store));
            processes.startAgent("hostB", portB, Map.of("hostA", portA), "");
            lab.dualHome("vm1", "br-b");
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

            processes.killAgent("hostA");
            AgentApi restarted = new AgentApi(processes.startAgent("hostA", portA, Map.of("hostB", portB), sections,
                    store));
            JsonNode report = restarted.awaitCutover(id, Duration.ofSeconds(30),
                    c -> c.path("stage").asText().equals("ROLLED_BACK") && c.path("ended").asBoolean());
            assertThat(report.path("stage").asText()).as("%s\n%s", report, processes.logs()).isEqualTo("ROLLED_BACK");
            assertThat(AgentApi.has(report, "sdn.redirect", "rolled-back")).as("%s", report).isTrue();
            System.out.println("store_writes_per_move=" + report.path("journalWrites").asLong());
            assertThat(moves(sdn)).as("the controller's moves").contains("\"state\":\"ROLLED_BACK\"")
                    .doesNotContain("PREPARED").doesNotContain("REDIRECTED");
            assertThat(flows(lab)).as("the flows as before the cutover").isEqualTo(before);
        }
    }

    private static String moves(String sdn) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(sdn + "/moves")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The flows of every bridge, without their counters, sorted. */
    private static Map<String, List<String>> flows(Lab lab) {
        Map<String, List<String>> flows = new java.util.TreeMap<>();
        for (String bridge : lab.topology().bridges()) {
            String dump = lab.ofctl("-O", "OpenFlow13", "dump-flows", "--no-stats", bridge).orThrow().stdout();
            flows.put(bridge, Arrays.stream(dump.split("\n")).map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("OFPST_FLOW")).sorted().toList());
        }
        return flows;
    }
}
