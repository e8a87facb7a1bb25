package io.cutover.agent.demo;

import io.cutover.agent.plan.CutoverPlan;
import io.cutover.agent.plan.PlanStep;
import io.cutover.agent.steps.AnnounceSteps;
import io.cutover.agent.steps.DnsQueue;
import io.cutover.agent.steps.DnsSteps;
import io.cutover.agent.steps.Step;
import io.cutover.agent.steps.TunnelSteps;
import io.cutover.arp.AllowList;
import io.cutover.arp.AnnounceForm;
import io.cutover.arp.Announcement;
import io.cutover.arp.Announcer;
import io.cutover.arp.MacAddress;
import io.cutover.arp.Schedule;
import io.cutover.ddns.DdnsOptions;
import io.cutover.ddns.DnsUpdater;
import io.cutover.ddns.TsigKey;
import io.cutover.lab.Lab;
import io.cutover.lab.Netns;
import io.cutover.lab.Topology;
import io.cutover.lab.Wire;
import io.cutover.migration.CutoverStage;
import io.cutover.migration.LiveMigration;
import io.cutover.migration.MigrationOptions;
import io.cutover.migration.MigrationReport;
import io.cutover.migration.MigrationTarget;
import io.cutover.migration.guest.GuestSpec;
import io.cutover.migration.guest.Guests;
import io.cutover.migration.guest.SyntheticGuest;
import io.cutover.tunnel.Forwarder;
import io.cutover.tunnel.ForwarderOptions;
import io.cutover.tunnel.MoveSpec;
import io.cutover.tunnel.MoveStatus;
import io.cutover.tunnel.Role;
import io.cutover.tunnel.TunnelKey;
import io.cutover.tunnel.TunnelMode;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A cutover on the lab, with every part real: the VM {@code vm1} (a namespace with a UDP and a TCP echo
 * service, and a synthetic guest whose memory is migrated) moves from the host it is on to the other one
 * (host A on {@code br-a}, host B on {@code br-b}) while the client probes it, the bridges in NORMAL
 * (learning) mode. As a destination hypervisor plugs the VM's port before the migration ends, the VM is
 * {@linkplain Lab#dualHome dual-homed}: its cable into the destination bridge is there from the start, down.
 * <ul>
 *   <li>SWITCHOVER: the VM pauses, the source's forwarder starts holding, and a flow on the source bridge sends
 *       what arrives for the VM to the source host's port (the forwarder's);</li>
 *   <li>ACTIVATED: the VM's destination cable comes up (the source one goes down), its location is announced
 *       (RARP, ARP, NA), and the held frames are flushed through the tunnel;</li>
 *   <li>COMPLETED: the flow is removed.</li>
 * </ul>
 * On the WAN lab the VM also changes subnet: during the blackout it takes its address at the destination
 * site (keeping the old one, as a /32, for the connections that use it), the tunnel carries IP packets to the
 * old address (L3, delivered unchanged) and the VM answers through the destination site's router (triangle
 * routing); the DNS name's TTL is lowered before the move, its address switched by compare-and-swap after the
 * flush, and the TTL restored at the end. The client probes the old address throughout: the connections that
 * exist when a VM moves are the ones a WAN move must not break. Run it again and the VM moves back.
 */
public final class CutoverDemo {
    /** The VM's UDP echo port. */
    public static final int UDP_PORT = 7007;
    /** The VM's TCP echo port. */
    public static final int TCP_PORT = 7008;
    /** The tunnel's UDP port on the underlay. */
    public static final int TUNNEL_PORT = 4789;
    /** The most probes a demo sends (10 minutes at 1,000 a second): the probing is bounded whatever happens. */
    public static final int MAX_PROBES = 600_000;
    /** The VM's DNS name in the lab's zone. */
    public static final String VM_NAME = Topology.VM + "." + Topology.ZONE;
    /** How often DNS updates the server did not answer are sent again. */
    static final Duration DNS_RETRY = Duration.ofSeconds(1);
    /** The DNS TTL during a WAN move. */
    static final Duration LOWERED_TTL = Duration.ofSeconds(5);
    /**
     * The migration stream's cap, bytes/s: on a 2-core lab an uncapped stream starves the userspace switch,
     * which then drops the client's probes before the cutover even starts.
     */
    static final long MIGRATION_BANDWIDTH = 200L << 20;
    /** The cookie of the flow that sends what reaches the source bridge for the VM to the forwarder. */
    static final String REDIRECT_COOKIE = "0xc07e";

    private final Lab lab;
    private final int probeRate;
    private final Duration settle;
    private final String guestSpec;

    /**
     * @param lab       a LAN or WAN lab
     * @param probeRate client probes per second
     * @param settle    how long the client probes before the migration starts and after it ends
     * @param guestSpec the synthetic guest, such as {@code synthetic:size=64m,workload=hotset}
     */
    public CutoverDemo(Lab lab, int probeRate, Duration settle, String guestSpec) {
        this.lab = lab;
        this.probeRate = probeRate;
        this.settle = settle;
        this.guestSpec = guestSpec;
    }

    public DemoReport run() throws Exception {
        Wire underlay = lab.topology().wires().stream().filter(w -> w.nodeA().equals("hostA")).findFirst()
                .orElseThrow();
        Site siteA = Site.of(lab, "hostA", "br-a", underlay.addressA(), "rtrA");
        Site siteB = Site.of(lab, "hostB", "br-b", underlay.addressB(), "rtrB");
        boolean onA = lab.bridgeOf(Topology.VM).equals(siteA.bridge());
        Site from = onA ? siteA : siteB;
        Site to = onA ? siteB : siteA;
        boolean wan = !from.vmCidr().equals(to.vmCidr());
        String vmInterface = lab.dualHome(Topology.VM, to.bridge());
        String moveId = "demo-" + Long.toHexString(System.nanoTime() & 0xffffff);
        List<AutoCloseable> resources = new ArrayList<>();
        try (Netns vm = lab.netns(Topology.VM); Netns client = lab.netns("client");
             Netns probingClient = lab.netns("client");
             Netns source = lab.netns(from.host()); Netns destination = lab.netns(to.host())) {
            InetAddress oldAddress = from.vmAddress();
            InetAddress newAddress = to.vmAddress();
            UdpEchoResponder udp = vm.call(() -> UdpEchoResponder.start(new InetSocketAddress(oldAddress, UDP_PORT)));
            resources.add(udp);
            resources.add(vm.call(() -> TcpEchoServer.start(TCP_PORT)));
            List<InetAddress> forwarded = new ArrayList<>(List.of(oldAddress));
            String ipv6 = lab.port(Topology.VM).ipv6Address();
            if (ipv6 != null) {
                forwarded.add(InetAddress.getByName(ipv6));
            }
            lab.exec("client", "ping", "-c", "1", "-W", "2", oldAddress.getHostAddress()).orThrow();

            Forwarder sourceForwarder = forwarder(source, from);
            resources.add(sourceForwarder);
            Forwarder destinationForwarder = forwarder(destination, to);
            resources.add(destinationForwarder);
            byte[] secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            TunnelKey key = TunnelKey.of(secret, moveId);
            TunnelMode mode = wan ? TunnelMode.L3 : TunnelMode.L2;
            source.run(() -> sourceForwarder.add(new MoveSpec(moveId, 100, Role.SOURCE, mode, Topology.VM_MAC,
                    forwarded, null, new InetSocketAddress(to.underlay(), TUNNEL_PORT), "eth0", key, null, null)));
            destination.run(() -> destinationForwarder.add(new MoveSpec(moveId, 100, Role.DESTINATION, mode,
                    Topology.VM_MAC, forwarded, null, new InetSocketAddress(from.underlay(), TUNNEL_PORT), "eth0", key,
                    null, null)));
            List<InetAddress> announced = new ArrayList<>(forwarded);
            announced.set(0, newAddress);
            Announcer announcer = vm.call(() -> Announcer.pcap(vmInterface, AllowList.of(announced)));
            resources.add(announcer);
            DnsQueue dns = wan ? DnsQueue.on(source.call(() -> DnsUpdater.open(DdnsOptions.builder(
                            new InetSocketAddress(lab.dnsServer(), 53), TsigKey.read(lab.tsigKeyFile()))
                    .journalDir(lab.dir().resolve("ddns-journal")).build())), DNS_RETRY) : null;
            if (dns != null) {
                resources.add(dns);
            }

            List<PlanStep> tunnel = TunnelSteps.of(moveId, sourceForwarder, destinationForwarder);
            List<PlanStep> steps = new ArrayList<>();
            steps.add(tunnel.get(0));
            steps.add(Step.of("vm.pause", CutoverStage.SWITCHOVER, udp::pause, udp::resume));
            steps.add(Step.of("fabric.redirect", CutoverStage.SWITCHOVER,
                    () -> lab.ofctl("add-flow", from.bridge(), "cookie=" + REDIRECT_COOKIE + ",priority=1000,dl_dst="
                            + Topology.VM_MAC + ",actions=output:" + from.host()).orThrow(),
                    () -> removeRedirect(from)));
            if (wan) {
                steps.add(new Renumbering(lab, vmInterface).step(from, to));
            }
            steps.add(Step.of("vm.move", CutoverStage.ACTIVATED, () -> {
                lab.movePort(Topology.VM, to.bridge());
                udp.resume();
            }, () -> lab.movePort(Topology.VM, from.bridge())));
            steps.add(AnnounceSteps.announce(announcer, Announcement.of(MacAddress.parse(Topology.VM_MAC), announced,
                    EnumSet.of(AnnounceForm.RARP, AnnounceForm.REQUEST, AnnounceForm.NA)), Schedule.qemu()));
            steps.addAll(tunnel.subList(1, tunnel.size()));
            if (dns != null) {
                // after the tunnel's steps (a stage's steps run in order): the name moves to the new address only
                // once the old one is served from the destination
                steps.addAll(DnsSteps.of(dns, VM_NAME, List.of(oldAddress), List.of(newAddress), LOWERED_TTL));
            }
            steps.add(Step.of("fabric.cleanup", CutoverStage.COMPLETED, () -> removeRedirect(from), Step.NOTHING));
            CutoverPlan plan = new CutoverPlan(moveId, steps);
            plan.advance(CutoverStage.PLANNED).toCompletableFuture().get(30, TimeUnit.SECONDS);

            UdpProber prober = new UdpProber(new InetSocketAddress(oldAddress, UDP_PORT), probeRate, MAX_PROBES);
            ExecutorService probing = Executors.newSingleThreadExecutor();
            resources.add(probing::shutdownNow);
            CompletableFuture<UdpProbeResult> probes = CompletableFuture.supplyAsync(() -> probingClient.call(
                    () -> prober.run(Duration.ofSeconds(1))), probing);
            TcpProbe tcp = client.call(() -> TcpProbe.start(new InetSocketAddress(oldAddress, TCP_PORT),
                    Duration.ofMillis(10)));
            resources.add(tcp);
            Thread.sleep(settle.toMillis());

            SyntheticGuest guest = SyntheticGuest.create(GuestSpec.parse(guestSpec));
            resources.add(guest);
            guest.resume();
            MigrationTarget target = destination.call(() -> MigrationTarget.listen(
                    new InetSocketAddress(to.underlay(), 0), Guests.syntheticAllocator(),
                    MigrationTarget.DEFAULT_MAX_GUEST_BYTES, List.of(), end -> { }));
            resources.add(target);
            LiveMigration migration = source.call(() -> LiveMigration.start(guest, target.localAddress(),
                    MigrationOptions.builder().maxBandwidth(MIGRATION_BANDWIDTH).build(),
                    List.of(plan.migrationListener())));
            MigrationReport report = migration.result().toCompletableFuture().get(120, TimeUnit.SECONDS);
            // the network's brownout has begun (the migrator's COMPLETED); this waits for the steps before it
            plan.advance(CutoverStage.DRAINING).toCompletableFuture().get(30, TimeUnit.SECONDS);
            Thread.sleep(settle.toMillis());
            prober.stop();
            UdpProbeResult seen = probes.get(30, TimeUnit.SECONDS);
            boolean tcpAlive = tcp.alive();
            long exchanged = tcp.exchanged();
            String nameNow = wan ? lab.exec("client", "dig", "+short", "+time=2", "@" + lab.dnsServer(), VM_NAME, "A")
                    .orThrow().stdout().strip() : "";
            Map<String, Long> tunnelCounters = new TreeMap<>();
            tunnelCounters.putAll(counters("source", sourceForwarder.status(moveId)));
            tunnelCounters.putAll(counters("destination", destinationForwarder.status(moveId)));
            plan.advance(CutoverStage.COMPLETED).toCompletableFuture().get(30, TimeUnit.SECONDS);
            long cutoverStart = plan.timeline().nanoTimeOf(CutoverStage.SWITCHOVER.name(), "stage");
            long cutoverEnd = plan.timeline().nanoTimeOf("tunnel.flush", "done");
            UdpProber.Gap gap = prober.gapAcross(cutoverStart,
                    plan.timeline().nanoTimeOf(CutoverStage.ACTIVATED.name(), "stage"));
            plan.timeline().addAt(gap.fromNanos(), "client.gap", "start", "last echo before the cutover");
            plan.timeline().addAt(gap.toNanos(), "client.gap", "done", "first echo after it");
            return new DemoReport(wan ? "wan" : "lan", report.progress().downtime().toNanos() / 1e6, gap.millis(),
                    seen, prober.lostBetween(cutoverStart, cutoverEnd), udp.received(), tcpAlive, exchanged,
                    report.verifiedDigest() != 0, nameNow, tunnelCounters, plan.timeline().entries());
        } finally {
            Collections.reverse(resources);
            for (AutoCloseable resource : resources) {
                try {
                    resource.close();
                } catch (Exception ignored) {
                    // the lab goes away next
                }
            }
        }
    }

    /** A move's tunnel counters and drops, named {@code end.counter} and {@code end.drop.REASON}. */
    private static Map<String, Long> counters(String end, Optional<MoveStatus> status) {
        Map<String, Long> named = new TreeMap<>();
        status.ifPresent(move -> {
            move.counters().forEach((counter, value) -> named.put(end + "." + counter, value));
            move.drops().forEach((reason, value) -> named.put(end + ".drop." + reason, value));
        });
        return named;
    }

    private void removeRedirect(Site from) {
        lab.ofctl("del-flows", from.bridge(), "cookie=" + REDIRECT_COOKIE + "/-1").orThrow();
    }

    private Forwarder forwarder(Netns namespace, Site end) {
        return namespace.call(() -> Forwarder.start(ForwarderOptions.builder()
                .bind(new InetSocketAddress(end.underlay(), TUNNEL_PORT))
                .threadFactory(Netns.threadFactory(lab.namespace(end.host())))
                .build()));
    }
}
