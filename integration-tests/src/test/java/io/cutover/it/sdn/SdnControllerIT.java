package io.cutover.it.sdn;

import io.cutover.demo.SdnLabFabric;
import io.cutover.it.Capture;
import io.cutover.it.LabExtension;
import io.cutover.lab.CommandResult;
import io.cutover.lab.Lab;
import io.cutover.lab.SysctlOverride;
import io.cutover.support.Netns;
import io.cutover.lab.Topology;
import io.cutover.sdn.Cookie;
import io.cutover.sdn.Dpid;
import io.cutover.sdn.Endpoint;
import io.cutover.sdn.FlowView;
import io.cutover.sdn.Move;
import io.cutover.sdn.MoveState;
import io.cutover.sdn.ProbeAnswer;
import io.cutover.api.CutoverEvent;
import io.cutover.api.CutoverStage;
import io.cutover.sdn.SdnController;
import io.cutover.sdn.SdnCutoverListener;
import io.cutover.sdn.SwitchInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The controller on the lab's real Open vSwitch: handshake, connectivity purely through its flows, a move of the
 * VM from br-a to br-b, a restart during traffic with reconciliation, and malformed frames.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SdnControllerIT {
    /** Pings sent to the moved VM while counting what reaches hostA. */
    private static final int PINGS = 20;

    @RegisterExtension
    static final LabExtension LAB = LabExtension.of(Topology.LAN);

    private static final List<String> BRIDGES = List.of("br-tor", "br-a", "br-b");
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Pattern FLOW_LINE = Pattern.compile("cookie=(0x[0-9a-f]+).*?table=(\\d+).*?priority=(\\d+)");

    @TempDir
    static Path stateDir;

    static SdnController sdn;
    static int port;

    @BeforeAll
    static void start() {
        Lab lab = LAB.lab();
        sdn = SdnController.start(SdnLabFabric.options(lab).port(0).stateDir(stateDir)
                .handshakeTimeout(Duration.ofSeconds(2)).build());
        port = sdn.address().getPort();
        SdnLabFabric.attach(lab, port, BRIDGES);
        join(sdn.awaitSwitches(BRIDGES.stream().map(SdnControllerIT::dpid).toList(), WAIT));
        join(sdn.setLinks(SdnLabFabric.links(lab)));
        for (Endpoint endpoint : SdnLabFabric.endpoints(lab)) {
            join(sdn.putEndpoint(endpoint));
        }
    }

    @AfterAll
    static void stop() {
        if (sdn != null) {
            sdn.close();
        }
    }

    @Test
    @Order(1)
    void handshakeWithEveryBridge() throws Exception {
        List<SwitchInfo> switches = sdn.switches();
        assertThat(switches).extracting(SwitchInfo::name).containsExactlyInAnyOrderElementsOf(BRIDGES);
        assertThat(switches).allMatch(SwitchInfo::connected);
        assertThat(switches).as("each bridge's datapath id, fixed by the lab").allSatisfy(s ->
                assertThat(s.dpid()).isEqualTo(dpid(s.name())));
        SwitchInfo brA = switches.stream().filter(s -> s.dpid().equals(dpid("br-a"))).findFirst().orElseThrow();
        assertThat(brA.ports()).containsKeys("vm1", "hostA", "a-to-tor");
        assertThat(eventually(() -> !LAB.lab().vsctl("--columns=is_connected", "list", "controller").orThrow()
                .stdout().contains("false"), Duration.ofSeconds(20))).as("OVS reports every controller connected").isTrue();
    }

    @Test
    @Order(2)
    void pingAndUdpPurelyThroughControllerFlows() throws Exception {
        Lab lab = LAB.lab();
        for (String bridge : BRIDGES) {
            String flows = lab.ofctl("-O", "OpenFlow13", "dump-flows", bridge).orThrow().stdout();
            assertThat(flows).doesNotContainIgnoringCase("NORMAL");
            assertThat(dumpedCookies(bridge)).allMatch(Cookie::isOurs);
        }
        ping("client", vmAddress(), 3);
        ping("hostB", vmAddress(), 2);
        ping("client", "-6", 2);
        assertThat(udpRoundTrip("client", vmAddress())).isEqualTo("probe");
    }

    @Test
    @Order(2)
    void framesSentForAnEndpointEnterAtItsPortAndReachTheNetworkButOnlyFromItsOwnMac(@TempDir Path dir)
            throws Exception {
        Lab lab = LAB.lab();
        String vmMac = lab.port("vm1").mac();
        java.net.Inet4Address vmAddress = (java.net.Inet4Address) InetAddress.getByName(vmAddress());
        byte[] announcement = io.cutover.arp.impl.Frames.arp(io.cutover.arp.AnnounceForm.REQUEST,
                io.cutover.arp.MacAddress.parse(vmMac), vmAddress, 0);
        byte[] spoofed = io.cutover.arp.impl.Frames.arp(io.cutover.arp.AnnounceForm.REQUEST,
                io.cutover.arp.MacAddress.parse(lab.mac("client", "eth0")), vmAddress, 0);
        Path pcap;
        try (Capture capture = Capture.start(lab, "client", "eth0", dir, "arp")) {
            assertThat(join(sdn.sendFrames("vm1", List.of(announcement, announcement)))).isEqualTo(2);
            assertThat(sdn.sendFrames("vm1", List.of(spoofed)).toCompletableFuture())
                    .failsWithin(WAIT).withThrowableThat().havingRootCause()
                    .isInstanceOf(IllegalArgumentException.class).withMessageContaining("is not endpoint vm1's");
            pcap = capture.stop();
        }
        String gratuitous = Capture.tshark(lab, pcap, "-Y", "arp.src.proto_ipv4 == arp.dst.proto_ipv4",
                "-T", "fields", "-e", "eth.src");
        assertThat(gratuitous.lines().toList()).as("the announcements, flooded from vm1's port to the client")
                .containsExactly(vmMac, vmMac);
    }

    @Test
    @Order(3)
    void moveToBrBRestoresConnectivityWithoutFlooding() throws Exception {
        Lab lab = LAB.lab();
        Move move = join(sdn.prepare("vm1", dpid("br-b"), "vm1"));
        assertThat(move.state()).isEqualTo(MoveState.PREPARED);
        lab.movePort("vm1", "br-b");
        Move committed = join(sdn.commit(move.id()));
        assertThat(committed.state()).isEqualTo(MoveState.COMMITTED);
        ProbeAnswer atItsPlace = join(sdn.probe("vm1", Duration.ofSeconds(2)));
        assertThat(atItsPlace.answered()).as("the VM's kernel answers the controller's ARP probe at br-b: " + atItsPlace)
                .isTrue();
        assertThat(atItsPlace.address()).isEqualTo(vmAddress());
        assertThat(atItsPlace.switchId()).isEqualTo(dpid("br-b"));
        // arp_ignore 8: the VM's kernel answers no ARP request at all (its link and its IPv6 addresses stay)
        ProbeAnswer silent;
        try (SysctlOverride ignoring = lab.overrideSysctl("vm1",
                "net.ipv4.conf." + lab.port("vm1").iface() + ".arp_ignore", "8")) {
            silent = join(sdn.probe("vm1", Duration.ofMillis(800)));
        }
        assertThat(silent.answered()).as("a VM that answers no ARP: " + silent).isFalse();
        assertThat(silent.probes()).isGreaterThanOrEqualTo(3);
        assertThat(join(sdn.probe("vm1", Duration.ofSeconds(2))).answered()).as("answers again").isTrue();

        long hostARxBefore = rxPackets("hostA");
        ping("client", vmAddress(), PINGS);
        long hostARx = rxPackets("hostA") - hostARxBefore;
        // flooded, each ping would reach hostA; a few broadcasts and multicasts (ARP, ND) may, whatever the flows
        assertThat(hostARx).as("packets that reached hostA while client pinged the VM " + PINGS + " times")
                .isLessThan(PINGS / 2);
        assertThat(udpRoundTrip("client", vmAddress())).isEqualTo("probe");

        long oldCookie = Cookie.of(SdnLabFabric.NETWORK, 5, move.fromGeneration());
        assertThat(dumpedCookies("br-a")).contains(oldCookie);
        join(sdn.cleanup(move.id()));
        for (String bridge : BRIDGES) {
            assertThat(dumpedFlows(bridge)).as("flows of " + bridge)
                    .containsExactlyInAnyOrderElementsOf(desired(bridge));
        }
        assertThat(dumpedCookies("br-a")).doesNotContain(oldCookie);
        ping("hostB", vmAddress(), 2);
    }

    @Test
    @Order(4)
    void rollbackAfterCommitRestoresTheOldLocation() throws Exception {
        Lab lab = LAB.lab();
        Move move = join(sdn.prepare("vm1", dpid("br-a"), "vm1"));
        lab.movePort("vm1", "br-a");
        join(sdn.commit(move.id()));
        ping("client", vmAddress(), 2);
        lab.movePort("vm1", "br-b");
        join(sdn.rollback(move.id()));
        ping("client", vmAddress(), 2);
        assertThat(dumpedCookies("br-a")).doesNotContain(Cookie.of(SdnLabFabric.NETWORK, 5, move.id()));
        assertThat(sdn.endpoint("vm1").orElseThrow().switchId()).isEqualTo(dpid("br-b"));
    }

    @Test
    @Order(5)
    void restartDuringTrafficLosesNothingAndReconciles() throws Exception {
        Lab lab = LAB.lab();
        CompletableFuture<CommandResult> traffic = CompletableFuture.supplyAsync(() ->
                lab.exec("client", "ping", "-c", "60", "-i", "0.05", "-W", "2", vmAddress()));
        Thread.sleep(500);
        sdn.close();
        String stale = "cookie=" + Cookie.format(Cookie.of(9, 99, 9)) + ",table=1,priority=7,dl_dst=02:00:00:00:99:99,actions=drop";
        String foreign = "cookie=0x1234,table=1,priority=6,dl_dst=02:00:00:00:99:98,actions=drop";
        lab.ofctl("-O", "OpenFlow13", "add-flow", "br-a", stale).orThrow();
        lab.ofctl("-O", "OpenFlow13", "add-flow", "br-a", foreign).orThrow();
        String dnsMac = sdn.endpoint("dns").orElseThrow().mac();
        lab.ofctl("-O", "OpenFlow13", "del-flows", "br-a", "table=1,dl_dst=" + dnsMac).orThrow();
        assertThat(lab.ofctl("-O", "OpenFlow13", "dump-flows", "br-a").orThrow().stdout())
                .doesNotContain("dl_dst=" + dnsMac);
        Thread.sleep(500);
        sdn = SdnController.start(SdnLabFabric.options(lab).port(port).stateDir(stateDir)
                .handshakeTimeout(Duration.ofSeconds(2)).build());
        assertThat(sdn.endpoints()).hasSize(5);
        join(sdn.awaitSwitches(BRIDGES.stream().map(SdnControllerIT::dpid).toList(), WAIT));
        CommandResult ping = traffic.get(60, TimeUnit.SECONDS);
        assertThat(ping.stdout()).contains(" 0% packet loss");
        Set<Long> cookies = dumpedCookies("br-a");
        assertThat(cookies).doesNotContain(Cookie.of(9, 99, 9)).contains(0x1234L);
        List<String> ours = new ArrayList<>(dumpedFlows("br-a"));
        ours.removeIf(f -> f.startsWith(Cookie.format(0x1234L)));
        assertThat(ours).as("missing flow re-added, stale one deleted").containsExactlyInAnyOrderElementsOf(desired("br-a"));
        assertThat(lab.ofctl("-O", "OpenFlow13", "dump-flows", "br-a").orThrow().stdout()).contains(dnsMac);
        lab.ofctl("-O", "OpenFlow13", "del-flows", "br-a", "cookie=0x1234/-1").orThrow();
    }

    @Test
    @Order(6)
    void malformedFramesCloseOnlyTheirConnection() throws Exception {
        Lab lab = LAB.lab();
        try (Netns fabric = lab.netns(Topology.FABRIC)) {
            byte[] garbage = new byte[64];
            new Random(7).nextBytes(garbage);
            garbage[0] = (byte) 0xAA;
            assertThat(fabric.call(() -> closedAfterSending(garbage))).as("closed after garbage").isTrue();
            byte[] truncated = {4, 0, 0, 100, 0, 0, 0, 1, 0, 1, 0, 8};
            assertThat(fabric.call(() -> closedAfterSending(truncated))).as("closed after a truncated frame").isTrue();
            byte[] badBody = {4, 0, 0, 16, 0, 0, 0, 1, 0, 1, 0, 12, 0, 0, 0, 0};
            assertThat(fabric.call(() -> closedAfterSending(badBody))).as("closed after a bad HELLO").isTrue();
        }
        assertThat(sdn.switches()).allMatch(SwitchInfo::connected);
        ping("client", vmAddress(), 2);
    }

    @Test
    @Order(7)
    void tsharkDecodesTheControllersMessagesAsOpenFlow13() throws Exception {
        Lab lab = LAB.lab();
        Path capture = stateDir.resolve("openflow.pcap");
        Path log = stateDir.resolve("tshark.log");
        Process tshark = lab.spawn(Topology.FABRIC, List.of("tshark", "-i", "lo", "-f", "tcp port " + port,
                "-w", capture.toString()), log);
        try {
            assertThat(eventually(() -> {
                try {
                    return java.nio.file.Files.readString(log).contains("Capturing on");
                } catch (java.io.IOException e) {
                    return false;
                }
            }, Duration.ofSeconds(20))).as("tshark started").isTrue();
            // "Capturing on" is printed a little before dumpcap really captures: the capture is live once it
            // holds one of the flow statistics requests sent while waiting
            assertThat(eventually(() -> {
                sdn.switchFlows(dpid("br-tor")).toCompletableFuture().join();
                return captured(capture, "openflow_v4.type == 18");
            }, Duration.ofSeconds(30))).as("the capture holds a flow statistics request").isTrue();
            Move move = join(sdn.prepare("vm1", dpid("br-a"), "vm1"));
            join(sdn.redirectToForwarder(move.id(), "hostB"));
            join(sdn.rollback(move.id()));
            assertThat(eventually(() -> captured(capture, "openflow_v4.type == 4"), Duration.ofSeconds(20)))
                    .as("the capture holds the bundle messages").isTrue();
        } finally {
            tshark.destroy();
            tshark.waitFor(10, TimeUnit.SECONDS);
        }
        String decoded = lab.exec(Topology.FABRIC, "tshark", "-r", capture.toString(), "-d",
                "tcp.port==" + port + ",openflow", "-T", "fields", "-e", "openflow_v4.type", "-e", "_ws.malformed")
                .orThrow().stdout();
        List<String> types = decoded.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        assertThat(types).as("OpenFlow 1.3 messages decoded").isNotEmpty();
        assertThat(decoded).as("no malformed packet").doesNotContain("Malformed");
        String summary = lab.exec(Topology.FABRIC, "tshark", "-r", capture.toString(), "-d",
                "tcp.port==" + port + ",openflow", "-Y", "_ws.malformed || _ws.expert.severity == error").orThrow().stdout();
        assertThat(summary.strip()).as("malformed or erroneous frames").isEmpty();
        String flowMods = lab.exec(Topology.FABRIC, "tshark", "-r", capture.toString(), "-d",
                "tcp.port==" + port + ",openflow", "-Y", "openflow_v4.type == 4").orThrow().stdout();
        assertThat(flowMods).as("bundle messages (ONF experimenter) seen among types " + types).isNotBlank();
    }

    @Test
    @Order(8)
    void theCutoverListenerDrivesAMoveThroughTheStages() throws Exception {
        Lab lab = LAB.lab();
        SdnCutoverListener listener = new SdnCutoverListener(sdn, "vm1", dpid("br-a"), "vm1", "hostB");
        join(listener.onEvent(CutoverEvent.now("m1", CutoverStage.PLANNED)));
        join(listener.onEvent(CutoverEvent.now("m1", CutoverStage.RESERVED)));
        join(listener.onEvent(CutoverEvent.now("m1", CutoverStage.SWITCHOVER)));
        assertThat(listener.move().state()).isEqualTo(MoveState.REDIRECTED);
        assertThat(dumpedFlows("br-b")).anyMatch(f -> f.contains("/1/150/"));
        lab.movePort("vm1", "br-a");
        join(listener.onEvent(CutoverEvent.now("m1", CutoverStage.ACTIVATED)));
        ping("client", vmAddress(), 2);
        ping("client", "-6", 2);
        join(listener.onEvent(CutoverEvent.now("m1", CutoverStage.COMPLETED)));
        assertThat(listener.move().state()).isEqualTo(MoveState.CLEANED);
        for (String bridge : BRIDGES) {
            assertThat(dumpedFlows(bridge)).containsExactlyInAnyOrderElementsOf(desired(bridge));
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    private static boolean closedAfterSending(byte[] bytes) throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(bytes);
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] buf = new byte[4096];
            while (true) {
                int n = in.read(buf);
                if (n < 0) {
                    return true;
                }
            }
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (java.net.SocketException e) {
            return true; // reset by the controller
        }
    }

    private static boolean captured(Path capture, String filter) {
        return !LAB.lab().exec(Topology.FABRIC, "tshark", "-r", capture.toString(), "-d",
                "tcp.port==" + port + ",openflow", "-Y", filter).stdout().isBlank();
    }

    private static boolean eventually(java.util.function.BooleanSupplier condition, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(200);
        }
        return condition.getAsBoolean();
    }

    private static String vmAddress() {
        return LAB.lab().port("vm1").ipv4Address();
    }

    private static void ping(String from, String to, int count) {
        List<String> command = new ArrayList<>(List.of("ping", "-c", String.valueOf(count), "-i", "0.2", "-W", "2"));
        if (to.equals("-6")) {
            command.addAll(List.of("-6", LAB.lab().port("vm1").ipv6Address()));
        } else {
            command.add(to);
        }
        CommandResult result = LAB.lab().exec(from, command.toArray(String[]::new));
        assertThat(result.stdout()).as("ping " + from + " -> " + to + ": " + result.stdout() + result.stderr())
                .contains(" 0% packet loss");
    }

    private static String udpRoundTrip(String from, String to) throws Exception {
        Lab lab = LAB.lab();
        try (Netns vm = lab.netns("vm1"); Netns client = lab.netns(from)) {
            DatagramSocket server = vm.call(() -> new DatagramSocket(new InetSocketAddress(to, 0)));
            DatagramSocket sender = client.call(() -> new DatagramSocket(0));
            try (server; sender) {
                server.setSoTimeout(5000);
                byte[] probe = "probe".getBytes(StandardCharsets.US_ASCII);
                sender.send(new DatagramPacket(probe, probe.length, InetAddress.getByName(to), server.getLocalPort()));
                DatagramPacket received = new DatagramPacket(new byte[64], 64);
                server.receive(received);
                return new String(received.getData(), 0, received.getLength(), StandardCharsets.US_ASCII);
            }
        }
    }

    private static long rxPackets(String node) {
        return Long.parseLong(LAB.lab().exec(node, "cat", "/sys/class/net/eth0/statistics/rx_packets").orThrow()
                .stdout().strip());
    }

    /** The bridge's flows as {@code cookie/table/priority} strings, from ovs-ofctl. */
    private static List<String> dumpedFlows(String bridge) {
        List<String> flows = new ArrayList<>();
        for (String line : LAB.lab().ofctl("-O", "OpenFlow13", "dump-flows", bridge).orThrow().stdout().split("\n")) {
            Matcher m = FLOW_LINE.matcher(line);
            if (m.find()) {
                flows.add(m.group(1) + "/" + m.group(2) + "/" + m.group(3) + "/" + line.substring(line.indexOf("actions=")));
            }
        }
        return flows;
    }

    private static Set<Long> dumpedCookies(String bridge) {
        Set<Long> cookies = new HashSet<>();
        for (String flow : dumpedFlows(bridge)) {
            cookies.add(Long.parseUnsignedLong(flow.substring(2, flow.indexOf('/')), 16));
        }
        return cookies;
    }

    private static List<String> desired(String bridge) {
        return sdn.desiredFlows(dpid(bridge)).stream().map(SdnControllerIT::asDumped).toList();
    }

    /** The datapath id the lab gives {@code bridge}: the controller's key for it. */
    private static Dpid dpid(String bridge) {
        return Dpid.parse(Topology.LAN.datapathId(bridge));
    }

    private static String asDumped(FlowView flow) {
        return Cookie.format(flow.cookie()) + "/" + flow.table() + "/" + flow.priority() + "/actions="
                + flow.instructions();
    }

    private static <T> T join(java.util.concurrent.CompletionStage<T> stage) {
        return stage.toCompletableFuture().orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    }
}
