package io.cutover.it.sdn;

import io.cutover.it.LabExtension;
import io.cutover.it.Launcher;
import io.cutover.lab.CommandResult;
import io.cutover.lab.Lab;
import io.cutover.support.Netns;
import io.cutover.lab.Topology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code cutover sdn serve --lab} as a real process: the lab pings through its flows, the process is killed with
 * SIGKILL during steady traffic and started again (nothing lost: fail-mode secure keeps the flows, the journal
 * keeps the state), and the REST API answers. Bad input exits 2.
 */
class SdnCliIT {
    @RegisterExtension
    static final LabExtension LAB = LabExtension.of(Topology.LAN);


    @TempDir
    Path dir;

    @Test
    void serveSurvivesKillDashNineDuringTrafficAndAnswersRest() throws Exception {
        Lab lab = LAB.lab();
        int port;
        try (Netns fabric = lab.netns(Topology.FABRIC)) {
            port = fabric.call(() -> {
                try (ServerSocket probe = new ServerSocket(0)) {
                    return probe.getLocalPort();
                }
            });
        }
        String[] serve = {"sdn", "serve", "--lab", lab.name(), "--listen", "127.0.0.1:" + port,
                "--rest", "127.0.0.1:0", "--state", dir.resolve("state").toString()};
        Path log1 = dir.resolve("serve1.log");
        Process first = Launcher.start(log1, null, serve);
        Process second = null;
        try {
            String rest = Launcher.awaitRest(first, log1, Duration.ofSeconds(90));
            ping(lab, 3);
            CompletableFuture<CommandResult> traffic = CompletableFuture.supplyAsync(() -> lab.exec("client", "ping",
                    "-c", "80", "-i", "0.05", "-W", "2", vm(lab)));
            Thread.sleep(800);
            first.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            Path log2 = dir.resolve("serve2.log");
            second = Launcher.start(log2, null, serve);
            rest = Launcher.awaitRest(second, log2, Duration.ofSeconds(90));
            CommandResult result = traffic.get(60, TimeUnit.SECONDS);
            assertThat(result.stdout()).as(result.stdout()).contains(" 0% packet loss");
            HttpResponse<String> endpoints = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(rest + "/endpoints")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(endpoints.statusCode()).isEqualTo(200);
            assertThat(endpoints.body()).contains("\"vm1\"").contains("\"client\"");
            HttpResponse<String> flows = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(rest + "/switches/" + Topology.DPID_A + "/flows")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(flows.statusCode()).isEqualTo(200);
            assertThat(flows.body()).contains("goto_table:1").contains("\"switch\":\"" + Topology.DPID_A + "\"");
            HttpResponse<String> switches = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(rest + "/switches")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(switches.body()).contains("{\"dpid\":\"" + Topology.DPID_A + "\",\"name\":\"br-a\"");
            assertThat(switches.body()).as("both hosts' own br-int, told apart by datapath id")
                    .contains("{\"dpid\":\"" + Topology.DPID_HOST_A + "\",\"name\":\"br-int\"")
                    .contains("{\"dpid\":\"" + Topology.DPID_HOST_B + "\",\"name\":\"br-int\"");
            assertThat(Files.readString(log2)).as("the lab's hosts and the hosts' forwarder ports; patches and uplinks, "
                    + "from the journal").contains("7 endpoints, 0 networks, 4 links");
            ping(lab, 2);
        } finally {
            first.destroyForcibly();
            if (second != null) {
                second.destroy();
                second.waitFor(15, TimeUnit.SECONDS);
                second.destroyForcibly();
            }
        }
    }

    @Test
    void badInputExitsTwoWithOneLine() throws Exception {
        assertUsage(dir.resolve("a.log"), "sdn", "serve", "--listen", "nonsense");
        assertUsage(dir.resolve("b.log"), "sdn", "serve", "--echo-interval", "soon", "--rest", "off");
        assertUsage(dir.resolve("c.log"), "sdn", "move", "frobnicate", "1");
        assertUsage(dir.resolve("d.log"), "sdn", "move", "prepare", "vm1", "br-b", "vm1");
    }

    private static void assertUsage(Path log, String... args) throws Exception {
        Process p = Launcher.start(log, null, args);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(log)).isEqualTo(2);
        assertThat(Files.readString(log).strip().lines().filter(l -> l.startsWith("cutover:")).count()).isEqualTo(1);
    }

    private static String vm(Lab lab) {
        return lab.port("vm1").ipv4Address();
    }

    private static void ping(Lab lab, int count) {
        CommandResult result = lab.exec("client", "ping", "-c", String.valueOf(count), "-i", "0.2", "-W", "2", vm(lab));
        assertThat(result.stdout()).as(result.stdout()).contains(" 0% packet loss");
    }
}
