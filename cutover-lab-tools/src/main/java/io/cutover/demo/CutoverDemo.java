package io.cutover.demo;

import io.cutover.agent.plan.Timeline;
import io.cutover.lab.Lab;
import io.cutover.support.Netns;
import io.cutover.support.ThreadPriority;
import io.cutover.lab.Topology;
import io.cutover.api.CutoverEvent;
import io.cutover.api.CutoverListener;
import io.cutover.api.CutoverStage;
import io.cutover.migration.LiveMigration;
import io.cutover.migration.MigrationOptions;
import io.cutover.migration.MigrationReport;
import io.cutover.migration.MigrationTarget;
import io.cutover.migration.guest.ShmGuest;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A cutover on the lab, with every part real: the VM {@code vm1} (a namespace with a UDP and a TCP echo
 * service, and a guest program in it whose memory, a {@code /dev/shm} file, is migrated: {@link GuestPrograms}) moves from the host it is on to the other one
 * (host A on {@code br-a}, host B on {@code br-b}) while the client probes it. The lab's daemons ({@link
 * LabAgents}: the SDN controller, a tunnel daemon and an agent on each host) do the network's part; this class
 * is the orchestrator and the hypervisor: it registers the brownout tunnel's move with both tunnel daemons,
 * creates the cutover at the source's agent, migrates the guest with migration-core and reports the migration's
 * phases through the agent's hooks, as a libvirt hook would:
 * <ul>
 *   <li>SWITCHOVER: the VM pauses; the hook makes the source's forwarder hold and the controller redirect what
 *       reaches the source switch for the VM to it;</li>
 *   <li>ACTIVATED: the VM resumes on its destination cable (the hypervisor plugged it before the migration
 *       ended: the VM is {@linkplain Lab#dualHome dual-homed}); the hook commits the controller's move, announces
 *       the VM (RARP, ARP, NA) and flushes the held frames through the tunnel;</li>
 *   <li>COMPLETED: the hook starts the brownout (DRAINING); once the tunnel's drain has ended the agent removes
 *       the old location's flows and closes the tunnel.</li>
 * </ul>
 * On the WAN lab the VM also changes subnet: during the blackout it takes its address at the destination
 * site (keeping the old one, as a /32, for the connections that use it), the tunnel carries IP packets to the
 * old address (L3, delivered unchanged) and the VM answers through the destination site's router (triangle
 * routing); the agent lowers the DNS name's TTL before the move, switches its address by compare-and-swap after
 * the flush, and restores the TTL at the end. The client probes the old address throughout: the connections that
 * exist when a VM moves are the ones a WAN move must not break. Run it again and the VM moves back.
 */
public final class CutoverDemo {
    /** The VM's UDP echo port. */
    public static final int UDP_PORT = 7007;
    /** The VM's TCP echo port. */
    public static final int TCP_PORT = 7008;
    /** The tunnel's UDP port on the underlay. */
    public static final int TUNNEL_PORT = 4789;
    /** The VM's DNS name in the lab's zone. */
    public static final String VM_NAME = Topology.VM + "." + Topology.ZONE;
    /** The DNS TTL during a WAN move. */
    static final Duration LOWERED_TTL = Duration.ofSeconds(5);
    /**
     * The migration stream's cap, bytes/s: on a 2-core lab an uncapped stream starves the userspace switch,
     * which then drops the client's probes before the cutover even starts.
     */
    static final long MIGRATION_BANDWIDTH = 200L << 20;

    private final Lab lab;
    private final LabAgents agents;
    private final int probeRate;
    private final Duration settle;
    private final String workload;

    /**
     * @param lab       a LAN or WAN lab
     * @param agents    the lab's daemons
     * @param probeRate client probes per second
     * @param settle    how long the client probes before the migration starts and after it ends
     * @param workload  the guest program's memory and workload, such as {@code size=64m,workload=hotset,hot=5%}
     */
    public CutoverDemo(Lab lab, LabAgents agents, int probeRate, Duration settle, String workload) {
        this.lab = lab;
        this.agents = agents;
        this.probeRate = probeRate;
        this.settle = settle;
        this.workload = workload;
    }

    public DemoReport run() throws Exception {
        Site siteA = Site.of(lab, "hostA", "br-a", agents.underlay("hostA"), "rtrA");
        Site siteB = Site.of(lab, "hostB", "br-b", agents.underlay("hostB"), "rtrB");
        boolean onA = lab.bridgeOf(Topology.VM).equals(siteA.bridge());
        Site from = onA ? siteA : siteB;
        Site to = onA ? siteB : siteA;
        boolean wan = !from.vmCidr().equals(to.vmCidr());
        String vmInterface = lab.dualHome(Topology.VM, to.bridge());
        Timeline timeline = new Timeline();
        try (Resources resources = new Resources(); Netns vm = lab.netns(Topology.VM); Netns source = lab.netns(from.host());
             Netns destination = lab.netns(to.host())) {
            InetAddress oldAddress = from.vmAddress();
            InetAddress newAddress = to.vmAddress();
            UdpEchoResponder udp = vm.call(() -> UdpEchoResponder.start(new InetSocketAddress(oldAddress, UDP_PORT)));
            resources.add(udp);
            resources.add(vm.call(() -> TcpEchoServer.start(TCP_PORT)));
            List<String> addresses = new ArrayList<>(List.of(oldAddress.getHostAddress()));
            String ipv6 = lab.port(Topology.VM).ipv6Address();
            if (ipv6 != null) {
                addresses.add(ipv6);
            }
            lab.exec("client", "ping", "-c", "1", "-W", "2", oldAddress.getHostAddress()).orThrow();

            LabOrchestrator orchestrator = new LabOrchestrator(lab, agents, Topology.VM, Topology.VM_MAC);
            orchestrator.warmUp(from, to, addresses);
            GuestPrograms programs = new GuestPrograms(lab);
            resources.add(programs);
            ShmGuest guest = programs.start(workload);
            Runnable renumbering = () -> { };
            if (wan) {
                Renumbering.Change change = new Renumbering(lab, vmInterface).change(from, to);
                resources.add(change);
                renumbering = change;
            }
            List<String> newAddresses = new ArrayList<>();
            if (wan) {
                newAddresses.addAll(addresses);
                newAddresses.set(0, newAddress.getHostAddress());
            }
            String id = orchestrator.createCutover(from, to, addresses, newAddresses, wan ? VM_NAME : null,
                    Math.max(1, guest.pageCount() * guest.pageSize() >> 20), lab.switchPort(Topology.VM, to.bridge()));
            Hypervisor hypervisor = new Hypervisor(phase -> orchestrator.phase(from, id, phase), udp, timeline,
                    renumbering, to.bridge());
            resources.add(hypervisor);

            ClientProbes probes = ClientProbes.start(lab, new InetSocketAddress(oldAddress, UDP_PORT),
                    new InetSocketAddress(oldAddress, TCP_PORT), probeRate);
            resources.add(probes);
            Thread.sleep(settle.toMillis());

                        MigrationTarget target = destination.call(() -> MigrationTarget.listen(
                    new InetSocketAddress(to.underlay(), 0), programs.destination(),
                    MigrationTarget.DEFAULT_MAX_GUEST_BYTES, List.of(), end -> { }));
            resources.add(target);
            long dropsBefore = LabOrchestrator.pipelineDrops(lab);
            String secret = target.expect(guest.sizeBytes(), Duration.ofMinutes(2));
            LiveMigration migration = source.call(() -> LiveMigration.start(guest, target.localAddress(),
                    MigrationOptions.builder().maxBandwidth(MIGRATION_BANDWIDTH).secret(secret).build(),
                    List.of(hypervisor)));
            MigrationReport report = migration.result().toCompletableFuture().get(120, TimeUnit.SECONDS);
            hypervisor.activated().get(LabOrchestrator.STEP_LIMIT.toSeconds(), TimeUnit.SECONDS);
            Thread.sleep(settle.toMillis());
            UdpProbeResult seen = probes.stop();
            long switchDrops = LabOrchestrator.pipelineDrops(lab) - dropsBefore;
            String nameNow = wan ? DnsName.lookUp(lab, VM_NAME) : "";
            Map<String, Long> tunnelCounters = orchestrator.tunnelCounters(from, to, id);
            hypervisor.phase("completed");
            // the brownout: the agent completes the cutover once the tunnel's drain has ended
            LabOrchestrator.addAgentTimeline(timeline, orchestrator.awaitEnd(from, id, LabOrchestrator.STEP_LIMIT));
            long cutoverStart = hypervisor.switchoverNanos();
            long cutoverEnd = timeline.nanoTimeOf("tunnel.flush", "done");
            UdpProber.Gap gap = probes.addTo(timeline, cutoverStart, hypervisor.activatedNanos());
            return new DemoReport("namespace", wan ? "wan" : "lan", report.progress().downtime().toNanos() / 1e6, gap.millis(),
                    seen, probes.lostBetween(cutoverStart, cutoverEnd), udp.received(), switchDrops, null, false, probes.tcpAlive(),
                    probes.tcpExchanged(),
                    report.verifiedDigest() != 0, nameNow, tunnelCounters, timeline.entries(),
                    probes.heldDelayP99Millis(cutoverStart, hypervisor.activatedNanos()));
        }
    }

    /**
     * The hypervisor's side of the cutover, told the migration's phases: it pauses and resumes the VM, switches
     * its cables, and calls the source agent's phase hooks, in order, one at a time.
     */
    private final class Hypervisor implements CutoverListener, AutoCloseable {
        private final Consumer<String> phases;
        private final UdpEchoResponder vmService;
        private final Timeline timeline;
        private final Runnable renumber;
        private final String destinationBridge;
        /** The hypervisor's control thread, at the daemons' priority: ahead of the migration in this process. */
        private final ExecutorService hooks = Executors.newSingleThreadExecutor(
                ThreadPriority.niced(Executors.defaultThreadFactory(), LabAgents.NICENESS));
        private final CompletableFuture<Void> activated = new CompletableFuture<>();
        private volatile boolean ended;
        private volatile long switchoverNanos;
        private volatile long activatedNanos;

        /** @param phases reports a phase to the source's agent, returning when its steps are done */
        Hypervisor(Consumer<String> phases, UdpEchoResponder vmService, Timeline timeline, Runnable renumber,
                   String destinationBridge) {
            this.phases = phases;
            this.vmService = vmService;
            this.timeline = timeline;
            this.renumber = renumber;
            this.destinationBridge = destinationBridge;
        }

        @Override
        public java.util.concurrent.CompletionStage<Void> onEvent(CutoverEvent event) {
            return switch (event.stage()) {
                case SWITCHOVER -> {
                    switchoverNanos = event.nanoTime();
                    yield CompletableFuture.runAsync(() -> {
                        vmService.pause();
                        timeline.add("vm.pause", "done", null);
                        phase("switchover");
                    }, hooks);
                }
                case ACTIVATED -> {
                    activatedNanos = event.nanoTime();
                    yield CompletableFuture.runAsync(() -> {
                        timeline.add("vm.move", "start", null);
                        renumber.run();
                        // the controller's flows move with the cutover: no cached flows to purge
                        lab.switchCable(Topology.VM, destinationBridge);
                        vmService.resume();
                        timeline.add("vm.move", "done", null);
                        phase("activated");
                    }, hooks).whenComplete((ok, error) -> {
                        if (error == null) {
                            activated.complete(null);
                        } else {
                            activated.completeExceptionally(error);
                        }
                    });
                }
                case FAILED -> CompletableFuture.runAsync(() -> phase("failed"), hooks);
                default -> CompletableFuture.completedFuture(null);
            };
        }

        /** Reports {@code phase} to the source's agent; returns when its steps are done. */
        void phase(String phase) {
            if (phase.equals("completed") || phase.equals("failed")) {
                ended = true;
            }
            phases.accept(phase);
        }

        /** Completes when the VM runs at the destination and the agent's ACTIVATED steps are done. */
        CompletableFuture<Void> activated() {
            return activated;
        }

        long switchoverNanos() {
            return switchoverNanos;
        }

        long activatedNanos() {
            return activatedNanos;
        }

        /** Stops; a cutover that did not end is reported failed, so that the agent rolls its steps back. */
        @Override
        public void close() {
            hooks.shutdownNow();
            if (!ended) {
                phase("failed");
            }
        }
    }
}
