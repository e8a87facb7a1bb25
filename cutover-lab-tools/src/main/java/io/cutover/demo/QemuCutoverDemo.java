package io.cutover.demo;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cutover.agent.plan.Timeline;
import io.cutover.api.CutoverEvent;
import io.cutover.api.HypervisorMigration;
import io.cutover.api.MigrationFigures;
import io.cutover.api.MigrationRequest;
import io.cutover.lab.GuestImage;
import io.cutover.lab.GuestSpec;
import io.cutover.lab.Lab;
import io.cutover.lab.QemuGuest;
import io.cutover.lab.Topology;
import io.cutover.qemu.IncomingMigration;
import io.cutover.qemu.QemuHypervisor;
import io.cutover.support.ThreadPriority;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A cutover of a real guest on the LAN lab: a QEMU virtual machine (a Debian kernel, the lab's echo program) on
 * host A's bridge moves to host B's by QEMU's own migration, driven over QMP, while the client probes its kernel
 * and holds a TCP connection to it. Pausing it stops everything it does: what reaches it during the blackout is
 * answered only if the network held it.
 *
 * <p>This class is the orchestrator. The source's QEMU pauses at {@code pre-switchover}; the gate reports the
 * switchover to the source's agent (the tunnel holds, the source's switch redirects) and QEMU then finishes; the
 * destination QEMU's RESUME is reported as the activation (the controller commits, the agent announces, the tunnel
 * flushes); QEMU's {@code completed} ends the cutover. The lab's switches run in its fabric namespace, where
 * Open vSwitch's userspace datapath takes taps: both QEMUs run there, their taps on {@code br-a} and {@code br-b},
 * and the migration stream goes over a Unix socket rather than the hosts' underlay.
 */
public final class QemuCutoverDemo {
    /** The guest's name: its QMP socket, its endpoint at the controller, its move at the tunnel daemons. */
    static final String VM = "qvm";
    /** The guest's address on the LAN lab, beside the namespace VM's. */
    static final String ADDRESS = "198.18.0.101/24";
    /** The guest's UDP and TCP echo port. */
    static final int ECHO_PORT = 7;
    static final int MEMORY_MIB = 128;
    /** The guest's endpoint id at the controller, after the lab's own hosts. */
    private static final int ENDPOINT_ID = 50;
    private static final Duration MIGRATION_LIMIT = Duration.ofMinutes(3);

    private final Lab lab;
    private final LabAgents agents;
    private final int probeRate;
    private final Duration settle;

    /**
     * @param lab       a LAN lab
     * @param agents    the lab's daemons
     * @param probeRate client probes per second
     * @param settle    how long the client probes before the migration starts and after it ends
     */
    public QemuCutoverDemo(Lab lab, LabAgents agents, int probeRate, Duration settle) {
        this(lab, probeRate, settle, Objects.requireNonNull(agents, "agents"));
    }

    /** @param agents the lab's daemons, or null for no network steps */
    private QemuCutoverDemo(Lab lab, int probeRate, Duration settle, LabAgents agents) {
        if (lab.topology() != Topology.LAN) {
            throw new IllegalArgumentException("QEMU guests move on the LAN lab only, for now");
        }
        this.lab = lab;
        this.agents = agents;
        this.probeRate = probeRate;
        this.settle = settle;
    }

    /**
     * The same move on a lab whose bridges are learning switches with no controller and no agents: no step of the
     * network's, only QEMU's own RARPs after RESUME. What the cutover is measured against.
     */
    public static QemuCutoverDemo withoutNetworkSteps(Lab lab, int probeRate, Duration settle) {
        return new QemuCutoverDemo(lab, probeRate, settle, null);
    }

    public DemoReport run() throws Exception {
        Site from = new Site("hostA", "br-a", underlay("hostA"), ADDRESS, null, null);
        Site to = new Site("hostB", "br-b", underlay("hostB"), ADDRESS, null, null);
        Path run = Files.createDirectories(lab.dir().resolve("qemu-demo"));
        Timeline timeline = new Timeline();
        try (Resources resources = new Resources()) {
            ExecutorService hooks = Executors.newSingleThreadExecutor(
                    ThreadPriority.niced(Executors.defaultThreadFactory(), LabAgents.NICENESS));
            resources.add(hooks::shutdownNow);
            GuestImage image = GuestImage.build();
            GuestSpec spec = spec(VM, "qvm-a", Files.createDirectories(run.resolve(from.host())), false);
            QemuGuest source = start(image, spec, from, resources);
            GuestSpec incomingSpec = spec(VM + "-in", "qvm-b", Files.createDirectories(run.resolve(to.host())), true);
            start(image, incomingSpec, to, resources);
            String address = spec.ipv4Address();
            NetworkSide network = agents == null ? new LearningBridges()
                    : new CutoverSteps(new LabOrchestrator(lab, agents, VM, spec.mac()), from, to);
            resources.add(network);
            String id = network.prepare(spec, incomingSpec, resources);
            awaitReachable(address);

            ClientProbes probes = ClientProbes.start(lab, new InetSocketAddress(address, ECHO_PORT),
                    new InetSocketAddress(address, ECHO_PORT), probeRate);
            resources.add(probes);
            Thread.sleep(settle.toMillis());

            QemuHypervisor here = new QemuHypervisor(source.qmpSocket().getParent());
            resources.add(here);
            QemuHypervisor there = new QemuHypervisor(run.resolve(to.host()));
            resources.add(there);
            MigrationRequest request = new MigrationRequest(id, VM, "unix:" + run.resolve(VM + ".migrate"),
                    Optional.empty(), Optional.empty(), 1, false, false);
            IncomingMigration incoming = there.prepareIncoming(request, request.destination());
            resources.add(incoming);
            CompletableFuture<Long> activated = incoming.activated().thenApplyAsync(nanos -> {
                timeline.addAt(nanos, "vm.resume", "done", "QEMU's RESUME at the destination");
                network.phase("activated");
                return nanos;
            }, hooks);
            AtomicLong switchoverNanos = new AtomicLong();
            long dropsBefore = LabOrchestrator.pipelineDrops(lab);
            HypervisorMigration migration = here.migrate(request, event -> note(timeline, event),
                    switchover -> CompletableFuture.runAsync(() -> {
                        switchoverNanos.set(switchover.nanoTime());
                        timeline.addAt(switchover.nanoTime(), "vm.pause", "done", "QEMU's pre-switchover");
                        network.phase("switchover");
                    }, hooks));
            MigrationFigures figures = migration.result().toCompletableFuture()
                    .get(MIGRATION_LIMIT.toSeconds(), TimeUnit.SECONDS);
            long activatedNanos = activated.get(LabOrchestrator.STEP_LIMIT.toSeconds(), TimeUnit.SECONDS);
            Thread.sleep(settle.toMillis());
            UdpProbeResult seen = probes.stop();
            long switchDrops = LabOrchestrator.pipelineDrops(lab) - dropsBefore;
            Map<String, Long> tunnelCounters = network.tunnelCounters();
            network.phase("completed");
            network.addTimeline(timeline);
            UdpProber.Gap gap = probes.addTo(timeline, switchoverNanos.get(), activatedNanos);
            long cutoverEnd = agents == null ? gap.toNanos() : timeline.nanoTimeOf("tunnel.flush", "done");
            return new DemoReport(String.format(Locale.ROOT, "qemu tcg, %d MiB%s", MEMORY_MIB,
                    agents == null ? ", no network steps" : ""), "lan",
                    figures.downtime().map(Duration::toNanos).orElse(0L) / 1e6, gap.millis(), seen,
                    probes.lostBetween(switchoverNanos.get(), cutoverEnd), null, switchDrops, probes.tcpAlive(),
                    probes.tcpExchanged(), null, "", tunnelCounters, timeline.entries());
        }
    }

    private String underlay(String host) {
        return agents == null ? null : agents.underlay(host);
    }

    /** A guest of the demo: its QMP socket in {@code dir} (one directory a host), its tap named {@code tap}. */
    private static GuestSpec spec(String name, String tap, Path dir, boolean incoming) {
        return GuestSpec.builder(name, ADDRESS).memoryMiB(MEMORY_MIB).udpEcho(ECHO_PORT).tcpEcho(ECHO_PORT).tap(tap)
                .qmpSocket(dir.resolve(VM + ".qmp")).incoming(incoming).build();
    }

    /** Starts the guest in the fabric's namespace and plugs its tap into {@code site}'s bridge. */
    private QemuGuest start(GuestImage image, GuestSpec spec, Site site, Resources resources) {
        QemuGuest guest = QemuGuest.start(lab, Topology.FABRIC, image, spec);
        resources.add(guest);
        lab.vsctl("add-port", site.bridge(), guest.tap()).orThrow();
        resources.add(() -> lab.vsctl("--if-exists", "del-port", site.bridge(), guest.tap()));
        return guest;
    }

    /** Waits until the client reaches the guest (its flows are in place, it answers ARP). */
    private void awaitReachable(String address) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!lab.exec("client", "ping", "-c", "1", "-W", "1", address).ok()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the client cannot reach the guest at " + address);
            }
            Thread.sleep(100);
        }
    }

    private static CompletableFuture<Void> note(Timeline timeline, CutoverEvent event) {
        timeline.addAt(event.nanoTime(), "qemu." + event.stage().name().toLowerCase(Locale.ROOT), "stage",
                event.round() > 0 ? "pass " + event.round() : "");
        return CompletableFuture.completedFuture(null);
    }

    /** What the network does around the move. */
    private interface NetworkSide extends AutoCloseable {
        /** Readies the network for the guest and its move; returns the migration's id. */
        String prepare(GuestSpec guest, GuestSpec incoming, Resources resources);

        /** The migration reached {@code phase}: switchover, activated, completed. */
        void phase(String phase);

        Map<String, Long> tunnelCounters();

        /** Adds what the network did to the demo's timeline. */
        void addTimeline(Timeline timeline);
    }

    /**
     * The cutover's steps through the lab's agents: the guest's endpoint registered at the controller (as a
     * hypervisor's port binding does), the tunnel's move registered, the cutover created at the source's agent and
     * its phases reported; a cutover that did not end is reported failed on close.
     */
    private final class CutoverSteps implements NetworkSide {
        private final LabOrchestrator orchestrator;
        private final Site from;
        private final Site to;
        private String id;
        private volatile boolean ended = true;

        CutoverSteps(LabOrchestrator orchestrator, Site from, Site to) {
            this.orchestrator = orchestrator;
            this.from = from;
            this.to = to;
        }

        @Override
        public String prepare(GuestSpec guest, GuestSpec incoming, Resources resources) {
            ObjectNode endpoint = JsonNodeFactory.instance.objectNode().put("id", ENDPOINT_ID).put("name", VM)
                    .put("network", SdnLabFabric.NETWORK).put("mac", guest.mac())
                    .put("switch", SdnLabFabric.dpid(lab, from.bridge()).toString())
                    .put("port", guest.tap());
            endpoint.putArray("addresses").add(guest.ipv4Address());
            agents.controller().send("POST", "endpoints", endpoint).requireStatus(201);
            resources.add(() -> agents.controller().send("DELETE", "endpoints/" + VM, null).requireStatus(200, 404));
            List<String> addresses = List.of(guest.ipv4Address());
            orchestrator.registerTunnel(from, to, addresses, false);
            orchestrator.warmUp(from, to);
            id = orchestrator.createCutover(from, to, addresses, List.of(), null, MEMORY_MIB, incoming.tap());
            ended = false;
            return id;
        }

        @Override
        public void phase(String phase) {
            if (phase.equals("completed") || phase.equals("failed")) {
                ended = true;
            }
            orchestrator.phase(from, id, phase);
        }

        @Override
        public Map<String, Long> tunnelCounters() {
            return orchestrator.tunnelCounters(from, to);
        }

        @Override
        public void addTimeline(Timeline timeline) {
            LabOrchestrator.addAgentTimeline(timeline, orchestrator.cutover(from, id));
        }

        @Override
        public void close() {
            if (!ended) {
                phase("failed");
            }
        }
    }

    /**
     * No network steps: the lab's bridges stay learning switches and learn the guest's new port from QEMU's own
     * RARPs after RESUME, as a hypervisor host without cutover does. The baseline.
     */
    private static final class LearningBridges implements NetworkSide {
        @Override
        public String prepare(GuestSpec guest, GuestSpec incoming, Resources resources) {
            return "baseline-" + guest.name();
        }

        @Override
        public void phase(String phase) {
        }

        @Override
        public Map<String, Long> tunnelCounters() {
            return Map.of();
        }

        @Override
        public void addTimeline(Timeline timeline) {
        }

        @Override
        public void close() {
        }
    }
}
