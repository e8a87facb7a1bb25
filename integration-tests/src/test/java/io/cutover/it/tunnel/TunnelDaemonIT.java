package io.cutover.it.tunnel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.it.LabExtension;
import io.cutover.it.Launcher;
import io.cutover.lab.Lab;
import io.cutover.support.Netns;
import io.cutover.lab.Topology;
import io.cutover.tunnel.TunnelKey;
import io.cutover.tunnel.impl.PacketSealer;
import io.cutover.tunnel.impl.VxlanHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The daemon as operators run it: {@code cutover tunnel serve} in hostA and hostB, moves added with
 * {@code cutover tunnel add}, then the source daemon killed with SIGKILL while it forwards, and restarted; then the
 * destination daemon, right after it accepted a packet an attacker recorded, which is replayed after the restart.
 */
class TunnelDaemonIT {
    @RegisterExtension
    static final LabExtension LAB = LabExtension.of(Topology.LAN);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void forwardingResumesAfterKillMinus9OfEitherDaemonAndReplaysAfterTheRestartAreRefused() throws Exception {
        Lab lab = LAB.lab();
        LabTunnel.quietVm(lab);
        LabTunnel.resetVmOnSourceSide(lab);
        LabTunnel.moveVm(lab);
        Path key = dir.resolve("move.key");
        Files.writeString(key, Base64.getEncoder().encodeToString(new SecureRandom().generateSeed(32)));
        Path configA = config("a");
        Path configB = config("b");
        Process daemonA = null;
        Process daemonB = null;
        AtomicBoolean sending = new AtomicBoolean(true);
        try (LabTunnel.ProbeReceiver vm = new LabTunnel.ProbeReceiver(lab);
             LabTunnel.ProbeSender client = new LabTunnel.ProbeSender(lab)) {
            daemonA = Launcher.start(dir.resolve("a1.log"), lab.namespace("hostA"), "tunnel", "serve", "--config", configA.toString());
            daemonB = Launcher.start(dir.resolve("b.log"), lab.namespace("hostB"), "tunnel", "serve", "--config", configB.toString());
            awaitApi(lab, "hostA");
            awaitApi(lab, "hostB");
            assertThat(statusWithoutToken(lab, "hostA", "POST", "/v1/moves")).as("a move without the token").isEqualTo(401);
            assertThat(statusWithoutToken(lab, "hostA", "GET", "/v1/stats")).as("a read without the token").isEqualTo(401);
            assertThat(statusWithoutToken(lab, "hostA", "GET", "/v1/openapi.yaml")).as("the API's document").isEqualTo(200);
            assertThat(get(lab, "hostA", "/v1/moves")).as("nothing registered by the refused call").isEmpty();
            cli(lab, "hostB", "tunnel", "add", "--id", "kill", "--vni", "200", "--role", "destination",
                    "--vm-mac", Topology.VM_MAC, "--vm-address", lab.port("vm1").ipv4Address(),
                    "--peer", LabTunnel.UNDERLAY_A, "--iface", "eth0", "--key-file", key.toString(),
                    "--idle", "60s", "--stage", "ACTIVATED");
            cli(lab, "hostA", "tunnel", "add", "--id", "kill", "--vni", "200", "--role", "source",
                    "--vm-mac", Topology.VM_MAC, "--vm-address", lab.port("vm1").ipv4Address(),
                    "--peer", LabTunnel.UNDERLAY_B, "--iface", "eth0", "--key-file", key.toString(),
                    "--idle", "60s", "--stage", "ACTIVATED");

            int[] next = {0};
            CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
                try {
                    while (sending.get()) {
                        client.send(next[0]++);
                        Thread.sleep(5);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            int got = vm.await(100, 15_000);
            assertThat(got).as("forwarding through the daemons; source %s; destination %s; br-b %s", get(lab, "hostA", "/v1/moves/kill"),
                    get(lab, "hostB", "/v1/moves/kill"), lab.appctl("fdb/show", "br-b").stdout()).isGreaterThanOrEqualTo(100);
            long sentBefore = get(lab, "hostA", "/v1/moves/kill").path("counters").path("sent").asLong();

            daemonA.destroyForcibly();
            assertThat(daemonA.waitFor(10, TimeUnit.SECONDS)).isTrue();
            int lastBeforeRestart = next[0];
            daemonA = Launcher.start(dir.resolve("a2.log"), lab.namespace("hostA"), "tunnel", "serve", "--config", configA.toString());
            awaitApi(lab, "hostA");
            int firstAfterRestart = next[0];
            int target = vm.received.size() + 100;
            assertThat(vm.await(target, 15_000)).as("forwarding resumed after kill -9").isGreaterThanOrEqualTo(target);
            assertThat(vm.received.stream().filter(n -> n >= firstAfterRestart).count()).isGreaterThanOrEqualTo(50);

            JsonNode status = get(lab, "hostA", "/v1/moves/kill");
            assertThat(status.path("state").asText()).isEqualTo("FORWARDING");
            assertThat(status.path("counters").path("sent").asLong()).as("journaled counters kept").isGreaterThan(sentBefore);
            JsonNode atB = get(lab, "hostB", "/v1/moves/kill");
            assertThat(atB.path("drops").path("REPLAYED").asLong()).as("resumed sequence numbers are fresh").isZero();
            assertThat(atB.path("drops").path("BAD_TAG").asLong()).isZero();
            assertThat(Files.readString(dir.resolve("a2.log"))).contains("resumed from the journal");
            System.out.printf("probes up to %d sent before the restart, forwarding again from %d%n", lastBeforeRestart, firstAfterRestart);

            // the receiver killed right after accepting a packet an attacker on the underlay recorded, then restarted
            byte[] recorded;
            try (LabTunnel.TunnelSniffer sniffer = new LabTunnel.TunnelSniffer(lab, "hostB", "eth1")) {
                Thread.sleep(300);
                recorded = LabTunnel.TunnelSniffer.payload(sniffer.latest());
            }
            int recordedProbe = probeIn(recorded, key);
            long waitDelivered = System.currentTimeMillis() + 5_000;
            while (!vm.received.contains(recordedProbe) && System.currentTimeMillis() < waitDelivered) {
                Thread.sleep(20);
            }
            assertThat(vm.received).as("the recorded packet was delivered once").contains(recordedProbe);
            daemonB.destroyForcibly();
            assertThat(daemonB.waitFor(10, TimeUnit.SECONDS)).isTrue();
            daemonB = Launcher.start(dir.resolve("b2.log"), lab.namespace("hostB"), "tunnel", "serve", "--config", configB.toString());
            awaitApi(lab, "hostB");
            int targetAfterB = vm.received.size() + 100;
            assertThat(vm.await(targetAfterB, 15_000)).as("forwarding resumed after kill -9 of the destination")
                    .isGreaterThanOrEqualTo(targetAfterB);
            try (Netns a = lab.netns("hostA")) {
                DatagramSocket attacker = a.call(() -> new DatagramSocket(
                        new InetSocketAddress(InetAddress.getByName(LabTunnel.UNDERLAY_A), 0)));
                try (attacker) {
                    InetSocketAddress tunnelAtB = new InetSocketAddress(InetAddress.getByName(LabTunnel.UNDERLAY_B), 4789);
                    for (int i = 0; i < 5; i++) {
                        attacker.send(new DatagramPacket(recorded, recorded.length, tunnelAtB));
                    }
                }
            }
            long replayDeadline = System.currentTimeMillis() + 10_000;
            while (get(lab, "hostB", "/v1/moves/kill").path("drops").path("REPLAYED").asLong() < 5
                    && System.currentTimeMillis() < replayDeadline) {
                Thread.sleep(50);
            }
            Thread.sleep(300);
            JsonNode restartedB = get(lab, "hostB", "/v1/moves/kill");
            assertThat(restartedB.path("drops").path("REPLAYED").asLong())
                    .as("the replays after the restart are refused and counted: %s; probe %d seen %d times; log %s", restartedB,
                            recordedProbe, vm.received.stream().filter(n -> n == recordedProbe).count(),
                            Files.readString(dir.resolve("b2.log")))
                    .isGreaterThanOrEqualTo(5);
            assertThat(vm.received.stream().filter(n -> n == recordedProbe).count())
                    .as("probe %d reached the VM once, never again from its replays", recordedProbe).isEqualTo(1);

            sending.set(false);
            sender.get(10, TimeUnit.SECONDS);
            daemonA.destroy();
            daemonB.destroy();
            assertThat(daemonA.waitFor(15, TimeUnit.SECONDS)).as("SIGTERM drains and exits").isTrue();
            assertThat(daemonB.waitFor(15, TimeUnit.SECONDS)).isTrue();
            assertThat(Files.readString(dir.resolve("b2.log"))).contains("tunnel daemon stopped");
        } finally {
            sending.set(false);
            if (daemonA != null) {
                daemonA.destroyForcibly();
            }
            if (daemonB != null) {
                daemonB.destroyForcibly();
            }
            LabTunnel.forgetStaleEntry(lab);
        }
    }

    /** The probe number inside a sealed tunnel packet, opened with the move's key. */
    private static int probeIn(byte[] packet, Path keyFile) throws Exception {
        byte[] frame = new byte[packet.length];
        int length = PacketSealer.forSalt(TunnelKey.fromFile(keyFile), 200, PacketSealer.TOWARD_DESTINATION,
                VxlanHeader.readSalt(packet, 0)).open(packet, packet.length, frame);
        ByteBuffer payload = ByteBuffer.wrap(frame, 14 + 20 + 8, length - 42);
        assertThat(payload.getInt()).as("a probe").isEqualTo(LabTunnel.MAGIC);
        return payload.getInt();
    }

    private Path config(String name) throws IOException {
        Path state = dir.resolve("state-" + name);
        Path file = dir.resolve("tunnel-" + name + ".yaml");
        Files.writeString(file, "listen: 0.0.0.0:4789\napi: 127.0.0.1:7946\nstateDir: " + state + "\ntokenFile: "
                + tokenFile() + "\nkeyDir: " + dir + "\n");
        return file;
    }

    /** The daemons' bearer token, in a file of its own. */
    private Path tokenFile() throws IOException {
        Path file = dir.resolve("tunnel.token");
        if (!Files.exists(file)) {
            Files.writeString(file, "tunnel-it-" + Long.toHexString(new SecureRandom().nextLong()) + "\n");
        }
        return file;
    }

    /** What the API answers {@code method path} from {@code node}, without a token: its status. */
    private static int statusWithoutToken(Lab lab, String node, String method, String path) {
        try (Netns ns = lab.netns(node)) {
            return ns.call(() -> {
                HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:7946" + path).openConnection();
                c.setRequestProperty("Connection", "close");
                c.setRequestMethod(method);
                if (method.equals("POST")) {
                    c.setDoOutput(true);
                    c.setRequestProperty("Content-Type", "application/json");
                    c.getOutputStream().write("{\"id\":\"intruder\"}".getBytes(StandardCharsets.UTF_8));
                }
                try {
                    return c.getResponseCode();
                } finally {
                    c.disconnect();
                }
            });
        }
    }

    private void cli(Lab lab, String node, String... args) throws Exception {
        java.util.List<String> withToken = new java.util.ArrayList<>(java.util.List.of(args));
        withToken.addAll(java.util.List.of("--token-file", tokenFile().toString()));
        args = withToken.toArray(String[]::new);
        Process p = new ProcessBuilder(Launcher.command(lab.namespace(node), args)).redirectErrorStream(true)
                .redirectInput(new File("/dev/null")).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("cutover %s: %s", String.join(" ", args), out).isZero();
    }

    private void awaitApi(Lab lab, String node) throws InterruptedException, IOException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                get(lab, node, "/v1/moves");
                return;
            } catch (RuntimeException e) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("the tunnel daemon in " + node + " did not come up");
    }

    /** GET on the daemon's API, from a thread in the node's namespace (the API is on its loopback). */
    private JsonNode get(Lab lab, String node, String path) throws IOException {
        String token = Files.readString(tokenFile()).strip();
        try (Netns ns = lab.netns(node)) {
            return ns.call(() -> {
                HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:7946" + path).openConnection();
                c.setRequestProperty("Authorization", "Bearer " + token);
                // no keep-alive: the JDK would reuse a connection to 127.0.0.1:7946 opened in another namespace
                c.setRequestProperty("Connection", "close");
                c.setConnectTimeout(1000);
                c.setReadTimeout(5000);
                try (InputStream in = c.getInputStream()) {
                    return JSON.readTree(in);
                } finally {
                    c.disconnect();
                }
            });
        }
    }
}
