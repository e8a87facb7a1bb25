package io.cutover.agent.steps;

import io.cutover.agent.CutoverRequest;
import io.cutover.agent.config.AgentConfig;
import io.cutover.agent.plan.CutoverPlan;
import io.cutover.agent.plan.PlanStep;
import io.cutover.agent.plan.PlanStepException;
import io.cutover.migration.CutoverStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The plan host.yaml makes: which steps, at which stage, in which order. */
class ConfiguredStepsTest {
    private static final String KEY = """
            key "cutover-lab" { algorithm hmac-sha256; secret "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA=="; };
            """;
    private static final CutoverRequest LAN = new CutoverRequest("vm1", "02:00:c6:12:00:64",
            List.of("198.18.0.100", "2001:2::100"), "hostA", "hostB", "lan", null, null, 64, null).validated();
    private static final CutoverRequest WAN = new CutoverRequest("vm1", "02:00:c6:12:00:64", List.of("198.18.1.100"),
            "hostA", "hostB", "wan", List.of("198.18.2.100"), "vm1.vms.cutover.test.", 64, null).validated();

    private static final io.cutover.agent.PeerAgents PEERS = new io.cutover.agent.PeerAgents(
            java.util.Map.of("hostB", java.net.URI.create("http://127.0.0.1:2")), "0123456789abcdef");

    @TempDir
    Path dir;

    private AgentConfig config(String sections) throws Exception {
        Files.writeString(dir.resolve("tsig.key"), KEY);
        return AgentConfig.load(Files.writeString(dir.resolve("host.yaml"),
                "host: hostA\ntoken: 0123456789abcdef\nmemory-mib: 1024\n" + sections));
    }

    private static final String ALL = """
            sdn:
              url: http://127.0.0.1:1/v1
              bridges: {hostA: br-a, hostB: br-b}
              forwarder-ports: {hostA: fwd-a}
            tunnel:
              api: 'http://127.0.0.1:1'
            announce:
              interface: eth0
            dns:
              server: 127.0.0.1:53
              key-file: tsig.key
              queue-dir: queue
            """;

    private static ConfiguredSteps open(AgentConfig config) {
        return ConfiguredSteps.open(config, PEERS);
    }

    private static List<String> names(List<PlanStep> steps) {
        return steps.stream().map(s -> s.stage() + " " + s.name()).toList();
    }

    @Test
    void aWanMoveWithEveryPartRunsThePlanOfTheDesign() throws Exception {
        try (ConfiguredSteps factory = open(config(ALL))) {
            assertThat(names(factory.steps("c-1", WAN))).containsExactly(
                    "PLANNED dns.lower-ttl", "PLANNED sdn.prepare", "PLANNED tunnel.ready",
                    "SWITCHOVER tunnel.hold", "SWITCHOVER sdn.redirect",
                    "ACTIVATED sdn.commit", "ACTIVATED announce", "ACTIVATED tunnel.flush", "ACTIVATED dns.switch",
                    "DRAINING tunnel.drain",
                    "COMPLETED sdn.cleanup", "COMPLETED tunnel.close", "COMPLETED dns.restore-ttl");
        }
    }

    @Test
    void aLanMoveLeavesDnsAloneAndAMissingSectionSwitchesItsPartOff() throws Exception {
        try (ConfiguredSteps factory = open(config(ALL))) {
            assertThat(names(factory.steps("c-1", LAN))).doesNotContain("PLANNED dns.lower-ttl", "ACTIVATED dns.switch");
        }
        try (ConfiguredSteps factory = open(config("""
                sdn:
                  url: http://127.0.0.1:1/v1
                  bridges: {hostA: br-a, hostB: br-b}
                """))) {
            assertThat(names(factory.steps("c-1", WAN))).containsExactly("PLANNED sdn.prepare", "ACTIVATED sdn.commit",
                    "COMPLETED sdn.cleanup");
            assertThat(factory.dnsQueue()).isNull();
        }
        try (ConfiguredSteps factory = open(config(""))) {
            assertThat(factory.steps("c-1", WAN)).isEmpty();
        }
    }

    @Test
    void aHostWithoutABridgeIsABadRequest() throws Exception {
        try (ConfiguredSteps factory = open(config("""
                sdn:
                  url: http://127.0.0.1:1/v1
                  bridges: {hostA: br-a}
                """))) {
            assertThatThrownBy(() -> factory.steps("c-1", LAN)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("sdn.bridges has no switch for host hostB");
        }
    }

    @Test
    void aControllerThatDoesNotAnswerFailsPlannedAndTheReportNamesTheStep() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        try (ConfiguredSteps factory = open(config("""
                sdn:
                  url: http://127.0.0.1:%d/v1
                  bridges: {hostA: br-a, hostB: br-b}
                  timeout: 2s
                """.formatted(closed)))) {
            CutoverPlan plan = new CutoverPlan("c-1", factory.steps("c-1", LAN));
            assertThatThrownBy(() -> plan.advance(CutoverStage.PLANNED).toCompletableFuture().get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(PlanStepException.class)
                    .hasMessageContaining("step sdn.prepare at PLANNED failed")
                    .hasMessageContaining("the controller does not answer");
            assertThat(plan.stage()).isEqualTo(CutoverStage.ROLLED_BACK);
        }
    }
}
