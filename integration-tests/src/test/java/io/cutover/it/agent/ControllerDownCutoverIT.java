package io.cutover.it.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.cutover.it.LabExtension;
import io.cutover.lab.CommandResult;
import io.cutover.lab.Lab;
import io.cutover.lab.Topology;
import io.cutover.support.JsonAnswer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.cutover.it.agent.LabNetworkState.flows;
import static io.cutover.it.agent.LabNetworkState.moves;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SDN controller dies during a cutover that two real agents run with it: the source agent's plan fails at the
 * commit, says so in its report, and rolls back — it keeps asking the controller, which comes back with its journal,
 * and the switches end with the flows they had before the cutover (the source's redirect to the forwarder gone):
 * the VM answers at the source again.
 */
class ControllerDownCutoverIT {
    @RegisterExtension
    static final LabExtension LAB = LabExtension.of(Topology.LAN);

    @TempDir
    Path dir;

    @Test
    void theCommitFailsAndTheRollbackRestoresTheFlowsOnceTheControllerIsBack() throws Exception {
        Lab lab = LAB.lab();
        try (LabProcesses processes = new LabProcesses(lab, dir)) {
            String sdn = processes.startController();
            ping(lab);
            int portA = LabProcesses.freePort();
            int portB = LabProcesses.freePort();
            AgentApi source = new AgentApi(processes.startAgent("hostA", portA, Map.of("hostB", portB), """
                    sdn:
                      url: %s
                      switches: {hostA: 00000000000000a0, hostB: 00000000000000b0}
                      forwarder-ports: {hostA: hostA}
                      timeout: 3s
                      rollback-patience: 60s
                    """.formatted(sdn)));
            processes.startAgent("hostB", portB, Map.of("hostA", portA), "");
            // the VM's port at the destination, plugged before the cutover as a destination hypervisor does
            lab.dualHome("vm1", "br-b");
            Map<String, List<String>> before = flows(lab);

            JsonAnswer nowhere = source.create("""
                    {"vm": "vm1", "mac": "%s", "addresses": ["%s"], "source": "hostA", "destination": "hostB",
                     "mode": "lan", "memoryMiB": 64, "destinationPort": "tap-nowhere"}""".formatted(Topology.VM_MAC,
                    lab.port("vm1").ipv4Address()));
            assertThat(nowhere.status()).as("a destination port the switch does not have").isEqualTo(409);
            assertThat(nowhere.text()).contains("sdn.prepare").contains("has no port tap-nowhere");
            assertThat(flows(lab)).as("nothing changed").isEqualTo(before);

            JsonAnswer created = source.create("""
                    {"vm": "vm1", "mac": "%s", "addresses": ["%s"], "source": "hostA", "destination": "hostB",
                     "mode": "lan", "memoryMiB": 64, "destinationPort": "%s"}""".formatted(Topology.VM_MAC,
                    lab.port("vm1").ipv4Address(), lab.switchPort("vm1", "br-b")));
            assertThat(created.status()).as("%s", created.body()).isEqualTo(201);
            String id = created.body().path("id").asText();
            source.awaitCutover(id, Duration.ofSeconds(30), c -> AgentApi.has(c, "sdn.prepare", "done"));
            assertThat(moves(sdn)).as("the controller's moves").contains("\"state\":\"PREPARED\"");

            assertThat(source.phase(id, "switchover").status()).isEqualTo(200);
            assertThat(flows(lab).get("br-a")).as("sdn.redirect sends the VM's traffic to the forwarder's port")
                    .isNotEqualTo(before.get("br-a"));
            processes.killController();
            CompletableFuture<JsonAnswer> activated = CompletableFuture.supplyAsync(() -> source.phase(id, "activated"));
            // the step is marked failed before its stage is: the stage fails once every step of ACTIVATED has ended
            JsonNode failing = source.awaitCutover(id, Duration.ofSeconds(30), c -> AgentApi.has(c, "sdn.commit", "failed")
                    && !c.path("stage").asText().equals("ACTIVATED"));
            assertThat(failing.path("stage").asText()).as("the rollback waits for the controller").isEqualTo("FAILED");

            sdn = processes.restartController();
            JsonAnswer answer = activated.get(90, TimeUnit.SECONDS);
            assertThat(answer.status()).as("%s", answer.body()).isEqualTo(502);
            assertThat(answer.body().path("detail").asText()).contains("step sdn.commit at ACTIVATED failed")
                    .contains("the controller does not answer");
            JsonNode report = source.cutover(id);
            assertThat(report.path("stage").asText()).isEqualTo("ROLLED_BACK");
            assertThat(report.path("failure").asText()).contains("step sdn.commit at ACTIVATED failed");
            assertThat(AgentApi.has(report, "sdn.redirect", "rolled-back")).as("%s", report).isTrue();
            assertThat(moves(sdn)).as("the controller's moves").contains("\"state\":\"ROLLED_BACK\"")
                    .doesNotContain("PREPARED");
            assertThat(flows(lab)).as("the flows as before the cutover").isEqualTo(before);
            ping(lab);
        }
    }

    private static void ping(Lab lab) {
        CommandResult result = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            result = lab.exec("client", "ping", "-c", "3", "-i", "0.2", "-W", "2", lab.port("vm1").ipv4Address());
            if (result.stdout().contains(" 0% packet loss")) {
                return;
            }
        }
        throw new AssertionError("the VM does not answer at the source: " + result.stdout());
    }
}
