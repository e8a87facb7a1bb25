package io.cutover.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cutover.agent.plan.Timeline;
import io.cutover.agent.plan.TimelineEntry;
import io.cutover.lab.GuestImage;
import io.cutover.lab.GuestSpec;
import io.cutover.lab.Lab;
import io.cutover.lab.QemuGuest;
import io.cutover.lab.Topology;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A host evacuation of real guests: {@code guests} QEMU virtual machines (the smallest the lab boots
 * reliably, {@value #MEMORY_MIB} MiB) on host A's br-int, each with its incoming QEMU waiting on host B's, evacuated by host A's agent
 * ({@code POST /v1/evacuations}) with at most {@code parallel} cutovers at once, QEMU migrating each over QMP as in
 * {@link QemuCutoverDemo}; the client probes every guest's kernel and holds a TCP connection to each meanwhile. The
 * demo plays the orchestrator: it starts the guests, registers their endpoints at the controller and names them in the
 * evacuation (the agent keeps no inventory of its VMs). Needs the lab's agents started with {@link
 * LabAgents.GuestPorts#HOST_SWITCHES}, on the LAN lab.
 *
 * <p>{@link #withoutNetworkSteps} moves the same guests by QEMU alone, at most {@code parallel} at once, on a LAN lab
 * with no controller and no agents (its bridges learning switches), as {@link QemuCutoverDemo#withoutNetworkSteps} does
 * one guest: the baseline.
 */
public final class QemuEvacuationDemo {
    /**
     * The smallest guest the lab boots reliably: the lab's default. At {@link GuestSpec#MIN_MEMORY_MIB} (64 MiB) QEMU
     * exited before the kernel wrote a line.
     */
    public static final int MEMORY_MIB = GuestSpec.DEFAULT_MEMORY_MIB;
    /** The first guest's host number in the LAN's subnet (the others follow), apart from the other demos' guests. */
    private static final int FIRST_HOST_NUMBER = 110;
    /** The first guest's endpoint id at the controller. */
    private static final int FIRST_ENDPOINT_ID = 60;
    private static final Duration EVACUATION_LIMIT = Duration.ofMinutes(5);
    public static final int MAX_GUESTS = 16;
    /** A move's outcome when the guest runs at its destination, as the agent says it. */
    static final String COMPLETED = "COMPLETED";
    /** The baseline's id, and its failed moves' outcome. */
    private static final String QEMU_ALONE = "qemu-alone";
    private static final String FAILED = "FAILED";
    /** The field each move of an evacuation gets: when it ran at its destination, from the evacuation's start. */
    private static final String RUNNING_AFTER = "runningAfterMs";

    private final Lab lab;
    /** The lab's daemons, or null: no network steps, QEMU alone moves the guests. */
    private final LabAgents agents;
    private final int guests;
    private final int parallel;
    private final int probeRate;
    private final Duration settle;

    /**
     * @param guests    how many guests host A runs, 1 to {@value #MAX_GUESTS}
     * @param parallel  cutovers at once
     * @param probeRate client probes per second, to each guest
     * @param settle    how long the client probes before the evacuation starts and after it ends
     */
    public QemuEvacuationDemo(Lab lab, LabAgents agents, int guests, int parallel, int probeRate, Duration settle) {
        this(lab, guests, parallel, probeRate, settle, agents);
        if (agents.guests() != LabAgents.GuestPorts.HOST_SWITCHES) {
            throw new IllegalArgumentException("an evacuation of QEMU guests needs the lab's agents started with "
                    + "GuestPorts.HOST_SWITCHES");
        }
    }

    /**
     * The same guests moved by QEMU alone over QMP ({@link QemuCutoverDemo#QEMU_ALONE_PROCEDURE}), at most {@code
     * parallel} at once, on a LAN lab with no controller and no agents: its bridges learn each guest's new port from
     * QEMU's own RARPs. What the evacuation is measured against.
     */
    public static QemuEvacuationDemo withoutNetworkSteps(Lab lab, int guests, int parallel, int probeRate,
                                                         Duration settle) {
        return new QemuEvacuationDemo(lab, guests, parallel, probeRate, settle, null);
    }

    private QemuEvacuationDemo(Lab lab, int guests, int parallel, int probeRate, Duration settle, LabAgents agents) {
        if (lab.topology() != Topology.LAN) {
            throw new IllegalArgumentException("an evacuation of QEMU guests runs on the LAN lab");
        }
        if (guests < 1 || guests > MAX_GUESTS) {
            throw new IllegalArgumentException("guests: 1 to " + MAX_GUESTS + ", not " + guests);
        }
        if (parallel < 1 || parallel > MAX_GUESTS) {
            throw new IllegalArgumentException("parallel: 1 to " + MAX_GUESTS + ", not " + parallel);
        }
        this.lab = lab;
        this.agents = agents;
        this.guests = guests;
        this.parallel = parallel;
        this.probeRate = probeRate;
        this.settle = settle;
    }

    /**
     * How one guest's move went.
     *
     * @param vm          the guest's name
     * @param destination where the evacuation sent it
     * @param outcome     its move's outcome at the agent ({@code COMPLETED}, {@code ROLLED_BACK}, ...)
     * @param failure     why it did not complete, or empty
     * @param durationMs  its cutover's time, creation to end
     * @param downtimeMs  QEMU's downtime of it, or -1 when not reported
     * @param udp         what the client's probes to it saw over the whole run
     * @param tcpSurvived whether the client's TCP connection to it survived
     * @param runsThere   whether its QEMU at the destination runs (QMP's status) and the client's ping reaches it after
     * @param runningAfterMs from the evacuation's start until the guest ran at its destination (its RESUME there:
     *                    ACTIVATED at the agent), or -1 if it did not
     * @param crashed     whether its QEMU where it should run (the destination's once moved, else the source's) had
     *                    exited by the end ({@link QemuCutoverDemo#crashed})
     * @param kernelLog   the guest's last console lines when it lost probes or crashed, else empty
     * @param timeline    its move: its cutover's stages and steps as the agent timed them, or QEMU's stages and the
     *                    pause and resume without network steps; from about the evacuation's start
     */
    public record VmReport(String vm, String destination, String outcome, String failure, long durationMs,
                           long downtimeMs, UdpProbeResult udp, boolean tcpSurvived, boolean runsThere,
                           long runningAfterMs, boolean crashed, String kernelLog, List<TimelineEntry> timeline) {
    }

    /**
     * The evacuation as it went.
     *
     * @param id         its id at host A's agent ({@code qemu-alone} without network steps)
     * @param durationMs from its start to its last move's end, as the agent measured it (without network steps: from
     *                   the first {@code migrate} to the last guest's RESUME at the destination, as the demo measured)
     * @param vms        each guest's move, in the order they were named
     */
    public record Report(String id, long durationMs, List<VmReport> vms) {
        /** Probes lost, over every guest. */
        public long lost() {
            return vms.stream().mapToLong(vm -> vm.udp().lost()).sum();
        }

        public long completed() {
            return vms.stream().filter(vm -> vm.outcome().equals(COMPLETED)).count();
        }

        /**
         * From the evacuation's start until the last guest ran at its destination, or -1 if none did: the part of
         * {@link #durationMs} before the network's last steps (flushes, drains).
         */
        public long lastRunningMs() {
            return vms.stream().mapToLong(VmReport::runningAfterMs).max().orElse(-1);
        }

        /** Guests whose QEMU had exited by the end: their kernels panicked. */
        public long crashed() {
            return vms.stream().filter(VmReport::crashed).count();
        }
    }

    public Report run() throws Exception {
        Site from = Site.of(lab, "hostA", Topology.HOST_BRIDGE, lab.topology().underlay("hostA"), "rtrA");
        Site to = Site.of(lab, "hostB", Topology.HOST_BRIDGE, lab.topology().underlay("hostB"), "rtrB");
        GuestImage image = GuestImage.build();
        try (Resources resources = new Resources()) {
            List<Guest> started = new ArrayList<>();
            for (int i = 1; i <= guests; i++) {
                started.add(start(image, i, from, to, resources));
            }
            for (Guest guest : started) {
                LabGuestPorts.awaitReachable(lab, guest.spec().ipv4Address());
            }
            Guest first = started.get(0);
            if (agents != null) {
                new LabOrchestrator(lab, agents, first.spec().name(), first.spec().mac())
                        .warmUp(from, to, List.of(first.spec().ipv4Address()));
            }
            List<ClientProbes> probes = new ArrayList<>();
            for (Guest guest : started) {
                InetSocketAddress echo = new InetSocketAddress(guest.spec().ipv4Address(), QemuCutoverDemo.ECHO_PORT);
                probes.add(resources.add(ClientProbes.start(lab, echo, echo, probeRate)));
            }
            Thread.sleep(settle.toMillis());
            List<Timeline> timelines = new ArrayList<>();
            started.forEach(guest -> timelines.add(new Timeline()));
            JsonNode evacuation = agents != null ? evacuate(started, from, to, timelines)
                    : byQemuAlone(started, to, timelines);
            Thread.sleep(settle.toMillis());
            List<VmReport> reports = new ArrayList<>();
            for (int i = 0; i < started.size(); i++) {
                Guest guest = started.get(i);
                UdpProbeResult seen = probes.get(i).stop();
                JsonNode move = evacuation.path("vms").get(i);
                boolean completed = move.path("outcome").asText().equals(COMPLETED);
                boolean runsThere = QemuCutoverDemo.status(guest.incoming()).equals("running")
                        && lab.exec("client", "ping", "-c", "1", "-W", "2", guest.spec().ipv4Address()).ok();
                QemuGuest runs = completed ? guest.incoming() : guest.source();
                boolean crashed = QemuCutoverDemo.crashed(runs);
                reports.add(new VmReport(guest.spec().name(), move.path("destination").asText(),
                        move.path("outcome").asText(), move.path("failure").asText(""),
                        move.path("durationMs").asLong(), move.path("downtimeMs").asLong(-1), seen,
                        probes.get(i).tcpAlive(), runsThere, move.path(RUNNING_AFTER).asLong(-1), crashed,
                        seen.lost() > 0 || crashed ? QemuCutoverDemo.kernelLog(runs) : "", timelines.get(i).entries()));
            }
            return new Report(evacuation.path("id").asText(), evacuation.path("durationMs").asLong(), reports);
        }
    }

    /**
     * Evacuates host A to host B at its agent and waits for the end; returns the evacuation as the agent reports it,
     * and puts each guest's cutover, as the agent timed it, on its timeline.
     */
    private JsonNode evacuate(List<Guest> started, Site from, Site to, List<Timeline> timelines)
            throws InterruptedException {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("source", from.host()).put("parallel", parallel);
        body.putArray("destinations").add(to.host());
        ArrayNode vms = body.putArray("vms");
        for (Guest guest : started) {
            ObjectNode vm = vms.addObject().put("vm", guest.spec().name()).put("mac", guest.spec().mac())
                    .put("memoryMiB", MEMORY_MIB).put("destinationPort", guest.incoming().tap());
            vm.putArray("addresses").add(guest.spec().ipv4Address());
            vm.putObject("migrator").putObject("qemu").put("uri", "tcp:" + to.underlay() + ":" + guest.migrationPort());
        }
        long start = System.nanoTime();
        JsonNode evacuation = agents.agent(from.host()).send("POST", "evacuations", body, LabOrchestrator.STEP_LIMIT)
                .requireStatus(202).body();
        String id = evacuation.path("id").asText();
        long deadline = System.nanoTime() + EVACUATION_LIMIT.toNanos();
        while (!evacuation.path("ended").asBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("evacuation " + id + " did not end within " + EVACUATION_LIMIT + ": "
                        + evacuation);
            }
            Thread.sleep(100);
            evacuation = agents.agent(from.host()).send("GET", "evacuations/" + id, null).requireStatus(200).body();
        }
        for (int i = 0; i < started.size(); i++) {
            String cutover = evacuation.path("vms").get(i).path("cutover").asText("");
            if (cutover.isEmpty()) {
                continue;
            }
            Timeline timeline = timelines.get(i);
            LabOrchestrator.addAgentTimeline(timeline, agents.agent(from.host()).send("GET", "cutovers/" + cutover,
                    null).requireStatus(200).body());
            timeline.addAt(start, "evacuation", "start", "POST /v1/evacuations");
            ObjectNode vm = (ObjectNode) evacuation.path("vms").get(i);
            timeline.entries().stream().filter(e -> e.what().equals("ACTIVATED") && e.event().equals("stage"))
                    .findFirst().ifPresent(activated -> vm.put(RUNNING_AFTER,
                            (timeline.originNanos() + activated.atMicros() * 1_000 - start) / 1_000_000));
        }
        return evacuation;
    }

    /**
     * Moves every guest by QEMU alone ({@link QemuCutoverDemo#byQemuAlone}), at most {@code parallel} at once, and
     * waits for the last; returns the moves in the agent's form of an evacuation, timed by the demo.
     */
    private JsonNode byQemuAlone(List<Guest> started, Site to, List<Timeline> timelines) throws InterruptedException {
        ObjectNode evacuation = JsonNodeFactory.instance.objectNode().put("id", QEMU_ALONE);
        ArrayNode vms = evacuation.putArray("vms");
        ExecutorService movers = Executors.newFixedThreadPool(parallel);
        try {
            long start = System.nanoTime();
            long deadline = start + EVACUATION_LIMIT.toNanos();
            List<Future<TimedMove>> moves = new ArrayList<>();
            for (int i = 0; i < started.size(); i++) {
                Guest guest = started.get(i);
                Timeline timeline = timelines.get(i);
                timeline.addAt(start, "evacuation", "start", "the first migrate's turn");
                moves.add(movers.submit(() -> {
                    try (Resources qmp = new Resources()) {
                        long began = System.nanoTime();
                        timeline.addAt(began, "move", "start", "its turn came");
                        return new TimedMove(began, QemuCutoverDemo.byQemuAlone(guest.spec().name(),
                                guest.spec().qmpSocket().orElseThrow().getParent(),
                                guest.incoming().qmpSocket().getParent(),
                                "tcp:" + to.underlay() + ":" + guest.migrationPort(), timeline, qmp));
                    }
                }));
            }
            long end = start;
            for (int i = 0; i < started.size(); i++) {
                ObjectNode vm = vms.addObject().put("vm", started.get(i).spec().name()).put("destination", to.host());
                try {
                    TimedMove move = moves.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    end = Math.max(end, move.moved().activatedNanos());
                    vm.put("outcome", COMPLETED)
                            .put("durationMs", (move.moved().activatedNanos() - move.startNanos()) / 1_000_000)
                            .put("downtimeMs", Math.round(move.moved().downtimeMillis()))
                            .put(RUNNING_AFTER, (move.moved().activatedNanos() - start) / 1_000_000);
                } catch (ExecutionException | TimeoutException e) {
                    end = Math.max(end, System.nanoTime());
                    vm.put("outcome", FAILED).put("failure", String.valueOf(e.getCause() != null ? e.getCause() : e));
                }
            }
            return evacuation.put("durationMs", (end - start) / 1_000_000);
        } finally {
            movers.shutdownNow();
        }
    }

    /**
     * Guest {@code n}: its QEMU on host A and its incoming QEMU on host B, both plugged into their host's br-int, their
     * QMP sockets where the hosts' agents look; its endpoint registered at the controller (when there are agents).
     */
    private Guest start(GuestImage image, int n, Site from, Site to, Resources resources) throws Exception {
        String name = "qvm-e" + n;
        String lanCidr = lab.port(Topology.VM).ipv4();
        String cidr = lanCidr.substring(0, lanCidr.lastIndexOf('.') + 1) + (FIRST_HOST_NUMBER + n - 1)
                + lanCidr.substring(lanCidr.indexOf('/'));
        GuestSpec spec = spec(name, "qe" + n + "-a", cidr, from, false);
        QemuGuest source = resources.add(QemuGuest.start(lab, from.host(), image, spec));
        LabGuestPorts.plug(lab, from.host(), source.tap(), resources);
        QemuGuest incoming = resources.add(QemuGuest.start(lab, to.host(), image,
                spec(name, "qe" + n + "-b", cidr, to, true).toBuilder().mac(spec.mac()).build()));
        LabGuestPorts.plug(lab, to.host(), incoming.tap(), resources);
        Guest guest = new Guest(spec, source, incoming, QemuCutoverDemo.MIGRATION_PORT + n - 1);
        if (agents == null) {
            return guest;
        }
        ObjectNode endpoint = JsonNodeFactory.instance.objectNode().put("id", FIRST_ENDPOINT_ID + n - 1)
                .put("name", name).put("network", SdnLabFabric.NETWORK).put("mac", spec.mac())
                .put("switch", lab.hostSwitch(from.host()).datapathId()).put("port", spec.tap());
        endpoint.putArray("addresses").add(spec.ipv4Address());
        agents.controller().send("POST", "endpoints", endpoint).requireStatus(201);
        resources.add(() -> agents.controller().send("DELETE", "endpoints/" + name, null).requireStatus(200, 404));
        return guest;
    }

    private GuestSpec spec(String name, String tap, String cidr, Site site, boolean incoming) throws Exception {
        return GuestSpec.builder(incoming ? name + "-in" : name, cidr).memoryMiB(MEMORY_MIB)
                .udpEcho(QemuCutoverDemo.ECHO_PORT).tcpEcho(QemuCutoverDemo.ECHO_PORT).tap(tap).incoming(incoming)
                .qmpSocket(Files.createDirectories(socketDir(site)).resolve(name + ".qmp")).build();
    }

    /** Where {@code site}'s guests keep their QMP sockets: where its agent looks, if there are agents. */
    private Path socketDir(Site site) {
        return agents != null ? agents.qemuSocketDir(site.host())
                : lab.dir().resolve("qemu-evacuation").resolve(site.host()).toAbsolutePath();
    }

    /** A move by QEMU alone and when it began (its turn came). */
    private record TimedMove(long startNanos, QemuCutoverDemo.Moved moved) {
    }

    /** A guest ready to move: its spec, its QEMU, its incoming QEMU and the port that one takes the stream on. */
    private record Guest(GuestSpec spec, QemuGuest source, QemuGuest incoming, int migrationPort) {
    }
}
