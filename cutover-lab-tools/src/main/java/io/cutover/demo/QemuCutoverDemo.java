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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

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
    private static final Logger LOG = LoggerFactory.getLogger(QemuCutoverDemo.class);
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
        if (lab.topology() != Topology.LAN) {
            throw new IllegalArgumentException("QEMU guests move on the LAN lab only, for now");
        }
        this.lab = lab;
        this.agents = agents;
        this.probeRate = probeRate;
        this.settle = settle;
    }

    public DemoReport run() throws Exception {
        Site from = new Site("hostA", "br-a", agents.underlay("hostA"), ADDRESS, null, null);
        Site to = new Site("hostB", "br-b", agents.underlay("hostB"), ADDRESS, null, null);
        Path run = Files.createDirectories(agents.dir().resolve("qemu"));
        Timeline timeline = new Timeline();
        List<AutoCloseable> resources = new ArrayList<>();
        ExecutorService hooks = Executors.newSingleThreadExecutor(
                ThreadPriority.niced(Executors.defaultThreadFactory(), LabAgents.NICENESS));
        resources.add(hooks::shutdownNow);
        try {
            GuestImage image = GuestImage.build();
            GuestSpec spec = spec(VM, "qvm-a", Files.createDirectories(run.resolve(from.host())), false);
            QemuGuest source = start(image, spec, from, resources);
            GuestSpec incomingSpec = spec(VM + "-in", "qvm-b", Files.createDirectories(run.resolve(to.host())), true);
            start(image, incomingSpec, to, resources);
            String address = spec.ipv4Address();
            registerEndpoint(spec, from, resources);
            awaitReachable(address);

            LabOrchestrator orchestrator = new LabOrchestrator(lab, agents, VM, spec.mac());
            orchestrator.registerTunnel(from, to, List.of(address), false);
            orchestrator.warmUp(from, to);
            String id = orchestrator.createCutover(from, to, List.of(address), List.of(), null, MEMORY_MIB,
                    incomingSpec.tap());
            Phases phases = new Phases(orchestrator, from, id);
            resources.add(phases);

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
                phases.report("activated");
                return nanos;
            }, hooks);
            long[] switchoverNanos = new long[1];
            long dropsBefore = orchestrator.pipelineDrops();
            HypervisorMigration migration = here.migrate(request, event -> note(timeline, event),
                    switchover -> CompletableFuture.runAsync(() -> {
                        switchoverNanos[0] = switchover.nanoTime();
                        timeline.addAt(switchover.nanoTime(), "vm.pause", "done", "QEMU's pre-switchover");
                        phases.report("switchover");
                    }, hooks));
            MigrationFigures figures = migration.result().toCompletableFuture()
                    .get(MIGRATION_LIMIT.toSeconds(), TimeUnit.SECONDS);
            long activatedNanos = activated.get(LabOrchestrator.STEP_LIMIT.toSeconds(), TimeUnit.SECONDS);
            Thread.sleep(settle.toMillis());
            UdpProbeResult seen = probes.stop();
            long switchDrops = orchestrator.pipelineDrops() - dropsBefore;
            Map<String, Long> tunnelCounters = orchestrator.tunnelCounters(from, to);
            phases.report("completed");
            LabOrchestrator.addAgentTimeline(timeline, orchestrator.cutover(from, id));
            long cutoverEnd = timeline.nanoTimeOf("tunnel.flush", "done");
            UdpProber.Gap gap = probes.addTo(timeline, switchoverNanos[0], activatedNanos);
            return new DemoReport(String.format(Locale.ROOT, "qemu tcg, %d MiB", MEMORY_MIB), "lan",
                    figures.downtime().map(Duration::toNanos).orElse(0L) / 1e6, gap.millis(), seen,
                    probes.lostBetween(switchoverNanos[0], cutoverEnd), null, switchDrops, probes.tcpAlive(),
                    probes.tcpExchanged(), null, "", tunnelCounters, timeline.entries());
        } finally {
            Collections.reverse(resources);
            for (AutoCloseable resource : resources) {
                try {
                    resource.close();
                } catch (Exception | Error e) {
                    LOG.warn("cannot close {}: {}", resource, e.toString(), e);
                }
            }
        }
    }

    /** A guest of the demo: its QMP socket in {@code dir} (one directory a host), its tap named {@code tap}. */
    private static GuestSpec spec(String name, String tap, Path dir, boolean incoming) {
        return GuestSpec.builder(name, ADDRESS).memoryMiB(MEMORY_MIB).udpEcho(ECHO_PORT).tcpEcho(ECHO_PORT).tap(tap)
                .qmpSocket(dir.resolve(VM + ".qmp")).incoming(incoming).build();
    }

    /** Starts the guest in the fabric's namespace and plugs its tap into {@code site}'s bridge. */
    private QemuGuest start(GuestImage image, GuestSpec spec, Site site, List<AutoCloseable> resources) {
        QemuGuest guest = QemuGuest.start(lab, Topology.FABRIC, image, spec);
        resources.add(guest);
        lab.vsctl("add-port", site.bridge(), guest.tap()).orThrow();
        resources.add(() -> lab.vsctl("--if-exists", "del-port", site.bridge(), guest.tap()));
        return guest;
    }

    /** Tells the controller where the guest is plugged, as a hypervisor's port binding does. */
    private void registerEndpoint(GuestSpec spec, Site site, List<AutoCloseable> resources) {
        ObjectNode endpoint = JsonNodeFactory.instance.objectNode().put("id", ENDPOINT_ID).put("name", VM)
                .put("network", SdnLabFabric.NETWORK).put("mac", spec.mac()).put("switchName", site.bridge())
                .put("port", spec.tap());
        endpoint.putArray("addresses").add(spec.ipv4Address());
        agents.controller().send("POST", "endpoints", endpoint).requireStatus(201);
        resources.add(() -> agents.controller().send("DELETE", "endpoints/" + VM, null).requireStatus(200, 404));
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

    /** The phases reported to the source's agent; a cutover that did not end is reported failed on close. */
    private static final class Phases implements AutoCloseable {
        private final LabOrchestrator orchestrator;
        private final Site from;
        private final String id;
        private volatile boolean ended;

        Phases(LabOrchestrator orchestrator, Site from, String id) {
            this.orchestrator = orchestrator;
            this.from = from;
            this.id = id;
        }

        void report(String phase) {
            if (phase.equals("completed") || phase.equals("failed")) {
                ended = true;
            }
            orchestrator.phase(from, id, phase);
        }

        @Override
        public void close() {
            if (!ended) {
                report("failed");
            }
        }
    }
}
