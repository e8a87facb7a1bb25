package io.cutover.it.arp;

import io.cutover.agent.config.AnnounceConfig;
import io.cutover.agent.plan.PlanStep;
import io.cutover.agent.steps.AnnounceSteps;
import io.cutover.arp.AllowList;
import io.cutover.arp.AnnounceForm;
import io.cutover.arp.Announcement;
import io.cutover.arp.Announcer;
import io.cutover.arp.AnnouncingListener;
import io.cutover.arp.GateResult;
import io.cutover.arp.MacAddress;
import io.cutover.arp.ProbeResult;
import io.cutover.arp.ReadinessGate;
import io.cutover.arp.Schedule;
import io.cutover.it.Capture;
import io.cutover.it.LabExtension;
import io.cutover.lab.Lab;
import io.cutover.api.CutoverEvent;
import io.cutover.api.CutoverStage;
import io.cutover.lab.Neighbour;
import io.cutover.lab.SysctlOverride;
import io.cutover.support.Netns;
import io.cutover.lab.Topology;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The announcer against real peers: a Linux client's neighbour tables (default {@code arp_accept=0}), Open
 * vSwitch MAC learning in NORMAL mode, tshark's decoders, and pcap timestamps for the schedule.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class AnnouncementIT {
    @RegisterExtension
    static final LabExtension LAB = LabExtension.of(Topology.LAN);

    private static final String OLD_MAC = "02:00:00:00:00:99";
    private static final MacAddress VM_MAC = MacAddress.parse(Topology.VM_MAC);
    /** A MAC of no lab host, for frames that must be told apart from the VM kernel's own. */
    private static final MacAddress TEST_MAC = MacAddress.parse("02:00:00:00:aa:01");
    private static final String VM_V4 = "198.18.0.100";
    private static final String VM_V6 = "2001:2::100";
    private static final String UNUSED_V4 = "198.18.0.101";
    private static final String UNUSED_V6 = "2001:2::101";
    private static final String SPARE_V4 = "198.18.0.120";
    private static final String SPARE_V6 = "2001:2::120";

    private static Netns vmNs;
    private static Announcer fromVm;

    @BeforeAll
    static void openAnnouncer() throws Exception {
        vmNs = LAB.lab().netns(Topology.VM);
        AllowList allow = AllowList.of(addresses(VM_V4, VM_V6, UNUSED_V4, UNUSED_V6, SPARE_V4, SPARE_V6));
        fromVm = vmNs.call(() -> Announcer.pcap("eth0", allow));
    }

    @AfterAll
    static void closeAnnouncer() {
        if (fromVm != null) {
            fromVm.close();
        }
        if (vmNs != null) {
            vmNs.close();
        }
    }

    private static List<InetAddress> addresses(String... texts) throws Exception {
        List<InetAddress> list = new ArrayList<>();
        for (String text : texts) {
            list.add(InetAddress.getByName(text));
        }
        return list;
    }

    private static Lab lab() {
        return LAB.lab();
    }

    private static Optional<Neighbour> neighbour(String node, String address) {
        return lab().neighbours(node).stream().filter(n -> n.address().equals(address)).findFirst();
    }

    private static void setNeighbour(String node, String address, String mac) {
        lab().exec(node, "ip", "neigh", "replace", address, "lladdr", mac, "dev", "eth0", "nud", "stale").orThrow();
    }

    /** Waits (generously: a loaded machine) until {@code address}'s entry on the client has {@code mac}. */
    private static Optional<Neighbour> awaitNeighbourMac(String address, String mac) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        Optional<Neighbour> entry = neighbour("client", address);
        while (System.nanoTime() < deadline && !entry.map(n -> mac.equals(n.mac())).orElse(false)) {
            Thread.sleep(20);
            entry = neighbour("client", address);
        }
        return entry;
    }

    private static void announce(Announcement announcement, Schedule schedule) throws Exception {
        fromVm.announce(announcement, schedule).toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Test
    void requestFormMovesAnExistingIpv4EntryAndCreatesNone() throws Exception {
        assertThat(lab().exec("client", "sysctl", "-n", "net.ipv4.conf.eth0.arp_accept").orThrow().stdout().strip()).isEqualTo("0");
        lab().exec("client", "ip", "neigh", "del", UNUSED_V4, "dev", "eth0");
        setNeighbour("client", VM_V4, OLD_MAC);
        assertThat(neighbour("client", VM_V4).map(Neighbour::mac)).contains(OLD_MAC);

        announce(Announcement.of(VM_MAC, addresses(VM_V4, UNUSED_V4), Set.of(AnnounceForm.REQUEST)), Schedule.once());

        assertThat(awaitNeighbourMac(VM_V4, Topology.VM_MAC).map(Neighbour::mac)).contains(Topology.VM_MAC);
        assertThat(neighbour("client", UNUSED_V4)).isEmpty();
    }

    @Test
    void replyFormMovesAnExistingIpv4Entry() throws Exception {
        lab().exec("client", "ip", "neigh", "del", UNUSED_V4, "dev", "eth0");
        setNeighbour("client", VM_V4, OLD_MAC);

        announce(Announcement.of(VM_MAC, addresses(VM_V4, UNUSED_V4), Set.of(AnnounceForm.REPLY)), Schedule.once());

        assertThat(awaitNeighbourMac(VM_V4, Topology.VM_MAC).map(Neighbour::mac)).contains(Topology.VM_MAC);
        assertThat(neighbour("client", UNUSED_V4)).as("arp_accept=0 creates no entry for a gratuitous reply").isEmpty();
    }

    @Test
    void unsolicitedNaOverridesAnIpv6EntryAndCreatesNone() throws Exception {
        lab().exec("client", "ip", "-6", "neigh", "del", UNUSED_V6, "dev", "eth0");
        setNeighbour("client", VM_V6, OLD_MAC);
        assertThat(neighbour("client", VM_V6).map(Neighbour::mac)).contains(OLD_MAC);

        announce(Announcement.of(VM_MAC, addresses(VM_V6, UNUSED_V6), Set.of(AnnounceForm.NA)), Schedule.once());

        assertThat(awaitNeighbourMac(VM_V6, Topology.VM_MAC).map(Neighbour::mac)).contains(Topology.VM_MAC);
        assertThat(neighbour("client", UNUSED_V6)).isEmpty();
    }

    @Test
    void nothingLeavesBeforeTheGateOpens() throws Exception {
        setNeighbour("client", VM_V4, OLD_MAC);
        CompletableFuture<Void> commit = new CompletableFuture<>();
        var done = fromVm.announce(Announcement.of(VM_MAC, addresses(VM_V4)), Schedule.once(),
                ReadinessGate.on(commit).withTimeout(Duration.ofSeconds(30)));
        Thread.sleep(300);
        assertThat(neighbour("client", VM_V4).map(Neighbour::mac)).contains(OLD_MAC);
        commit.complete(null);
        assertThat(done.toCompletableFuture().get(30, TimeUnit.SECONDS).gate().outcome()).isEqualTo(GateResult.Outcome.READY);
        assertThat(awaitNeighbourMac(VM_V4, Topology.VM_MAC).map(Neighbour::mac)).contains(Topology.VM_MAC);
    }

    @Test
    void listenerAnnouncesAtActivatedOnlyAfterTheCommit() throws Exception {
        setNeighbour("client", VM_V4, OLD_MAC);
        setNeighbour("client", VM_V6, OLD_MAC);
        CompletableFuture<Void> commit = new CompletableFuture<>();
        AnnouncingListener listener = new AnnouncingListener(fromVm, Announcement.of(VM_MAC, addresses(VM_V4, VM_V6)),
                Schedule.qemu(2, Duration.ofMillis(20), Duration.ZERO, Duration.ofMillis(20)),
                () -> ReadinessGate.on(commit).withTimeout(Duration.ofSeconds(30)));
        for (CutoverStage stage : List.of(CutoverStage.PLANNED, CutoverStage.SWITCHOVER, CutoverStage.COMMITTED)) {
            listener.onEvent(CutoverEvent.now("it", stage)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        }
        var activated = listener.onEvent(CutoverEvent.now("it", CutoverStage.ACTIVATED)).toCompletableFuture();
        Thread.sleep(300);
        assertThat(activated).isNotDone();
        assertThat(neighbour("client", VM_V4).map(Neighbour::mac)).contains(OLD_MAC);
        assertThat(neighbour("client", VM_V6).map(Neighbour::mac)).contains(OLD_MAC);

        commit.complete(null);

        activated.get(30, TimeUnit.SECONDS);
        assertThat(awaitNeighbourMac(VM_V4, Topology.VM_MAC).map(Neighbour::mac)).contains(Topology.VM_MAC);
        assertThat(awaitNeighbourMac(VM_V6, Topology.VM_MAC).map(Neighbour::mac)).contains(Topology.VM_MAC);
        assertThat(listener.current().done().toCompletableFuture().get(30, TimeUnit.SECONDS).rounds()).isEqualTo(2);
    }

    @Test
    void rarpMovesTheMacToTheNewPortInOpenVswitch() throws Exception {
        try {
            lab().exec(Topology.VM, "ping", "-c", "1", "-W", "2", lab().port("client").ipv4Address()).orThrow();
            assertThat(fdbPort("br-tor", Topology.VM_MAC)).contains(ofport("tor-to-a"));

            lab().movePort(Topology.VM, "br-b");
            announce(Announcement.of(VM_MAC, List.of(), Set.of(AnnounceForm.RARP)), Schedule.once());

            assertThat(awaitFdbPort("br-tor", Topology.VM_MAC, ofport("tor-to-b"))).contains(ofport("tor-to-b"));
            assertThat(awaitFdbPort("br-b", Topology.VM_MAC, ofport(Topology.VM))).contains(ofport(Topology.VM));
        } finally {
            lab().movePort(Topology.VM, "br-a");
            announce(Announcement.of(VM_MAC, List.of(), Set.of(AnnounceForm.RARP)), Schedule.once());
        }
    }

    private static int ofport(String port) {
        return Integer.parseInt(lab().vsctl("get", "Interface", port, "ofport").orThrow().stdout().strip());
    }

    /** The port {@code mac} is learned on in {@code bridge}'s MAC table, from {@code ovs-appctl fdb/show}. */
    private static Optional<Integer> fdbPort(String bridge, String mac) {
        for (String line : lab().appctl("fdb/show", bridge).orThrow().stdout().split("\n")) {
            String[] fields = line.strip().split("\\s+");
            if (fields.length >= 3 && fields[2].equalsIgnoreCase(mac)) {
                return Optional.of(Integer.parseInt(fields[0]));
            }
        }
        return Optional.empty();
    }

    private static Optional<Integer> awaitFdbPort(String bridge, String mac, int port) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        Optional<Integer> found = fdbPort(bridge, mac);
        while (System.nanoTime() < deadline && !found.equals(Optional.of(port))) {
            Thread.sleep(20);
            found = fdbPort(bridge, mac);
        }
        return found;
    }

    @Test
    void tsharkDecodesEveryFormWithoutWarnings(@TempDir Path dir) throws Exception {
        Path pcap;
        try (Capture capture = Capture.start(lab(), Topology.VM, "eth0", dir, "ether src " + TEST_MAC)) {
            Announcement all = Announcement.of(TEST_MAC, addresses(SPARE_V4, SPARE_V6), EnumSet.allOf(AnnounceForm.class));
            announce(all, Schedule.once());
            announce(all.withVlan(42), Schedule.once());
            pcap = capture.stop();
        }
        String fields = Capture.tshark(lab(), pcap, "-T", "fields", "-e", "vlan.id", "-e", "arp.opcode", "-e", "icmpv6.type",
                "-e", "eth.type", "-e", "_ws.col.Protocol");
        List<String> lines = fields.lines().filter(l -> !l.isBlank()).toList();
        assertThat(lines).as(fields).hasSize(8);
        for (String vlan : new String[] {"", "42"}) {
            List<String> tagged = lines.stream().filter(l -> l.split("\t", -1)[0].equals(vlan)).toList();
            assertThat(tagged).as("vlan '" + vlan + "': " + fields).hasSize(4);
            assertThat(tagged).anyMatch(l -> l.split("\t", -1)[1].equals("1") && l.endsWith("ARP"));
            assertThat(tagged).anyMatch(l -> l.split("\t", -1)[1].equals("2") && l.endsWith("ARP"));
            assertThat(tagged).anyMatch(l -> l.split("\t", -1)[1].equals("3") && l.endsWith("RARP"));
            assertThat(tagged).anyMatch(l -> l.split("\t", -1)[2].equals("136") && l.endsWith("ICMPv6"));
        }
        String verbose = Capture.tshark(lab(), pcap, "-V", "-o", "ip.check_checksum:TRUE");
        assertThat(verbose).doesNotContain("Malformed").doesNotContain("[Checksum Status: Bad]")
                .doesNotContainIgnoringCase("incorrect").doesNotContain("Expert Info (Warning")
                .doesNotContain("Expert Info (Error");
        assertThat(verbose.split("\\[Checksum Status: Good]", -1)).hasSize(3);
        assertThat(verbose).contains("= Override: Set").contains("Target link-layer address : " + TEST_MAC)
                .contains("ID: 42").contains("Opcode: reverse request (3)")
                .contains("Address Resolution Protocol (ARP Announcement)");
    }

    @Test
    void scheduleFrameTimesAreWithin5msOfPlan(@TempDir Path dir) throws Exception {
        Path pcap;
        Schedule schedule = Schedule.qemu();
        try (Capture capture = Capture.start(lab(), Topology.VM, "eth0", dir, "ether src " + TEST_MAC)) {
            announce(Announcement.of(TEST_MAC, addresses(SPARE_V4), Set.of(AnnounceForm.REQUEST)),
                    Schedule.qemu(3, Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofMillis(50)));
            pcap = capture.stop();
        }
        // warm-up round above; the measured announcement follows in its own capture
        try (Capture capture = Capture.start(lab(), Topology.VM, "eth0", dir, "ether src " + TEST_MAC)) {
            announce(Announcement.of(TEST_MAC, addresses(SPARE_V4), Set.of(AnnounceForm.REQUEST)), schedule);
            pcap = capture.stop();
        }
        List<Double> times = Capture.tshark(lab(), pcap, "-T", "fields", "-e", "frame.time_relative").lines()
                .filter(l -> !l.isBlank()).map(Double::parseDouble).toList();
        assertThat(times).hasSize(schedule.rounds());
        for (int i = 0; i < times.size(); i++) {
            double plannedMs = schedule.offsets().get(i).toNanos() / 1e6;
            assertThat(times.get(i) * 1000).as("round %d at %.3f ms, planned %.0f ms", i, times.get(i) * 1000, plannedMs)
                    .isBetween(plannedMs - 5, plannedMs + 5);
        }
    }

    @Test
    void probeFindsTheMacThatOwnsAnAddress() throws Exception {
        AllowList allow = AllowList.of(addresses(VM_V4, SPARE_V4));
        try (Netns hostB = lab().netns("hostB"); Announcer destination = hostB.call(() -> Announcer.pcap("eth0", allow))) {
            ProbeResult owned = destination.probe((Inet4Address) InetAddress.getByName(VM_V4), TEST_MAC, Duration.ofSeconds(2))
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertThat(owned.conflict()).isTrue();
            assertThat(owned.owner()).contains(VM_MAC);
            ProbeResult free = destination.probe((Inet4Address) InetAddress.getByName(SPARE_V4), TEST_MAC, Duration.ofMillis(500))
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertThat(free.conflict()).isFalse();
        }
    }

    /**
     * The agent's {@code announce.verify} (a host without the controller) from host B's interface: the VM's kernel
     * answers its ARP probe; a step waiting for another MAC hears the VM's instead and doubts; a VM that answers no ARP
     * is doubted after the timeout.
     */
    @Test
    void theAgentsVerifyStepHearsTheVmFromAHostsInterfaceAndDoubtsWhatDoesNotAnswer() throws Exception {
        Lab lab = LAB.lab();
        AnnounceConfig hostB = new AnnounceConfig("eth0", lab.namespace("hostB"), Set.of(AnnounceForm.REQUEST), "once",
                Duration.ofMillis(800));
        List<InetAddress> vm = addresses(VM_V4, VM_V6);

        PlanStep heard = AnnounceSteps.verify(hostB, VM_MAC, vm);
        heard.apply().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(heard.unverified()).as(heard.detail()).isNull();
        assertThat(heard.detail()).startsWith("answered for " + VM_V4 + " at eth0 in ");

        PlanStep elsewhere = AnnounceSteps.verify(hostB, TEST_MAC, vm);
        elsewhere.apply().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(elsewhere.unverified()).startsWith("the VM did not answer for " + VM_V4 + " at eth0 within 800 ms")
                .endsWith(VM_MAC + " answered for it instead)");

        try (SysctlOverride silent = lab.overrideSysctl(Topology.VM, "net.ipv4.conf.all.arp_ignore", "8")) {
            PlanStep unheard = AnnounceSteps.verify(hostB, VM_MAC, vm);
            unheard.apply().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(unheard.unverified()).matches("the VM did not answer for " + VM_V4.replace(".", "\\.")
                    + " at eth0 within 800 ms \\([3-9] probes\\)");
        }
    }
}
