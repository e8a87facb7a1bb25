package io.cutover.it.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.cutover.it.LabExtension;
import io.cutover.it.Launcher;
import io.cutover.lab.Lab;
import io.cutover.support.Netns;
import io.cutover.lab.Topology;
import io.cutover.support.JsonAnswer;
import io.cutover.support.JsonHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The plan drives the brownout tunnel at both ends with real processes in the hosts' namespaces: each host runs a
 * tunnel daemon (API on its own loopback) and an agent; the source agent drives its daemon directly and the
 * destination's through the destination's agent, over the underlay; the VM's location is announced (from the
 * destination host's interface) between the hold and the flush, and the VM asked from there whether it answers.
 */
class TunnelRelayIT {
    @RegisterExtension
    static final LabExtension LAB = LabExtension.of(Topology.LAN);

    private static final int AGENT_PORT = 7070;
    private static final String DAEMON_API = "http://127.0.0.1:7946";
    /** Both daemons' API token (each daemon's API is on its own host's loopback). */
    private static final String TOKEN = "relay-it-token-0123456789abcdef";

    @TempDir
    Path dir;

    @Test
    void thePlanHoldsFlushesAndClosesTheMoveAtBothDaemons() throws Exception {
        Lab lab = LAB.lab();
        try (LabProcesses processes = new LabProcesses(lab, dir)) {
            Path token = Files.writeString(dir.resolve("tunnel.token"), TOKEN);
            Path daemonConfig = Files.writeString(dir.resolve("tunnel.yaml"), "listen: 0.0.0.0:4789\napi: 127.0.0.1:7946\n"
                    + "keyDir: " + dir + "\ntokenFile: " + token + "\n");
            for (String host : new String[] {"hostA", "hostB"}) {
                processes.startIn(lab.namespace(host), "tunnel-" + host, "tunnel", "serve", "--config", daemonConfig.toString());
                awaitDaemon(lab, host);
            }
            Path key = Files.writeString(dir.resolve("move.key"),
                    Base64.getEncoder().encodeToString(new SecureRandom().generateSeed(32)));
            register(lab, "hostB", "destination", "198.19.0.1", key, token, processes);
            register(lab, "hostA", "source", "198.19.0.2", key, token, processes);

            String tunnel = "tunnel:\n  api: " + DAEMON_API + "\n  token-file: " + token + "\n";
            processes.startAgent("hostA", lab.namespace("hostA"), "0.0.0.0:" + AGENT_PORT,
                    Map.of("hostB", "http://198.19.0.2:" + AGENT_PORT), tunnel + """
                    announce:
                      interface: eth0
                      netns: %s
                      forms: [rarp, request]
                      schedule: once
                    """.formatted(lab.namespace("hostB")));
            processes.startAgent("hostB", lab.namespace("hostB"), "0.0.0.0:" + AGENT_PORT,
                    Map.of("hostA", "http://198.19.0.1:" + AGENT_PORT), tunnel);

            try (Netns hostA = lab.netns("hostA")) {
                AgentApi source = hostA.call(() -> new AgentApi(URI.create("http://127.0.0.1:" + AGENT_PORT + "/v1/")));
                JsonAnswer created = in(hostA, () -> source.create("""
                        {"vm": "vm1", "mac": "%s", "addresses": ["%s"], "source": "hostA", "destination": "hostB",
                         "mode": "lan", "memoryMiB": 64}""".formatted(Topology.VM_MAC, lab.port("vm1").ipv4Address())));
                assertThat(created.status()).as("%s", created.body()).isEqualTo(201);
                String id = created.body().path("id").asText();
                in(hostA, () -> source.awaitCutover(id, Duration.ofSeconds(30), c -> AgentApi.has(c, "tunnel.ready", "done")));

                phase(hostA, source, id, "switchover");
                assertThat(state(lab, "hostA")).isEqualTo("HOLDING");
                phase(hostA, source, id, "activated");
                assertThat(state(lab, "hostA")).isEqualTo("FORWARDING");
                assertThat(state(lab, "hostB")).as("the destination's daemon, driven through its agent").isEqualTo("FORWARDING");
                phase(hostA, source, id, "completed");
                JsonNode report = in(hostA, () -> source.awaitCutover(id, Duration.ofSeconds(30),
                        c -> c.path("ended").asBoolean()));
                assertThat(report.path("stage").asText()).as("COMPLETED once the drain ended").isEqualTo("COMPLETED");
                assertThat(state(lab, "hostA")).isEqualTo("CLOSED");
                assertThat(state(lab, "hostB")).isEqualTo("CLOSED");
                assertThat(daemon(lab, "hostA", "/v1/moves/vm1").path("drainEndedBy").asText())
                        .as("a LAN move: no DNS rule, its drain ended once idle for 1 s").isEqualTo("idle");
                assertThat(report.path("timeline").findValuesAsText("what")).containsSubsequence("tunnel.ready",
                        "tunnel.hold", "announce", "tunnel.flush", "tunnel.drain", "tunnel.close");
                assertThat(AgentApi.has(report, "tunnel.drain", "done")).isTrue();
                assertThat(report.path("timeline").findValues("detail").stream().map(JsonNode::asText))
                        .contains("ended by idle");
                assertThat(AgentApi.has(report, "announce", "done")).as("%s", report).isTrue();
                assertThat(AgentApi.has(report, "announce.verify", "done"))
                        .as("without the controller, hostB asked the VM itself: %s", report).isTrue();
            }
        }
    }

    private static void phase(Netns ns, AgentApi source, String id, String phase) {
        JsonAnswer answer = in(ns, () -> source.phase(id, phase));
        assertThat(answer.status()).as(phase + ": %s", answer.body()).isEqualTo(200);
    }

    private static <T> T in(Netns ns, Callable<T> call) {
        return ns.call(call);
    }

    private void register(Lab lab, String host, String role, String peer, Path key, Path token, LabProcesses processes)
            throws Exception {
        Process add = new ProcessBuilder(Launcher.command(lab.namespace(host), "tunnel", "add", "--api", DAEMON_API,
                "--id", "vm1", "--vni", "300", "--role", role, "--vm-mac", Topology.VM_MAC,
                "--vm-address", lab.port("vm1").ipv4Address(), "--peer", peer, "--iface", "eth0",
                "--key-file", key.toString(), "--token-file", token.toString(), "--idle", "1s"))
                .redirectErrorStream(true).redirectInput(new File("/dev/null")).start();
        String out = new String(add.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(add.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(add.exitValue()).as("%s\n%s", out, processes.logs()).isZero();
    }

    /** The move's state at {@code host}'s daemon, read from inside that namespace (its API is on its loopback). */
    private static String state(Lab lab, String host) {
        return daemon(lab, host, "/v1/moves/vm1").path("state").asText();
    }

    private static JsonNode daemon(Lab lab, String host, String path) {
        try (JsonHttpClient http = JsonHttpClient.builder(URI.create(DAEMON_API)).bearerToken(TOKEN).timeout(Duration.ofSeconds(5))
                .threads(Netns.threadFactory(lab.namespace(host))).build()) {
            return http.send("GET", path, null).body();
        }
    }

    private static void awaitDaemon(Lab lab, String host) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try {
                daemon(lab, host, "/v1/moves");
                return;
            } catch (RuntimeException e) {
                Thread.sleep(200);
            }
        }
        throw new AssertionError("the tunnel daemon of " + host + " did not come up");
    }
}
