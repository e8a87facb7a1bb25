package io.cutover.it.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static io.cutover.it.security.HostilePeer.json;
import static io.cutover.it.security.HostilePeer.request;
import static io.cutover.it.security.HostilePeer.status;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code cutover tunnel serve} on loopback with a token and two destination moves (one plain, one sealed), attacked on
 * its UDP port by someone who can spoof the peer's address (random datagrams, VXLAN headers of the moves' VNIs with
 * random frames or forged seals, datagrams from an address that is no peer, datagrams over the path MTU) and on its REST
 * API by another local process (no or wrong token, a key file outside the key directory, garbage, no Host, JSON null, a
 * body over the limit, an upload, a form, slow clients, a scan). Every datagram is counted as a drop exactly once and
 * none reaches the VM side; no move changes; the daemon still forwards a valid frame and answers a valid call; its
 * memory and open files come back; an API refusal is one log line, a datagram's drop none.
 */
class TunnelAttackIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "tunnel-attack-it-0123456789abcdef";
    private static final String VM_MAC = "02:00:c6:12:00:64";
    /** The VM's address: frames forwarded to it are injected on the host's loopback, where nobody listens for them. */
    private static final String VM_ADDRESS = "127.0.0.99";
    private static final int PLAIN_VNI = 100;
    private static final int SEALED_VNI = 200;
    private static final Pattern READY = Pattern.compile("tunnel daemon ready in .* api http://127\\.0\\.0\\.1:(\\d+)/v1");

    @TempDir
    Path dir;

    @Test
    void strayDatagramsAreCountedOnceAndNeverInjected() throws Exception {
        try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
             DatagramSocket stranger = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0))) {
            int udp = freeUdpPort();
            try (Daemon tunnel = start(udp)) {
                InetSocketAddress api = api(tunnel);
                addMoves(api, peer.getLocalPort());
                InetSocketAddress to = new InetSocketAddress("127.0.0.1", udp);
                String moves = get(api, "/v1/moves");
                HostilePeer.Footprint before = tunnel.footprint();
                long logBefore = tunnel.log().lines().count();

                Random random = new Random(42);
                List<byte[]> attack = new ArrayList<>();
                for (int i = 0; i < 500; i++) {
                    attack.add(HostilePeer.garbage(random.nextLong(), random.nextInt(1400)));
                }
                for (int i = 0; i < 300; i++) {
                    attack.add(vxlan(PLAIN_VNI, false, HostilePeer.garbage(random.nextLong(), random.nextInt(1400))));
                    attack.add(vxlan(SEALED_VNI, true, HostilePeer.garbage(random.nextLong(), 16 + random.nextInt(1400))));
                    attack.add(vxlan(SEALED_VNI, false, frameToVm(100)));
                }
                // over the path MTU: a frame for the VM, plain and sealed, and garbage of the largest size
                for (int i = 0; i < 20; i++) {
                    attack.add(vxlan(PLAIN_VNI, false, frameToVm(9000)));
                    attack.add(vxlan(SEALED_VNI, true, HostilePeer.garbage(random.nextLong(), 9000)));
                    attack.add(HostilePeer.garbage(random.nextLong(), 65_000));
                }
                for (int from = 0; from < attack.size(); from += 50) {
                    HostilePeer.datagrams(peer, to, attack.subList(from, Math.min(attack.size(), from + 50)));
                    Thread.sleep(5);
                }
                List<byte[]> strangers = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    strangers.add(vxlan(PLAIN_VNI, false, frameToVm(100)));
                }
                HostilePeer.datagrams(stranger, to, strangers);
                long sent = attack.size() + strangers.size();

                JsonNode stats = awaitDrops(api, sent);
                assertThat(sum(stats.path("totalDrops"))).as("every datagram counted once: %s", stats).isEqualTo(sent);
                assertThat(stats.path("totalDrops").path("TOO_BIG").asLong()).as("over the path MTU: %s", stats).isEqualTo(60);
                assertThat(stats.path("totalDrops").path("UNKNOWN_PEER").asLong()).isEqualTo(50);
                assertThat(stats.path("totals").path("injected").asLong()).as("nothing reached the VM side").isZero();
                assertThat(get(api, "/v1/moves").replaceAll("\"(counters|drops)\" : \\{[^}]*}", ""))
                        .as("the moves").isEqualTo(moves.replaceAll("\"(counters|drops)\" : \\{[^}]*}", ""));

                HostilePeer.datagrams(peer, to, List.of(vxlan(PLAIN_VNI, false, frameToVm(100))));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (JSON.readTree(get(api, "/v1/stats")).path("totals").path("injected").asLong() < 1
                        && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(JSON.readTree(get(api, "/v1/moves/plain")).path("counters").path("injected").asLong())
                        .as("a valid frame still goes through").isEqualTo(1);
                assertThat(tunnel.alive()).isTrue();
                HostilePeer.Footprint after = before.awaitWithin(tunnel.pid(), 64, 8, Duration.ofSeconds(10));
                assertThat(before.within(after, 64, 8)).as("before %s, after %s", before, after).isTrue();
                assertThat(tunnel.log().lines().count() - logBefore).as("drops are counted, not logged: %s", tunnel.log())
                        .isLessThan(5);
                System.out.printf("tunnel UDP under attack: before %s, after %s%n", before, after);
            }
        }
    }

    @Test
    void refusedCallsChangeNoMove() throws Exception {
        try (Daemon tunnel = start(freeUdpPort())) {
            InetSocketAddress api = api(tunnel);
            addMoves(api, 4799);
            String moves = get(api, "/v1/moves");
            HostilePeer.Footprint before = tunnel.footprint();
            String intruder = move("intruder", 300, "\"keyFile\":\"/etc/hostname\"", 4799);

            assertThat(status(HostilePeer.http(api, json("POST", "/v1/moves", intruder)))).isEqualTo(401);
            assertThat(status(HostilePeer.http(api, json("POST", "/v1/moves", intruder,
                    "Authorization: Bearer tunnel-attack-it-guessed")))).isEqualTo(401);
            assertThat(status(HostilePeer.http(api, request("DELETE", "/v1/moves/plain", null, "Host: x")))).isEqualTo(401);
            assertThat(status(HostilePeer.http(api, json("POST", "/v1/moves/sealed/events", "{\"stage\":\"COMPLETED\"}",
                    "Authorization: Bearer " + TOKEN.toUpperCase())))).isEqualTo(401);
            assertThat(status(HostilePeer.http(api, authorized("POST", "/v1/moves", intruder))))
                    .as("a key file outside the key directory").isEqualTo(400);

            String garbage = new String(HostilePeer.exchange(api, HostilePeer.garbage(3, 4096)), StandardCharsets.ISO_8859_1);
            assertThat(status(garbage)).as(garbage).isEqualTo(400);
            assertThat(status(HostilePeer.http(api, "GET /v1/moves HTTP/1.1\r\nAuthorization: Bearer " + TOKEN
                    + "\r\nConnection: close\r\n\r\n"))).as("no Host").isEqualTo(400);
            assertThat(status(HostilePeer.http(api, authorized("POST", "/v1/moves", "null")))).as("JSON null").isEqualTo(400);
            assertThat(status(HostilePeer.http(api, authorized("POST", "/v1/moves/plain/events", "null")))).isEqualTo(400);
            String huge = "{\"pad\":\"" + "x".repeat(2 << 20) + "\"}";
            assertThat(status(HostilePeer.http(api, authorized("POST", "/v1/moves", huge)))).as("2 MiB").isEqualTo(413);
            String multipart = "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"f.bin\"\r\n\r\n"
                    + "x".repeat(100_000) + "\r\n--b--\r\n";
            assertThat(status(HostilePeer.http(api, request("POST", "/v1/moves", multipart, "Host: x",
                    "Content-Type: multipart/form-data; boundary=b")))).isEqualTo(415);
            StringBuilder fields = new StringBuilder();
            for (int i = 0; i < 2000; i++) {
                fields.append(i == 0 ? "" : "&").append("f").append(i).append("=v");
            }
            assertThat(status(HostilePeer.http(api, request("POST", "/v1/moves", fields.toString(), "Host: x",
                    "Authorization: Bearer " + TOKEN, "Content-Type: application/x-www-form-urlencoded")))).isEqualTo(415);

            CompletableFuture<Integer> slow = CompletableFuture.supplyAsync(() -> {
                try {
                    return HostilePeer.trickle(api, 20, authorized("POST", "/v1/moves", intruder)
                            .getBytes(StandardCharsets.ISO_8859_1), Duration.ofSeconds(1), Duration.ofSeconds(4));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(HostilePeer.scan(api, 200)).isEqualTo(200);
            long t0 = System.nanoTime();
            assertThat(get(api, "/v1/moves")).isEqualTo(moves);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("a valid call during the attack").isLessThan(Duration.ofSeconds(2));
            slow.get(30, TimeUnit.SECONDS);

            assertThat(tunnel.alive()).isTrue();
            assertThat(get(api, "/v1/moves")).as("the moves").isEqualTo(moves);
            HostilePeer.Footprint after = before.awaitWithin(tunnel.pid(), 64, 8, Duration.ofSeconds(10));
            assertThat(before.within(after, 64, 8)).as("before %s, after %s", before, after).isTrue();
            assertThat(tunnel.logLines("refused POST /v1/moves ", "missing bearer token")).as(tunnel.log()).isEqualTo(1);
            assertThat(tunnel.logLines("refused POST /v1/moves ", "wrong bearer token")).isEqualTo(1);
            assertThat(tunnel.logLines("refused DELETE /v1/moves/plain", "missing bearer token")).isEqualTo(1);
            assertThat(tunnel.logLines("refused POST /v1/moves/sealed/events", "wrong bearer token")).isEqualTo(1);
            assertThat(tunnel.logLines("refused POST /v1/moves ", "400 bad request", "keyFile")).isEqualTo(1);
            assertThat(tunnel.logLines("refused GET /v1/moves ", "Host header")).isEqualTo(1);
            assertThat(tunnel.logLines("refused POST /v1/moves ", "400 bad request", "JSON object")).isEqualTo(1);
            assertThat(tunnel.logLines("refused POST /v1/moves/plain/events", "400 bad request")).isEqualTo(1);
            assertThat(tunnel.logLines("refused POST /v1/moves ", "413 request too large")).isEqualTo(1);
            assertThat(tunnel.logLines("refused POST /v1/moves ", "multipart/form-data")).isEqualTo(1);
            assertThat(tunnel.logLines("refused POST /v1/moves ", "application/x-www-form-urlencoded")).isEqualTo(1);
            assertThat(tunnel.logLines("refused a malformed request from 127.0.0.1:")).as("garbage").isEqualTo(1);
            assertThat(tunnel.log()).doesNotContain("Exception").doesNotContain("ERROR");
            System.out.printf("tunnel API under attack: before %s, after %s%n", before, after);
        }
    }

    private Daemon start(int udp) throws Exception {
        Path token = Files.writeString(dir.resolve("tunnel.token"), TOKEN + "\n");
        Path keys = Files.createDirectories(dir.resolve("keys"));
        Path config = Files.writeString(dir.resolve("tunnel.yaml"), "listen: 127.0.0.1:" + udp + "\napi: 127.0.0.1:"
                + freeTcpPort() + "\ntokenFile: " + token + "\nkeyDir: " + keys + "\nstateDir: " + dir.resolve("state") + "\n");
        return Daemon.start(dir.resolve("tunnel.log"), null, "tunnel", "serve", "--config", config.toString());
    }

    private static InetSocketAddress api(Daemon tunnel) throws Exception {
        return new InetSocketAddress("127.0.0.1", Integer.parseInt(tunnel.awaitLine(READY)));
    }

    /** A plain and a sealed destination move, both ACTIVATED, their peer 127.0.0.1:{@code peerPort}. */
    private static void addMoves(InetSocketAddress api, int peerPort) throws Exception {
        String key = Base64.getEncoder().encodeToString(new SecureRandom().generateSeed(32));
        for (String move : List.of(move("plain", PLAIN_VNI, "\"insecurePlain\":true", peerPort),
                move("sealed", SEALED_VNI, "\"key\":\"" + key + "\"", peerPort))) {
            String answer = HostilePeer.http(api, authorized("POST", "/v1/moves", move));
            assertThat(status(answer)).as(answer).isEqualTo(201);
        }
    }

    private static String move(String id, int vni, String key, int peerPort) {
        return "{\"id\":\"" + id + "\",\"vni\":" + vni + ",\"role\":\"destination\",\"vmMac\":\"" + VM_MAC
                + "\",\"vmAddresses\":[\"" + VM_ADDRESS + "\"],\"peer\":\"127.0.0.1:" + peerPort
                + "\",\"iface\":\"lo\",\"stage\":\"ACTIVATED\"" + (key == null ? "" : "," + key) + "}";
    }

    /** A VXLAN packet of {@code vni}, plain or marked sealed, around {@code payload}. */
    private static byte[] vxlan(int vni, boolean sealed, byte[] payload) {
        ByteBuffer packet = ByteBuffer.allocate(8 + payload.length);
        packet.put((byte) (0x08 | (sealed ? 0x04 : 0))).put(new byte[3]);
        packet.put((byte) (vni >>> 16)).put((byte) (vni >>> 8)).put((byte) vni).put((byte) 0);
        return packet.put(payload).array();
    }

    /** An Ethernet frame of {@code length} bytes to the VM: IPv4, UDP to its port 9 (discard), checksummed. */
    private static byte[] frameToVm(int length) throws Exception {
        ByteBuffer frame = ByteBuffer.allocate(length);
        for (String octet : VM_MAC.split(":")) {
            frame.put((byte) Integer.parseInt(octet, 16));
        }
        frame.put(new byte[] {2, 0, 0, 0, 0, 1}).putShort((short) 0x0800);
        int ipLength = length - 14;
        frame.put((byte) 0x45).put((byte) 0).putShort((short) ipLength).putInt(0).put((byte) 64).put((byte) 17)
                .putShort((short) 0).put(InetAddress.getByName("127.0.0.1").getAddress())
                .put(InetAddress.getByName(VM_ADDRESS).getAddress());
        int sum = 0;
        for (int i = 14; i < 34; i += 2) {
            sum += frame.getShort(i) & 0xffff;
        }
        sum = (sum & 0xffff) + (sum >>> 16);
        frame.putShort(24, (short) ~((sum & 0xffff) + (sum >>> 16)));
        frame.putShort((short) 40000).putShort((short) 9).putShort((short) (ipLength - 20)).putShort((short) 0);
        return frame.array();
    }

    /** The stats once {@code count} drops were counted (or after 10 s). */
    private static JsonNode awaitDrops(InetSocketAddress api, long count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        JsonNode stats = JSON.readTree(get(api, "/v1/stats"));
        while (sum(stats.path("totalDrops")) < count && System.nanoTime() < deadline) {
            Thread.sleep(100);
            stats = JSON.readTree(get(api, "/v1/stats"));
        }
        return stats;
    }

    private static long sum(JsonNode counts) {
        long sum = 0;
        for (JsonNode n : counts) {
            sum += n.asLong();
        }
        return sum;
    }

    private static String authorized(String method, String path, String body) {
        return json(method, path, body, "Authorization: Bearer " + TOKEN);
    }

    private static String get(InetSocketAddress api, String path) throws Exception {
        return HostilePeer.authorizedGet(api, path, TOKEN);
    }

    private static int freeUdpPort() throws Exception {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            return socket.getLocalPort();
        }
    }

    private static int freeTcpPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
