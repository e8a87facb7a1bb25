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
import java.util.Map;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The DNS server (the lab's BIND) goes down during a WAN cutover run by a real agent: the cutover completes, the
 * address switch waits in the agent's queue, and once BIND is back the record holds the new address and its TTL
 * is restored — as BIND itself answers.
 */
class DnsDownCutoverIT {
    @RegisterExtension
    static final LabExtension LAB = LabExtension.of(Topology.LAN);

    private static final String NAME = "vm1." + Topology.ZONE;
    private static final String NEW_ADDRESS = "198.18.0.200";

    @TempDir
    Path dir;

    @Test
    void theCutoverCompletesAndTheQueuedSwitchIsAppliedWhenTheServerReturns() throws Exception {
        Lab lab = LAB.lab();
        String old = lab.port("vm1").ipv4Address();
        assertThat(dig(lab, "A")).isEqualTo(old);
        assertThat(ttl(lab)).isEqualTo(300);
        try (LabProcesses processes = new LabProcesses(lab, dir)) {
            int portA = LabProcesses.freePort();
            int portB = LabProcesses.freePort();
            AgentApi source = new AgentApi(processes.startAgent("hostA", portA, Map.of("hostB", portB), """
                    dns:
                      server: %s:53
                      key-file: %s
                      queue-dir: %s
                      netns: %s
                      timeout: 300ms
                      attempts: 2
                      replay-every: 1s
                    """.formatted(lab.dnsServer(), lab.tsigKeyFile(), dir.resolve("queue"), lab.namespace("hostA"))));
            processes.startAgent("hostB", portB, Map.of("hostA", portA), "");

            JsonAnswer created = source.create("""
                    {"vm": "vm1", "mac": "%s", "addresses": ["%s"], "source": "hostA", "destination": "hostB",
                     "mode": "wan", "newAddresses": ["%s"], "dnsName": "%s", "memoryMiB": 64}"""
                    .formatted(Topology.VM_MAC, old, NEW_ADDRESS, NAME));
            assertThat(created.status()).as("%s", created.body()).isEqualTo(201);
            String id = created.body().path("id").asText();
            source.awaitCutover(id, Duration.ofSeconds(30), c -> AgentApi.has(c, "dns.lower-ttl", "done"));
            assertThat(ttl(lab)).as("the TTL during the move").isEqualTo(5);

            lab.stopDns();
            for (String phase : new String[] {"switchover", "activated", "completed"}) {
                JsonAnswer answer = source.phase(id, phase);
                assertThat(answer.status()).as(phase + ": %s", answer.body()).isEqualTo(200);
            }
            JsonNode report = source.awaitCutover(id, Duration.ofSeconds(30), c -> c.path("ended").asBoolean());
            assertThat(report.path("stage").asText()).isEqualTo("COMPLETED");
            assertThat(detail(report, "dns.switch")).startsWith("queued: ");
            assertThat(detail(report, "dns.restore-ttl")).startsWith("queued: ");

            lab.startDns();
            await(Duration.ofSeconds(60), () -> NEW_ADDRESS.equals(dig(lab, "A")), () -> "A " + dig(lab, "A"));
            await(Duration.ofSeconds(60), () -> ttl(lab) == 300, () -> "TTL " + ttl(lab));
        } finally {
            if (!lab.dnsRunning()) {
                lab.startDns();
            }
        }
    }

    private static String detail(JsonNode cutover, String step) {
        for (JsonNode entry : cutover.path("timeline")) {
            if (entry.path("what").asText().equals(step) && entry.path("event").asText().equals("done")) {
                return entry.path("detail").asText();
            }
        }
        throw new AssertionError("no " + step + " done in " + cutover.toPrettyString());
    }

    private static void await(Duration within, Supplier<Boolean> condition, Supplier<String> state) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("BIND still serves " + state.get() + " after " + within);
            }
            Thread.sleep(250);
        }
    }

    private static String dig(Lab lab, String type) {
        return lab.exec("client", "dig", "+short", "+norecurse", "+time=1", "+tries=1", "@" + lab.dnsServer(), NAME, type)
                .stdout().strip();
    }

    private static long ttl(Lab lab) {
        String out = lab.exec("client", "dig", "+noall", "+answer", "+norecurse", "+time=1", "+tries=1",
                "@" + lab.dnsServer(), NAME, "A").stdout().strip();
        return out.isEmpty() ? -1 : Long.parseLong(out.split("\\s+")[1]);
    }
}
