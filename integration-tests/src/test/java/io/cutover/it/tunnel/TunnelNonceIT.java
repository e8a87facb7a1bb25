package io.cutover.it.tunnel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.it.LabExtension;
import io.cutover.it.Launcher;
import io.cutover.lab.Lab;
import io.cutover.lab.Topology;
import io.cutover.support.Netns;
import io.cutover.tunnel.MalformedPacketException;
import io.cutover.tunnel.TunnelKey;
import io.cutover.tunnel.impl.PacketSealer;
import io.cutover.tunnel.impl.VxlanHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No AES-GCM (key, nonce) pair is ever used twice under one long-term key: a real {@code cutover tunnel serve} in
 * hostA forwards a stale client's probes for a sealed move, which is removed and re-added with the same key file 100
 * times, and the daemon is restarted 20 times, half with a state directory (the move resumes from its journal), half
 * without (the move is added again), by SIGKILL and by SIGTERM. Every datagram the daemon sends is caught by a socket
 * in hostB where the peer would listen, opened with the key its salt derives, and its (session salt, sequence number)
 * pair must be new: the session key is a function of the salt, the nonce of the sequence number.
 */
class TunnelNonceIT {
    @RegisterExtension
    static final LabExtension LAB = LabExtension.of(Topology.LAN);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String API = "http://127.0.0.1:7946";
    private static final int VNI = 300;
    private static final int READDS = 100;
    private static final int RESTARTS = 20;

    @TempDir
    Path dir;

    @Test
    void noSessionKeyAndNonceRepeatOverReaddsAndRestartsWithAndWithoutJournal() throws Exception {
        Lab lab = LAB.lab();
        LabTunnel.quietVm(lab);
        LabTunnel.resetVmOnSourceSide(lab);
        LabTunnel.moveVm(lab);
        Path key = dir.resolve("move.key");
        Files.writeString(key, Base64.getEncoder().encodeToString(new SecureRandom().generateSeed(32)));
        Path token = dir.resolve("tunnel.token");
        Files.writeString(token, "nonce-it-" + Long.toHexString(new SecureRandom().nextLong()) + "\n");
        Path journaled = config("journaled", token, true);
        Path stateless = config("stateless", token, false);
        String move = JSON.createObjectNode().put("id", "nonce").put("vni", VNI).put("role", "source")
                .put("vmMac", Topology.VM_MAC).put("peer", LabTunnel.UNDERLAY_B + ":4789").put("iface", "eth0")
                .put("keyFile", key.toString()).put("stage", "ACTIVATED")
                .set("vmAddresses", JSON.createArrayNode().add(lab.port("vm1").ipv4Address())).toString();

        AtomicBoolean probing = new AtomicBoolean(true);
        Process daemon = null;
        int daemons = 0;
        try (Capture capture = new Capture(lab, TunnelKey.fromFile(key));
             LabTunnel.ProbeSender client = new LabTunnel.ProbeSender(lab)) {
            Thread prober = new Thread(() -> {
                int n = 0;
                while (probing.get()) {
                    try {
                        client.send(n++);
                        Thread.sleep(2);
                    } catch (Exception e) {
                        return;
                    }
                }
            }, "probes");
            prober.start();
            long started = System.nanoTime();

            daemon = start(lab, journaled, daemons++);
            for (int i = 0; i < READDS; i++) {
                int sessions = capture.sessions();
                assertThat(call(lab, token, "POST", "/v1/moves", move)).as("add %d", i).isEqualTo(201);
                capture.awaitSessions(sessions + 1, "re-add " + i);
                assertThat(call(lab, token, "DELETE", "/v1/moves/nonce", null)).as("remove %d", i).isEqualTo(204);
            }
            long readds = System.nanoTime();
            System.out.printf("%d re-adds in %d ms%n", READDS, TimeUnit.NANOSECONDS.toMillis(readds - started));
            int beforeLastAdd = capture.sessions();
            assertThat(call(lab, token, "POST", "/v1/moves", move)).as("the add before the restarts").isEqualTo(201);
            // its session sends before the first kill -9, which would otherwise cut it off unseen
            capture.awaitSessions(beforeLastAdd + 1, "the add before the restarts");
            for (int i = 0; i < RESTARTS; i++) {
                boolean kill = i % 2 == 0;
                Path config = i < RESTARTS / 2 ? journaled : stateless;
                int sessions = capture.sessions();
                long t0 = System.nanoTime();
                if (kill) {
                    daemon.destroyForcibly();
                } else {
                    daemon.destroy();
                }
                assertThat(daemon.waitFor(15, TimeUnit.SECONDS)).as("daemon %d ends", daemons - 1).isTrue();
                long t1 = System.nanoTime();
                daemon = start(lab, config, daemons++);
                long t2 = System.nanoTime();
                JsonNode resumed = status(lab, token);
                if (resumed == null || resumed.path("state").asText().equals("CLOSED")) {
                    assertThat(config).as("only a daemon without journal forgets its move (after %s)",
                            kill ? "SIGKILL" : "SIGTERM").isEqualTo(stateless);
                    assertThat(call(lab, token, "POST", "/v1/moves", move)).as("add after restart %d", i).isEqualTo(201);
                }
                capture.awaitSessions(sessions + 1, "restart " + i + (kill ? " (kill -9)" : " (SIGTERM)"));
                System.out.printf("restart %d: stopped in %d ms, up in %d ms, sending in %d ms%n", i, (t1 - t0) / 1_000_000,
                        (t2 - t1) / 1_000_000, (System.nanoTime() - t2) / 1_000_000);
            }
            System.out.printf("%d restarts in %d ms%n", RESTARTS, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - readds));
            probing.set(false);
            prober.join(2_000);
            Thread.sleep(200);
            System.out.printf("%d datagrams in %d sessions, %d re-adds and %d restarts in %d ms%n", capture.datagrams.get(),
                    capture.sessions(), READDS, RESTARTS, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));

            assertThat(capture.unopened.get()).as("every datagram opens under the key its salt derives").isZero();
            assertThat(capture.repeated).as("(salt, sequence number) pairs seen twice").isEmpty();
            assertThat(capture.sessions()).as("a session per add and per restart").isGreaterThanOrEqualTo(READDS + RESTARTS + 1);
            assertThat(capture.datagrams.get()).isGreaterThan(capture.sessions());
        } finally {
            probing.set(false);
            if (daemon != null) {
                daemon.destroyForcibly();
                daemon.waitFor(10, TimeUnit.SECONDS);
            }
            LabTunnel.forgetStaleEntry(lab);
        }
    }

    private Path config(String name, Path token, boolean stateDir) throws IOException {
        Path file = dir.resolve("tunnel-" + name + ".yaml");
        Files.writeString(file, "listen: 0.0.0.0:4789\napi: 127.0.0.1:7946\n"
                + (stateDir ? "stateDir: " + dir.resolve("state") + "\n" : "")
                + "tokenFile: " + token + "\nkeyDir: " + dir + "\n");
        return file;
    }

    private Process start(Lab lab, Path config, int n) throws Exception {
        Process daemon = Launcher.start(dir.resolve("daemon-" + n + ".log"), lab.namespace("hostA"), "tunnel", "serve",
                "--config", config.toString());
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            if (!daemon.isAlive()) {
                throw new AssertionError("daemon " + n + " exited: " + Files.readString(dir.resolve("daemon-" + n + ".log")));
            }
            try {
                call(lab, null, "GET", "/v1/openapi.yaml", null);
                return daemon;
            } catch (RuntimeException e) { // the API not yet listening (Netns wraps the refused connection)
                Thread.sleep(50);
            }
        }
        throw new AssertionError("daemon " + n + " did not come up");
    }

    /** The move's status, or {@code null} when the daemon has none. */
    private static JsonNode status(Lab lab, Path token) throws Exception {
        String bearer = Files.readString(token).strip();
        try (Netns ns = lab.netns("hostA")) {
            return ns.call(() -> {
                HttpURLConnection c = connection("/v1/moves/nonce", bearer);
                try {
                    if (c.getResponseCode() == 404) {
                        return null;
                    }
                    try (InputStream in = c.getInputStream()) {
                        return JSON.readTree(in);
                    }
                } finally {
                    c.disconnect();
                }
            });
        }
    }

    /** {@code method path} on hostA's daemon, with the token when given: the status. */
    private static int call(Lab lab, Path token, String method, String path, String body) throws Exception {
        String bearer = token == null ? null : Files.readString(token).strip();
        try (Netns ns = lab.netns("hostA")) {
            return ns.call(() -> {
                HttpURLConnection c = connection(path, bearer);
                c.setRequestMethod(method);
                if (body != null) {
                    c.setDoOutput(true);
                    c.setRequestProperty("Content-Type", "application/json");
                    try (OutputStream out = c.getOutputStream()) {
                        out.write(body.getBytes(StandardCharsets.UTF_8));
                    }
                }
                try {
                    return c.getResponseCode();
                } finally {
                    c.disconnect();
                }
            });
        }
    }

    private static HttpURLConnection connection(String path, String bearer) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL(API + path).openConnection();
        if (bearer != null) {
            c.setRequestProperty("Authorization", "Bearer " + bearer);
        }
        // no keep-alive: the JDK would reuse a connection to 127.0.0.1:7946 opened in another namespace
        c.setRequestProperty("Connection", "close");
        c.setConnectTimeout(1000);
        c.setReadTimeout(10_000);
        return c;
    }

    /**
     * The peer's UDP port in hostB, where the daemon sends: records each datagram's (salt, sequence number), opens it
     * with the session key its salt derives, and notes any pair seen before.
     */
    private static final class Capture implements AutoCloseable {
        final AtomicLong datagrams = new AtomicLong();
        final AtomicLong unopened = new AtomicLong();
        final List<String> repeated = new ArrayList<>();
        private final Set<String> pairs = ConcurrentHashMap.newKeySet();
        private final Map<String, PacketSealer> sessions = new HashMap<>();
        private final TunnelKey key;
        private final DatagramSocket socket;
        private final Thread thread;
        private volatile boolean running = true;

        Capture(Lab lab, TunnelKey key) throws Exception {
            this.key = key;
            try (Netns ns = lab.netns("hostB")) {
                socket = ns.call(() -> {
                    DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(LabTunnel.UNDERLAY_B), 4789));
                    s.setReceiveBufferSize(4 * 1024 * 1024);
                    s.setSoTimeout(100);
                    return s;
                });
            }
            thread = new Thread(this::run, "tunnel-capture");
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            byte[] buf = new byte[65_536];
            byte[] frame = new byte[65_536];
            DatagramPacket packet = new DatagramPacket(buf, buf.length);
            while (running) {
                try {
                    socket.receive(packet);
                } catch (SocketTimeoutException e) {
                    continue;
                } catch (IOException e) {
                    return;
                }
                byte[] datagram = java.util.Arrays.copyOf(buf, packet.getLength());
                datagrams.incrementAndGet();
                if (datagram.length < VxlanHeader.SEALED_HEADER_LENGTH || !VxlanHeader.sealed(datagram, 0)) {
                    unopened.incrementAndGet();
                    continue;
                }
                String salt = HexFormat.of().formatHex(VxlanHeader.readSalt(datagram, 0));
                long seq = VxlanHeader.readSequence(datagram, 0);
                PacketSealer session;
                synchronized (this) {
                    session = sessions.computeIfAbsent(salt, s -> PacketSealer.forSalt(key, VNI,
                            PacketSealer.TOWARD_DESTINATION, HexFormat.of().parseHex(s)));
                }
                try {
                    session.open(datagram, datagram.length, frame);
                } catch (MalformedPacketException e) {
                    unopened.incrementAndGet();
                }
                if (!pairs.add(salt + ":" + seq)) {
                    synchronized (repeated) {
                        repeated.add(salt + ":" + seq);
                    }
                }
            }
        }

        /** How many sessions (salts) have been seen. */
        synchronized int sessions() {
            return sessions.size();
        }

        void awaitSessions(int count, String after) throws InterruptedException {
            long deadline = System.currentTimeMillis() + 15_000;
            while (sessions() < count && System.currentTimeMillis() < deadline) {
                Thread.sleep(5);
            }
            assertThat(sessions()).as("a new session's datagrams after %s", after).isGreaterThanOrEqualTo(count);
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(2_000);
            socket.close();
        }
    }
}
