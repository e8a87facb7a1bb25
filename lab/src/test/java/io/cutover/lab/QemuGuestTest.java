package io.cutover.lab;

import io.cutover.support.Netns;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Writer;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A real QEMU guest in a lab host: it answers UDP and TCP from another host, falls silent while QMP has it stopped
 * and answers again after {@code cont}; closing it, or removing the lab, leaves no process, tap or file.
 * The guest's host ({@code hostA}) reaches the {@code client} through a cable of the test's own and a Linux bridge.
 */
class QemuGuestTest {
    private static final String HOST = "hostA";
    private static final String CLIENT = "client";
    private static final String BRIDGE = "br-guest";
    private static final String CLIENT_ADDRESS = "198.18.200.10/24";
    private static final int ECHO_PORT = 7;
    private static final Duration PROBE_WAIT = Duration.ofMillis(200);

    private static Lab lab;
    private static GuestImage image;
    private static final Set<Long> qemuPids = ConcurrentHashMap.newKeySet();

    @BeforeAll
    static void labWithACableFromTheGuestsHostToTheClient() {
        long started = System.nanoTime();
        image = GuestImage.build();
        System.out.printf("%s ready in %d ms%n", image, (System.nanoTime() - started) / 1_000_000);
        lab = Lab.up(null, Topology.LAN).removeAtExit();
        lab.exec(HOST, "ip", "link", "add", BRIDGE, "type", "bridge").orThrow();
        lab.exec(HOST, "ip", "link", "set", BRIDGE, "up").orThrow();
        lab.exec(HOST, "ip", "link", "add", "gst-host", "type", "veth", "peer", "name", "gst0", "netns",
                lab.namespace(CLIENT)).orThrow();
        lab.exec(HOST, "ip", "link", "set", "gst-host", "master", BRIDGE, "up").orThrow();
        lab.exec(CLIENT, "ip", "addr", "add", CLIENT_ADDRESS, "dev", "gst0").orThrow();
        lab.exec(CLIENT, "ip", "link", "set", "gst0", "up").orThrow();
    }

    @AfterAll
    static void nothingIsLeftOnceTheLabIsRemoved() throws IOException {
        String name = lab.name();
        lab.close();
        try (Stream<Path> namespaces = Files.list(Path.of("/run/netns"))) {
            assertThat(namespaces.map(ns -> ns.getFileName().toString())).noneMatch(ns -> ns.startsWith(name + "-"));
        }
        assertThat(qemuPids).noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        assertThat(lab.dir()).doesNotExist();
    }

    @Test
    void echoesUdpAndTcpFallsSilentWhileStoppedAndAnswersAfterCont() throws Exception {
        GuestSpec spec = GuestSpec.builder("vm1", "198.18.200.100/24").gateway("198.18.200.1")
                .udpEcho(ECHO_PORT).tcpEcho(ECHO_PORT).bridge(BRIDGE).build();
        InetSocketAddress echo = new InetSocketAddress(InetAddress.getByName(spec.ipv4Address()), ECHO_PORT);
        long started = System.nanoTime();
        long pid;
        try (QemuGuest guest = QemuGuest.start(lab, HOST, image, spec);
             Netns client = lab.netns(CLIENT);
             DatagramSocket udp = client.call(DatagramSocket::new)) {
            pid = guest.pid();
            qemuPids.add(pid);
            long ready = System.nanoTime();
            udp.setSoTimeout((int) PROBE_WAIT.toMillis());
            Probes probes = new Probes(udp, echo);
            assertThat(probes.firstAnswerWithin(Duration.ofSeconds(10))).as("a UDP echo after boot").isTrue();
            System.out.printf("guest ready %d ms after start, first UDP echo %d ms after start%n",
                    (ready - started) / 1_000_000, (System.nanoTime() - started) / 1_000_000);

            List<Socket> streams = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                // a Socket makes its file descriptor when it connects: that must happen in the client's namespace
                streams.add(client.call(() -> {
                    Socket stream = new Socket();
                    stream.connect(echo, 5000);
                    return stream;
                }));
                streams.get(i).setSoTimeout(5000);
            }
            for (int i = 0; i < streams.size(); i++) {
                assertThat(roundTrip(streams.get(i), "stream " + i + "\n")).isEqualTo("stream " + i + "\n");
            }
            for (Socket stream : streams) {
                stream.close();
            }

            qmp(guest.qmpSocket(), "stop");
            assertThat(probes.answeredOf(5)).as("UDP echoes while the guest is stopped").isZero();
            qmp(guest.qmpSocket(), "cont");
            assertThat(probes.firstAnswerWithin(Duration.ofSeconds(5))).as("a UDP echo after cont").isTrue();
            assertThat(probes.answeredOf(5)).as("UDP echoes once running again").isGreaterThanOrEqualTo(4);
            GuestNetworkStats stats = guest.networkStats(Duration.ofSeconds(10));
            assertThat(stats.neighbours()).as("the guest's neighbours: it answered the client")
                    .anyMatch(n -> n.startsWith(CLIENT_ADDRESS.substring(0, CLIENT_ADDRESS.indexOf('/')) + " lladdr "));
            assertThat(stats.udpRcvbufErrors()).as("its 4 MiB socket buffers overflowed").isZero();

            Path guestDir = guest.serialLog().getParent();
            guest.close();
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            assertThat(lab.exec(HOST, "ip", "link", "show", spec.tap()).ok()).as("tap left").isFalse();
            assertThat(guestDir).doesNotExist();
        }
    }

    @Test
    void aMigrationsDestinationWaitsOnQmp() throws Exception {
        GuestSpec spec = GuestSpec.builder("vm3", "198.18.200.103/24").udpEcho(ECHO_PORT).incoming(true).build();

        try (QemuGuest destination = QemuGuest.start(lab, HOST, image, spec)) {
            qemuPids.add(destination.pid());
            assertThat(qmp(destination.qmpSocket(), "query-status")).contains("\"status\": \"inmigrate\"");
        }
    }

    @Test
    void aGuestNotReadyInTimeIsStoppedAndTheErrorShowsItsConsole() {
        GuestSpec spec = GuestSpec.builder("vm4", "198.18.200.104/24").bridge(BRIDGE).bootTimeout(Duration.ofMillis(300))
                .build();

        assertThatThrownBy(() -> QemuGuest.start(lab, HOST, image, spec)).isInstanceOf(GuestStartException.class)
                .hasMessageContaining("vm4 was not ready within PT0.3S")
                .hasMessageContaining("--- serial console (");
        assertThat(lab.exec(HOST, "ip", "link", "show", spec.tap()).ok()).as("tap left").isFalse();
        assertThat(lab.dir().resolve("guests").resolve(HOST).resolve("vm4")).doesNotExist();
    }

    @Test
    void aGuestLeftRunningIsReapedWithTheLab() {
        GuestSpec spec = GuestSpec.builder("vm2", "198.18.200.102/24").udpEcho(ECHO_PORT).bridge(BRIDGE).build();
        // not closed: as if the test that started it had died; the lab's removal (after all) must reap it
        QemuGuest abandoned = QemuGuest.start(lab, HOST, image, spec);
        qemuPids.add(abandoned.pid());
        assertThat(abandoned.isAlive()).isTrue();
    }

    /** UDP probes with fresh payloads; answers to older probes (queued while the guest was stopped) are skipped. */
    private static final class Probes {
        private final DatagramSocket socket;
        private final InetSocketAddress target;
        private int sequence;

        Probes(DatagramSocket socket, InetSocketAddress target) {
            this.socket = socket;
            this.target = target;
        }

        boolean firstAnswerWithin(Duration limit) throws IOException {
            long deadline = System.nanoTime() + limit.toNanos();
            while (System.nanoTime() < deadline) {
                if (probe()) {
                    return true;
                }
            }
            return false;
        }

        int answeredOf(int count) throws IOException {
            int answered = 0;
            for (int i = 0; i < count; i++) {
                answered += probe() ? 1 : 0;
            }
            return answered;
        }

        /** Sends one probe; true if its own answer comes back within {@link #PROBE_WAIT}. */
        private boolean probe() throws IOException {
            String payload = "probe " + (++sequence);
            byte[] out = payload.getBytes(StandardCharsets.US_ASCII);
            socket.send(new DatagramPacket(out, out.length, target));
            long deadline = System.nanoTime() + PROBE_WAIT.toNanos();
            byte[] in = new byte[64];
            while (System.nanoTime() < deadline) {
                DatagramPacket answer = new DatagramPacket(in, in.length);
                try {
                    socket.receive(answer);
                } catch (SocketTimeoutException e) {
                    return false;
                }
                if (payload.equals(new String(in, 0, answer.getLength(), StandardCharsets.US_ASCII))) {
                    return true;
                }
            }
            return false;
        }
    }

    private static String roundTrip(Socket socket, String line) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(line.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        byte[] back = in.readNBytes(line.length());
        return new String(back, StandardCharsets.US_ASCII);
    }

    /** One QMP command over a fresh connection: greeting, capabilities, the command; returns its return. */
    private static String qmp(Path socket, String command) throws IOException {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            BufferedReader in = new BufferedReader(Channels.newReader(channel, StandardCharsets.UTF_8));
            Writer out = Channels.newWriter(channel, StandardCharsets.UTF_8);
            assertThat(in.readLine()).contains("\"QMP\"");
            String reply = null;
            for (String execute : List.of("qmp_capabilities", command)) {
                out.write("{\"execute\":\"" + execute + "\"}\n");
                out.flush();
                do {
                    reply = in.readLine();
                    assertThat(reply).as("QMP reply to " + execute).isNotNull().doesNotContain("\"error\"");
                } while (!reply.contains("\"return\""));
            }
            return reply;
        }
    }
}
