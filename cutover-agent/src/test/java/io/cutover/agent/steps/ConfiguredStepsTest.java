package io.cutover.agent.steps;

import com.sun.net.httpserver.HttpServer;
import io.cutover.agent.CutoverRequest;
import io.cutover.agent.config.AgentConfig;
import io.cutover.agent.plan.CutoverPlan;
import io.cutover.agent.plan.PlanStep;
import io.cutover.agent.plan.PlanStepException;
import io.cutover.api.CutoverStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The plan host.yaml makes: which steps, at which stage, in which order. */
class ConfiguredStepsTest {
    private static final String KEY = """
            key "cutover-lab" { algorithm hmac-sha256; secret "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA=="; };
            """;
    private static final CutoverRequest LAN = new CutoverRequest("vm1", "02:00:c6:12:00:64",
            List.of("198.18.0.100", "2001:2::100"), "hostA", "hostB", "lan", null, null, 64, null, null, null).validated();
    private static final CutoverRequest WAN = new CutoverRequest("vm1", "02:00:c6:12:00:64", List.of("198.18.1.100"),
            "hostA", "hostB", "wan", List.of("198.18.2.100"), "vm1.vms.cutover.test.", 64, null, null, null).validated();

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
              switches: {hostA: 00000000000000a0, hostB: "0xb0"}
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
                    "ACTIVATED sdn.verify", "DRAINING tunnel.drain",
                    "COMPLETED sdn.cleanup", "COMPLETED tunnel.close", "COMPLETED dns.restore-ttl");
            assertThat(factory.steps("c-1", WAN)).filteredOn(s -> s.name().equals("sdn.verify")).singleElement()
                    .as("the check that the VM answers at its new port needs the commit alone")
                    .extracting(PlanStep::waitsFor).isEqualTo(java.util.Optional.of(java.util.Set.of("sdn.commit")));
        }
    }

    @Test
    void onALanWithTheControllerTheHoldIsArmedBeforeThePauseAndTheFlushWaitsOnlyForTheCommit() throws Exception {
        try (ConfiguredSteps factory = open(config(ALL))) {
            List<PlanStep> steps = factory.steps("c-1", LAN);
            assertThat(names(steps)).containsSubsequence("PLANNED tunnel.ready", "PLANNED tunnel.arm",
                    "SWITCHOVER sdn.redirect", "ACTIVATED sdn.commit", "ACTIVATED announce", "ACTIVATED tunnel.flush");
            assertThat(names(steps)).doesNotContain("SWITCHOVER tunnel.hold", "PLANNED tunnel.hold");
            assertThat(steps).filteredOn(s -> s.name().equals("tunnel.flush")).singleElement()
                    .extracting(PlanStep::waitsFor).isEqualTo(java.util.Optional.of(java.util.Set.of("sdn.commit")));
        }
    }

    @Test
    void aWanMoveQemuDrivesIsMirroredItsOneBlackoutStepTheSourcesHoldAndItsFlushBesideTheCommit() throws Exception {
        CutoverRequest byQemu = new CutoverRequest("vm1", "02:00:c6:12:00:64", List.of("198.18.1.101"), "hostA",
                "hostB", "wan", List.of("198.18.2.101"), "vm1.vms.cutover.test.", 64,
                CutoverRequest.Migrator.byQemu(
                        new CutoverRequest.Qemu("tcp:198.19.0.2:49152", null, null, null, null, null, null, null)),
                null, null).validated();
        try (ConfiguredSteps factory = open(config(ALL.replace("{hostA: fwd-a}", "{hostA: fwd, hostB: fwd}")))) {
            List<PlanStep> steps = factory.steps("c-1", byQemu);
            assertThat(names(steps)).containsSubsequence("PLANNED sdn.prepare", "PLANNED tunnel.arm",
                    "SWITCHOVER tunnel.hold", "ACTIVATED sdn.commit", "ACTIVATED tunnel.flush", "ACTIVATED dns.switch");
            assertThat(names(steps)).doesNotContain("SWITCHOVER sdn.redirect");
            assertThat(steps).filteredOn(s -> s.name().equals("tunnel.flush")).singleElement()
                    .extracting(PlanStep::waitsFor).isEqualTo(java.util.Optional.of(java.util.Set.of()));
        }
    }

    @Test
    void aLibvirtMoveIsMirroredLikeQemusAndItsHoldReachesBackTheEventLagMore() throws Exception {
        CutoverRequest byLibvirt = new CutoverRequest("vm1", "02:00:c6:12:00:64", List.of("198.18.1.101"), "hostA",
                "hostB", "lan", List.of(), null, 64, null, null, null, new CutoverRequest.Libvirt("qvm")).validated();
        String mirrored = ALL.replace("{hostA: fwd-a}", "{hostA: fwd, hostB: fwd}");
        try (ConfiguredSteps factory = open(config(mirrored + "libvirt: {event-lag: 150ms}\n"))) {
            List<PlanStep> steps = factory.steps("c-1", byLibvirt);
            assertThat(names(steps)).containsSubsequence("PLANNED tunnel.arm", "SWITCHOVER tunnel.hold")
                    .doesNotContain("SWITCHOVER sdn.redirect");
            assertThat(factory.lookback(byLibvirt)).isEqualTo(java.time.Duration.ofMillis(190));
            assertThat(factory.lookback(LAN)).isEqualTo(TunnelSteps.PAUSE_LOOKBACK);
            assertThat(names(factory.steps("c-2", LAN))).as("without libvirt or QEMU: armed, redirected")
                    .contains("SWITCHOVER sdn.redirect");
        }
        io.cutover.agent.plan.Timeline timeline = new io.cutover.agent.plan.Timeline();
        long pause = System.nanoTime() - java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(500);
        timeline.addAt(pause, "vm.pause", "done", "libvirt's Suspended Migrated");
        java.time.Instant expected = java.time.Instant.now().minusMillis(500 + 190);
        assertThat(new TunnelSteps.Notes(null, timeline, java.time.Duration.ofMillis(190)).holdFrom())
                .isBetween(expected.minusMillis(50), expected.plusMillis(50));
    }

    @Test
    void withTheDaemonsUnderlayAndInterfaceThePlanRegistersTheMoveUnderTheCutoversId() throws Exception {
        try (ConfiguredSteps factory = open(config(ALL.replace("api: 'http://127.0.0.1:1'",
                "api: 'http://127.0.0.1:1'\n  underlay: 198.19.0.1:4789\n  iface: eth0")))) {
            assertThat(names(factory.steps("c-1", WAN))).containsSubsequence("PLANNED sdn.prepare",
                    "PLANNED tunnel.register", "SWITCHOVER tunnel.hold").doesNotContain("PLANNED tunnel.ready");
        }
        assertThatThrownBy(() -> config(ALL.replace("api: 'http://127.0.0.1:1'",
                "api: 'http://127.0.0.1:1'\n  underlay: 198.19.0.1:4789")))
                .hasMessageContaining("tunnel.iface").hasMessageContaining("go together");
    }

    @Test
    void aLanMoveLeavesDnsAloneAndAMissingSectionSwitchesItsPartOff() throws Exception {
        try (ConfiguredSteps factory = open(config(ALL))) {
            assertThat(names(factory.steps("c-1", LAN))).doesNotContain("PLANNED dns.lower-ttl", "ACTIVATED dns.switch");
        }
        try (ConfiguredSteps factory = open(config("""
                sdn:
                  url: http://127.0.0.1:1/v1
                  switches: {hostA: 00000000000000a0, hostB: "0xb0"}
                """))) {
            assertThat(names(factory.steps("c-1", WAN))).containsExactly("PLANNED sdn.prepare", "ACTIVATED sdn.commit",
                    "ACTIVATED sdn.verify", "COMPLETED sdn.cleanup");
            assertThat(factory.dnsQueue()).isNull();
        }
        try (ConfiguredSteps factory = open(config(""))) {
            assertThat(factory.steps("c-1", WAN)).isEmpty();
        }
    }

    @Test
    void withoutTheControllerTheHostItselfAsksTheVmAfterTheAnnouncement() throws Exception {
        try (ConfiguredSteps factory = open(config("""
                announce:
                  interface: eth0
                """))) {
            List<PlanStep> steps = factory.steps("c-1", LAN);
            assertThat(names(steps)).containsExactly("ACTIVATED announce", "ACTIVATED announce.verify");
            assertThat(steps.get(1).waitsFor()).isEqualTo(java.util.Optional.of(java.util.Set.of("announce")));
        }
        try (ConfiguredSteps factory = open(config(ALL))) {
            assertThat(names(factory.steps("c-1", LAN))).as("the controller's probe asks instead")
                    .contains("ACTIVATED sdn.verify").doesNotContain("ACTIVATED announce.verify");
        }
    }

    @Test
    void aHostWithoutABridgeIsABadRequest() throws Exception {
        try (ConfiguredSteps factory = open(config("""
                sdn:
                  url: http://127.0.0.1:1/v1
                  switches: {hostA: 00000000000000a0}
                """))) {
            assertThatThrownBy(() -> factory.steps("c-1", LAN)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("sdn.switches has no switch for host hostB");
        }
    }

    @Test
    void theMoveGoesToTheRequestsDestinationPortOrElseToThePortNamedAfterTheVm() throws Exception {
        List<String> prepared = new CopyOnWriteArrayList<>();
        HttpServer controller = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        controller.createContext("/v1/moves", exchange -> {
            prepared.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] move = """
                    {"id": 1, "endpoint": "vm1", "fromSwitch": "00000000000000a0", "fromPort": "vm1", "fromGeneration": 0,
                     "toSwitch": "00000000000000b0", "toPort": "vm1", "state": "PREPARED"}""".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(201, move.length);
            exchange.getResponseBody().write(move);
            exchange.close();
        });
        controller.createContext("/v1/switches/00000000000000b0/ports", exchange -> {
            byte[] ports = "{\"tap-vm1\": 7, \"vm1\": 8, \"b-to-tor\": 1}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, ports.length);
            exchange.getResponseBody().write(ports);
            exchange.close();
        });
        controller.start();
        CutoverRequest toTap = new CutoverRequest(LAN.vm(), LAN.mac(), LAN.addresses(), LAN.source(),
                LAN.destination(), LAN.mode(), null, null, 64, null, "tap-vm1", null).validated();
        CutoverRequest toNowhere = new CutoverRequest(LAN.vm(), LAN.mac(), LAN.addresses(), LAN.source(),
                LAN.destination(), LAN.mode(), null, null, 64, null, "tap-gone", null).validated();
        try (ConfiguredSteps factory = open(config("""
                sdn:
                  url: http://127.0.0.1:%d/v1
                  switches: {hostA: 00000000000000a0, hostB: "0xb0"}
                """.formatted(controller.getAddress().getPort())))) {
            for (CutoverRequest request : List.of(toTap, LAN)) {
                new CutoverPlan("c-1", factory.steps("c-1", request)).advance(CutoverStage.PLANNED)
                        .toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
            assertThatThrownBy(() -> new CutoverPlan("c-2", factory.steps("c-2", toNowhere))
                    .advance(CutoverStage.PLANNED).toCompletableFuture().get(10, TimeUnit.SECONDS))
                    .hasMessageContaining("sdn.prepare").hasMessageContaining("has no port tap-gone");
        } finally {
            controller.stop(0);
        }
        assertThat(prepared).hasSize(2);
        assertThat(prepared.get(0)).contains("\"toPort\":\"tap-vm1\"", "\"toSwitch\":\"00000000000000b0\"");
        assertThat(prepared.get(1)).contains("\"toPort\":\"vm1\"");
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
                  switches: {hostA: 00000000000000a0, hostB: "0xb0"}
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
