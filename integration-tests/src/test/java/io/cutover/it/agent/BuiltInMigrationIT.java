package io.cutover.it.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.cutover.it.LabExtension;
import io.cutover.it.PrometheusText;
import io.cutover.lab.CommandResult;
import io.cutover.lab.Lab;
import io.cutover.lab.Topology;
import io.cutover.lab.Wire;
import io.cutover.support.JsonAnswer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The built-in migrator driven over REST by two real agents: the source agent migrates the VM's guest over the lab's
 * underlay to the destination agent, which listens on its migration address in its host's namespace.
 */
class BuiltInMigrationIT {
    @RegisterExtension
    static final LabExtension LAB = LabExtension.of(Topology.LAN);

    private static final String NAME = "vm1." + Topology.ZONE;

    @TempDir
    Path dir;

    @Test
    void twoAgentsMigrateASyntheticGuestOverTheUnderlayByteForByte() throws Exception {
        Lab lab = LAB.lab();
        try (LabProcesses processes = new LabProcesses(lab, dir)) {
            Agents agents = startAgents(lab, processes, "");
            String sourceBefore = agents.source.metrics();
            String destinationBefore = agents.destination.metrics();
            JsonAnswer created = agents.source.create(request(lab, "lan", "synthetic:size=32m,workload=hotset,hot=5%,rate=5000", "200m"));
            assertThat(created.status()).as("%s", created.body()).isEqualTo(201);
            String id = created.body().path("id").asText();
            JsonNode done = agents.source.awaitCutover(id, Duration.ofSeconds(120),
                    c -> c.path("stage").asText().matches("COMPLETED|ROLLED_BACK"));
            assertThat(done.path("stage").asText()).as("%s", done.toPrettyString()).isEqualTo("COMPLETED");
            JsonNode report = done.path("migration").path("report");
            assertThat(report.path("outcome").asText()).isEqualTo("COMPLETED");
            assertThat(report.path("integrity").asText()).isEqualTo("FULL_MEMORY");
            assertThat(AgentApi.has(done, "SWITCHOVER", "stage") && AgentApi.has(done, "ACTIVATED", "stage")
                    && AgentApi.has(done, "DRAINING", "stage")).as("the plan followed the migration: %s", done).isTrue();

            JsonNode arrived = agents.destination.send("GET", "migrations", null).body().path("migrations").get(0);
            assertThat(arrived.path("activated").asBoolean()).as("%s", arrived).isTrue();
            assertThat(arrived.path("guestRunning").asBoolean()).isTrue();
            assertThat(arrived.path("verifiedDigest").asText())
                    .as("the destination re-read its whole memory and found the source's digest")
                    .isEqualTo(report.path("verifiedDigest").asText()).isNotEqualTo("0");

            String sourceAfter = agents.source.metrics();
            String destinationAfter = agents.destination.metrics();
            assertThat(delta(sourceBefore, sourceAfter, "cutover_migrations_total", "side", "source", "outcome",
                    "completed")).as("the migration sent, at the source's agent").isEqualTo(1);
            assertThat(delta(destinationBefore, destinationAfter, "cutover_migrations_total", "side", "destination",
                    "outcome", "completed")).as("the migration received, at the destination's agent").isEqualTo(1);
            assertThat(delta(sourceBefore, sourceAfter, "cutover_migration_bytes_total", "direction", "sent"))
                    .as("the bytes the report says were sent")
                    .isEqualTo(report.path("progress").path("transferredBytes").asLong()).isPositive();
            assertThat(delta(destinationBefore, destinationAfter, "cutover_migration_bytes_total", "direction",
                    "received")).as("the bytes the destination says it received")
                    .isEqualTo(arrived.path("bytesReceived").asLong()).isPositive();
            assertThat(delta(destinationBefore, destinationAfter, "cutover_migration_pages_total", "direction",
                    "received")).as("the pages the destination says it applied")
                    .isEqualTo(arrived.path("pagesReceived").asLong()).isPositive();
            assertThat(delta(sourceBefore, sourceAfter, "cutover_migration_rounds_total")).isPositive();
            assertThat(delta(sourceBefore, sourceAfter, "cutover_migration_downtime_seconds_count"))
                    .as("the downtime, recorded once").isEqualTo(1);
        }
    }

    /** How much {@code metric} (its samples with every label given as name, value) grew between two scrapes. */
    private static long delta(String before, String after, String metric, String... labelsAndValues) {
        Map<String, String> labels = new TreeMap<>();
        for (int i = 0; i < labelsAndValues.length; i += 2) {
            labels.put(labelsAndValues[i], labelsAndValues[i + 1]);
        }
        return Math.round(PrometheusText.sum(after, metric, labels) - PrometheusText.sum(before, metric, labels));
    }

    @Test
    void theDestinationAgentKilledDuringPrecopyLeavesTheVmAtTheSourceWithFlowsAndDnsUnchanged() throws Exception {
        Lab lab = LAB.lab();
        String old = lab.port("vm1").ipv4Address();
        try (LabProcesses processes = new LabProcesses(lab, dir)) {
            String sdn = processes.startController();
            ping(lab);
            Agents agents = startAgents(lab, processes, """
                    sdn:
                      url: %s
                      switches: {hostA: 00000000000000a0, hostB: 00000000000000b0}
                    dns:
                      server: %s:53
                      key-file: %s
                      queue-dir: %s
                      netns: %s
                    """.formatted(sdn, lab.dnsServer(), lab.tsigKeyFile(), dir.resolve("queue"), lab.namespace("hostA")));
            String metricsBefore = agents.source.metrics();
            // the VM's port at the destination, plugged before the cutover as a destination hypervisor does
            lab.dualHome("vm1", "br-b");
            Map<String, List<String>> flows = LabNetworkState.flows(lab);

            JsonAnswer created = agents.source.create(request(lab, "wan",
                    "synthetic:size=64m,workload=hotset,fill=100%", "8m"));
            assertThat(created.status()).as("%s", created.body()).isEqualTo(201);
            String id = created.body().path("id").asText();
            agents.source.awaitCutover(id, Duration.ofSeconds(60),
                    c -> c.path("migration").path("state").asText().equals("ITERATIVE_PRECOPY"));
            assertThat(ttl(lab)).as("the TTL lowered for the move").isEqualTo(5);
            Thread.sleep(1000);
            processes.killAgent("hostB");

            JsonNode ended = agents.source.awaitCutover(id, Duration.ofSeconds(90),
                    c -> c.path("stage").asText().equals("ROLLED_BACK"));
            JsonNode migration = ended.path("migration");
            assertThat(migration.path("report").path("outcome").asText()).as("%s", ended).isEqualTo("ROLLED_BACK");
            assertThat(migration.path("guestRunningHere").asBoolean()).as("the VM runs at the source").isTrue();
            assertThat(AgentApi.has(ended, "sdn.prepare", "rolled-back")).as("%s", ended).isTrue();
            assertThat(AgentApi.has(ended, "dns.lower-ttl", "rolled-back")).as("%s", ended).isTrue();
            assertThat(LabNetworkState.flows(lab)).as("the flows as before the cutover").isEqualTo(flows);
            assertThat(dig(lab)).isEqualTo(old);
            assertThat(ttl(lab)).as("the TTL restored").isEqualTo(300);
            ping(lab);

            String metricsAfter = agents.source.metrics();
            for (long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos(); System.nanoTime() < deadline
                    && delta(metricsBefore, metricsAfter, "cutover_dns_update_seconds_count") < 2; ) {
                // the restore's answer reached BIND's readers first; the agent counts it as it arrives
                Thread.sleep(100);
                metricsAfter = agents.source.metrics();
            }
            assertThat(delta(metricsBefore, metricsAfter, "cutover_migrations_total", "side", "source", "outcome",
                    "aborted")).as("the migration rolled back, at the source's agent").isEqualTo(1);
            assertThat(delta(metricsBefore, metricsAfter, "cutover_migrations_total", "side", "source", "outcome",
                    "completed")).isZero();
            assertThat(delta(metricsBefore, metricsAfter, "cutover_migration_downtime_seconds_count"))
                    .as("no downtime: the guest never left").isZero();
            assertThat(delta(metricsBefore, metricsAfter, "cutover_dns_updates_total", "outcome", "applied",
                    "rcode", "NOERROR")).as("BIND applied the TTL's lowering and its restoring").isEqualTo(2);
            assertThat(delta(metricsBefore, metricsAfter, "cutover_dns_update_seconds_count"))
                    .as("each update's latency").isEqualTo(2);
            assertThat(PrometheusText.sum(metricsAfter, "cutover_dns_pending_updates", Map.of()))
                    .as("nothing left queued").isZero();
        }
    }

    private record Agents(AgentApi source, AgentApi destination) {
    }

    /** hostA's and hostB's agents, each receiving migrations on its underlay address, in its namespace. */
    private static Agents startAgents(Lab lab, LabProcesses processes, String sourceSections) throws Exception {
        Wire underlay = lab.topology().wires().stream()
                .filter(w -> w.nodeA().equals("hostA") && w.nodeB().equals("hostB")).findFirst().orElseThrow();
        int portA = LabProcesses.freePort();
        int portB = LabProcesses.freePort();
        AgentApi source = new AgentApi(processes.startAgent("hostA", portA, Map.of("hostB", portB), sourceSections
                + migration(underlay.addressA(), lab.namespace("hostA"))));
        AgentApi destination = new AgentApi(processes.startAgent("hostB", portB, Map.of("hostA", portA),
                migration(underlay.addressB(), lab.namespace("hostB"))));
        return new Agents(source, destination);
    }

    private static String migration(String address, String namespace) {
        return "migration:\n  listen: " + address + ":0\n  netns: " + namespace + "\n";
    }

    private static String request(Lab lab, String mode, String guest, String bandwidth) {
        String wan = mode.equals("wan") ? ", \"newAddresses\": [\"198.18.0.200\"], \"dnsName\": \"" + NAME + "\"" : "";
        return """
                {"vm": "vm1", "mac": "%s", "addresses": ["%s"], "source": "hostA", "destination": "hostB",
                 "mode": "%s"%s, "memoryMiB": 128, "destinationPort": "%s",
                 "migrator": {"guest": "%s", "integrity": "full_memory", "maxBandwidth": "%s"}}"""
                .formatted(Topology.VM_MAC, lab.port("vm1").ipv4Address(), mode, wan, lab.switchPort("vm1", "br-b"),
                        guest, bandwidth);
    }

    private static String dig(Lab lab) {
        return lab.exec("client", "dig", "+short", "+norecurse", "@" + lab.dnsServer(), NAME, "A").stdout().strip();
    }

    private static long ttl(Lab lab) {
        String out = lab.exec("client", "dig", "+noall", "+answer", "+norecurse", "@" + lab.dnsServer(), NAME, "A")
                .stdout().strip();
        return out.isEmpty() ? -1 : Long.parseLong(out.split("\\s+")[1]);
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
