package io.cutover.agent.demo;

import io.cutover.agent.plan.CutoverPlan;
import io.cutover.agent.plan.PlanStep;
import io.cutover.agent.steps.AnnounceSteps;
import io.cutover.agent.steps.Step;
import io.cutover.agent.steps.TunnelSteps;
import io.cutover.arp.AllowList;
import io.cutover.arp.AnnounceForm;
import io.cutover.arp.Announcement;
import io.cutover.arp.Announcer;
import io.cutover.arp.MacAddress;
import io.cutover.arp.Schedule;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A LAN cutover on the lab, with every part real: the VM {@code vm1} (a namespace with a UDP and a TCP echo
 * service, and a synthetic guest whose memory is migrated) moves from the host it is on to the other one
 * (host A on {@code br-a}, host B on {@code br-b}) while the client probes it, the bridges in NORMAL
 * (learning) mode. As a destination hypervisor plugs the VM's port before the migration ends, the VM is
 * {@linkplain Lab#dualHome dual-homed}: its cable into the destination bridge is there from the start, down.
 * At SWITCHOVER the VM pauses, the source's forwarder starts holding, and a flow on the source bridge sends
 * what arrives for the VM to the source host's port (the forwarder's); at ACTIVATED the VM's destination
 * cable comes up (and the source one goes down), its location is announced (RARP, ARP, NA), and the held
 * frames are flushed through the tunnel; at COMPLETED the flow is removed. Run it again and the VM moves back.
 */
public final class LanDemo {
    /** The VM's UDP echo port. */
    public static final int UDP_PORT = 7007;
    /** The VM's TCP echo port. */
    public static final int TCP_PORT = 7008;
    /** The tunnel's UDP port on the underlay. */
    public static final int TUNNEL_PORT = 4789;
    /** The most probes a demo sends (10 minutes at 1,000 a second): the probing is bounded whatever happens. */
    public static final int MAX_PROBES = 600_000;
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
     * @param lab       a LAN lab
     * @param probeRate client probes per second
     * @param settle    how long the client probes before the migration starts and after it ends
     * @param guestSpec the synthetic guest, such as {@code synthetic:size=64m,workload=hotset}
     */
    public LanDemo(Lab lab, int probeRate, Duration settle, String guestSpec) {
        if (lab.topology() != Topology.LAN) {
            throw new IllegalArgumentException("the LAN demo needs a LAN lab");
        }
        this.lab = lab;
        this.probeRate = probeRate;
        this.settle = settle;
        this.guestSpec = guestSpec;
    }

    /** One end of the move: a hypervisor host, its bridge and its underlay address. */
    private record End(String host, String bridge, String underlay) {
    }

    public DemoReport run() throws Exception {
        Wire underlay = lab.topology().wires().get(0);
        End hostA = new End("hostA", "br-a", underlay.addressA());
        End hostB = new End("hostB", "br-b", underlay.addressB());
        boolean onA = lab.bridgeOf(Topology.VM).equals(hostA.bridge());
        End from = onA ? hostA : hostB;
        End to = onA ? hostB : hostA;
        String vmInterface = lab.dualHome(Topology.VM, to.bridge());
        String moveId = "demo-" + Long.toHexString(System.nanoTime() & 0xffffff);
        List<AutoCloseable> resources = new ArrayList<>();
        try (Netns vm = lab.netns("vm1"); Netns client = lab.netns("client"); Netns probingClient = lab.netns("client");
             Netns source = lab.netns(from.host()); Netns destination = lab.netns(to.host())) {
            UdpEchoResponder udp = vm.call(() -> UdpEchoResponder.start(UDP_PORT));
            resources.add(udp);
            resources.add(vm.call(() -> TcpEchoServer.start(TCP_PORT)));
            InetAddress vmIpv4 = InetAddress.getByName(lab.port("vm1").ipv4Address());
            InetAddress vmIpv6 = InetAddress.getByName(lab.port("vm1").ipv6Address());
            List<InetAddress> addresses = List.of(vmIpv4, vmIpv6);
            lab.exec("client", "ping", "-c", "1", "-W", "2", vmIpv4.getHostAddress()).orThrow();

            Forwarder sourceForwarder = forwarder(source, from);
            resources.add(sourceForwarder);
            Forwarder destinationForwarder = forwarder(destination, to);
            resources.add(destinationForwarder);
            byte[] secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            TunnelKey key = TunnelKey.of(secret, moveId);
            source.run(() -> sourceForwarder.add(new MoveSpec(moveId, 100, Role.SOURCE, TunnelMode.L2,
                    Topology.VM_MAC, addresses, null, new InetSocketAddress(to.underlay(), TUNNEL_PORT), "eth0", key,
                    null, null)));
            destination.run(() -> destinationForwarder.add(new MoveSpec(moveId, 100, Role.DESTINATION, TunnelMode.L2,
                    Topology.VM_MAC, addresses, null, new InetSocketAddress(from.underlay(), TUNNEL_PORT), "eth0", key,
                    null, null)));
            Announcer announcer = vm.call(() -> Announcer.pcap(vmInterface, AllowList.of(addresses)));
            resources.add(announcer);

            List<PlanStep> tunnel = TunnelSteps.of(moveId, sourceForwarder, destinationForwarder);
            List<PlanStep> steps = new ArrayList<>();
            steps.add(tunnel.get(0));
            steps.add(Step.of("vm.pause", CutoverStage.SWITCHOVER, udp::pause, udp::resume));
            steps.add(Step.of("fabric.redirect", CutoverStage.SWITCHOVER,
                    () -> lab.ofctl("add-flow", from.bridge(), "cookie=" + REDIRECT_COOKIE + ",priority=1000,dl_dst="
                            + Topology.VM_MAC + ",actions=output:" + from.host()).orThrow(),
                    () -> removeRedirect(from)));
            steps.add(Step.of("vm.move", CutoverStage.ACTIVATED, () -> {
                lab.movePort(Topology.VM, to.bridge());
                udp.resume();
            }, () -> lab.movePort(Topology.VM, from.bridge())));
            steps.add(AnnounceSteps.announce(announcer, Announcement.of(MacAddress.parse(Topology.VM_MAC), addresses,
                    EnumSet.of(AnnounceForm.RARP, AnnounceForm.REQUEST, AnnounceForm.NA)), Schedule.qemu()));
            steps.addAll(tunnel.subList(1, tunnel.size()));
            steps.add(Step.of("fabric.cleanup", CutoverStage.COMPLETED, () -> removeRedirect(from), Step.NOTHING));
            CutoverPlan plan = new CutoverPlan(moveId, steps);
            plan.advance(CutoverStage.PLANNED).toCompletableFuture().get(10, TimeUnit.SECONDS);

            UdpProber prober = new UdpProber(new InetSocketAddress(vmIpv4, UDP_PORT), probeRate, MAX_PROBES);
            ExecutorService probing = Executors.newSingleThreadExecutor();
            resources.add(probing::shutdownNow);
            CompletableFuture<UdpProbeResult> probes = CompletableFuture.supplyAsync(() -> probingClient.call(
                    () -> prober.run(Duration.ofSeconds(1))), probing);
            TcpProbe tcp = client.call(() -> TcpProbe.start(new InetSocketAddress(vmIpv4, TCP_PORT),
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
            Thread.sleep(settle.toMillis());
            prober.stop();
            UdpProbeResult seen = probes.get(30, TimeUnit.SECONDS);
            boolean tcpAlive = tcp.alive();
            long exchanged = tcp.exchanged();
            plan.advance(CutoverStage.COMPLETED).toCompletableFuture().get(10, TimeUnit.SECONDS);
            long cutoverStart = plan.timeline().nanoTimeOf(CutoverStage.SWITCHOVER.name(), "stage");
            long cutoverEnd = plan.timeline().nanoTimeOf("tunnel.flush", "done");
            UdpProber.Gap gap = prober.gapAcross(cutoverStart,
                    plan.timeline().nanoTimeOf(CutoverStage.ACTIVATED.name(), "stage"));
            plan.timeline().addAt(gap.fromNanos(), "client.gap", "start", "last echo before the cutover");
            plan.timeline().addAt(gap.toNanos(), "client.gap", "done", "first echo after it");
            return new DemoReport("lan", report.progress().downtime().toNanos() / 1e6, gap.millis(), seen,
                    prober.lostBetween(cutoverStart, cutoverEnd), udp.received(), tcpAlive, exchanged,
                    report.verifiedDigest() != 0, plan.timeline().entries());
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

    private void removeRedirect(End from) {
        lab.ofctl("del-flows", from.bridge(), "cookie=" + REDIRECT_COOKIE + "/-1").orThrow();
    }

    private Forwarder forwarder(Netns namespace, End end) {
        return namespace.call(() -> Forwarder.start(ForwarderOptions.builder()
                .bind(new InetSocketAddress(end.underlay(), TUNNEL_PORT))
                .threadFactory(Netns.threadFactory(lab.namespace(end.host())))
                .build()));
    }
}
