package io.cutover.lab;

import io.cutover.support.Netns;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two lab hosts' libvirtd, each in its host's namespace and a mount namespace of its own: a guest started at host A
 * answers the client, moves to host B with {@code virsh migrate --live} over the underlay, runs there only and still
 * answers, and libvirtd's log has QEMU's {@code STOP} with QEMU's time stamp (what the agent's event lag is measured
 * against). Closing the guest and the daemons, and removing the lab, leaves no process, tap or namespace. Each host's
 * guest tap sits in a Linux bridge of the test's; the two bridges share a cable, and the client hangs off host A's.
 */
class LibvirtGuestTest {
    private static final String BRIDGE = "br-guest";
    private static final String CLIENT_ADDRESS = "198.18.201.10/24";
    private static final int ECHO_PORT = 7;

    private static Lab lab;
    private static GuestImage image;

    @BeforeAll
    static void labWithBridgesForTheGuest() {
        image = GuestImage.build();
        lab = Lab.up(null, Topology.LAN).removeAtExit();
        for (String host : List.of("hostA", "hostB")) {
            lab.exec(host, "ip", "link", "add", BRIDGE, "type", "bridge").orThrow();
            lab.exec(host, "ip", "link", "set", BRIDGE, "up").orThrow();
        }
        lab.exec("hostA", "ip", "link", "add", "gst-ab", "type", "veth", "peer", "name", "gst-ba", "netns",
                lab.namespace("hostB")).orThrow();
        lab.exec("hostA", "ip", "link", "set", "gst-ab", "master", BRIDGE, "up").orThrow();
        lab.exec("hostB", "ip", "link", "set", "gst-ba", "master", BRIDGE, "up").orThrow();
        lab.exec("hostA", "ip", "link", "add", "gst-host", "type", "veth", "peer", "name", "gst0", "netns",
                lab.namespace("client")).orThrow();
        lab.exec("hostA", "ip", "link", "set", "gst-host", "master", BRIDGE, "up").orThrow();
        lab.exec("client", "ip", "addr", "add", CLIENT_ADDRESS, "dev", "gst0").orThrow();
        lab.exec("client", "ip", "link", "set", "gst0", "up").orThrow();
    }

    @AfterAll
    static void nothingIsLeftOnceTheLabIsRemoved() throws IOException {
        String name = lab.name();
        lab.close();
        try (Stream<Path> namespaces = Files.list(Path.of("/run/netns"))) {
            assertThat(namespaces.map(ns -> ns.getFileName().toString())).noneMatch(ns -> ns.startsWith(name + "-"));
        }
        assertThat(ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse("")))
                .noneMatch(command -> command.contains(name));
    }

    @Test
    void aGuestMovesBetweenTwoLibvirtdAndAnswersOnBothHosts() throws Exception {
        GuestSpec spec = GuestSpec.builder("lvm", "198.18.201.100/24").udpEcho(ECHO_PORT).tap("lvm-t").build();
        InetSocketAddress echo = new InetSocketAddress(InetAddress.getByName(spec.ipv4Address()), ECHO_PORT);
        Libvirtd hostA = Libvirtd.start(lab, "hostA");
        Libvirtd hostB = Libvirtd.start(lab, "hostB");
        try (hostA; hostB;
             LibvirtGuest guest = LibvirtGuest.start(lab, image, spec, List.of(hostA, hostB));
             Netns client = lab.netns("client");
             DatagramSocket udp = client.call(DatagramSocket::new)) {
            for (String host : List.of("hostA", "hostB")) {
                lab.exec(host, "ip", "link", "set", spec.tap(), "master", BRIDGE).orThrow();
            }
            udp.setSoTimeout(200);
            assertThat(echoes(udp, echo, 50)).as("a UDP echo at host A").isTrue();
            assertThat(guest.host()).contains(hostA);
            assertThat(Libvirtd.running(lab, "hostA")).as("found by the lab's other users").isPresent();

            Path out = lab.dir().resolve("migrate.out");
            Process migration = guest.startMigration(hostA, hostB, 0, out);
            assertThat(migration.waitFor()).as(Files.readString(out)).isZero();

            assertThat(guest.runsOn(hostB)).contains("running");
            assertThat(guest.runsOn(hostA)).isEmpty();
            assertThat(echoes(udp, echo, 50)).as("a UDP echo at host B").isTrue();
            List<java.time.Instant> stops = hostA.qemuEvents("STOP");
            List<java.time.Instant> resumes = hostB.qemuEvents("RESUME");
            assertThat(stops).as("QEMU's STOP in the source's log").isNotEmpty();
            assertThat(resumes).as("QEMU's RESUME in the destination's log").isNotEmpty();
            assertThat(resumes.get(resumes.size() - 1)).as("the guest resumed at B after it stopped at A")
                    .isAfter(stops.get(stops.size() - 1));
        }
        assertThat(lab.exec("hostA", "ip", "link", "show", spec.tap()).ok()).as("tap left at A").isFalse();
        assertThat(lab.exec("hostB", "ip", "link", "show", spec.tap()).ok()).as("tap left at B").isFalse();
        assertThat(Libvirtd.running(lab, "hostA")).isEmpty();
        assertThat(Libvirtd.running(lab, "hostB")).isEmpty();
    }

    /** Whether one of {@code tries} probes is echoed. */
    private static boolean echoes(DatagramSocket udp, InetSocketAddress echo, int tries) throws IOException {
        byte[] probe = "probe".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < tries; i++) {
            udp.send(new DatagramPacket(probe, probe.length, echo));
            try {
                DatagramPacket answer = new DatagramPacket(new byte[64], 64);
                udp.receive(answer);
                return true;
            } catch (SocketTimeoutException e) {
                // next
            }
        }
        return false;
    }
}
