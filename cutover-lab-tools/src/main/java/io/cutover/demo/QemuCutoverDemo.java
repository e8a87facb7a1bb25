package io.cutover.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cutover.agent.plan.Timeline;
import io.cutover.agent.steps.TunnelSteps;
import io.cutover.api.CutoverEvent;
import io.cutover.api.HypervisorMigration;
import io.cutover.api.MigrationFigures;
import io.cutover.api.MigrationRequest;
import io.cutover.lab.GuestImage;
import io.cutover.lab.GuestSpec;
import io.cutover.lab.Lab;
import io.cutover.lab.Libvirtd;
import io.cutover.lab.QemuGuest;
import io.cutover.lab.Topology;
import io.cutover.qemu.IncomingMigration;
import io.cutover.qemu.QemuHypervisor;
import io.cutover.qemu.QmpClient;
import io.cutover.agent.plan.TimelineEntry;

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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A cutover of a real guest: a QEMU virtual machine (a Debian kernel, the lab's echo program) on host A's bridge
 * moves to host B's by QEMU's own migration, while the client probes its kernel and holds a TCP connection to it.
 * Pausing it stops everything it does: what reaches it during the blackout is answered only if the network held it.
 *
 * <p>On the WAN lab the guest also changes subnet. It keeps its old address while the client uses it: the source's
 * forwarder answers for that address at site A and tunnels what arrives for it to host B, whose forwarder delivers it
 * to the guest, and the guest answers through site B's router (the sites' routers share an anycast gateway MAC,
 * {@link Topology#GATEWAY_MAC}, so the gateway it knew is there too). Once it runs at site B the demo gives it its new
 * address over its console, as DHCP or a guest agent would ({@link QemuGuest#renumber}); the agents switch its DNS
 * name ({@value #NAME}) to that address after the flush.
 *
 * <p>The demo plays the orchestrator as Nova or libvirt would: it starts the guest and the destination's incoming QEMU
 * ({@code -incoming defer}), their QMP sockets where each host's agent looks for them, and creates the cutover at the
 * source's agent with QEMU as its migrator. The agents do the rest over QMP: the source's pauses the guest at {@code
 * pre-switchover}, runs the switchover's steps (the tunnel holds, the source's switch redirects) and lets QEMU finish;
 * the destination's reports the guest's RESUME (the controller commits, the agent announces, the tunnel flushes).
 * Each QEMU runs in its host's namespace, its tap on the host's own {@code br-int} (the agents started with {@link
 * LabAgents.GuestPorts#HOST_SWITCHES}), and the migration stream crosses the hosts' underlay over TCP, as between two
 * hypervisors.
 *
 * <p>With {@link Orchestrator#LIBVIRT} the demo plays Nova instead: each host's libvirtd runs the guest ({@link
 * LibvirtScene}), the demo creates the cutover naming the libvirt domain and moves the guest with {@code virsh migrate
 * --live}; the agents only follow libvirt's lifecycle events, and the timeline carries QEMU's own STOP and RESUME from
 * libvirtd's logs beside them.
 */
public final class QemuCutoverDemo {
    /** The guest's name: its QMP socket, its endpoint at the controller, its move at the tunnel daemons. */
    static final String VM = "qvm";
    /** The guest's host number in its subnet, beside the namespace VM's ({@code .100}). */
    static final int HOST_NUMBER = 101;
    /** The guest's DNS name on the WAN lab, which its cutover switches to its new address. */
    static final String NAME = VM + "." + Topology.ZONE;
    /** How long the guest may take to take its new address after a move across sites. */
    private static final Duration RENUMBER_LIMIT = Duration.ofSeconds(20);
    /** How long the guest may take to answer a command on its console. */
    private static final Duration CONSOLE_LIMIT = Duration.ofSeconds(20);
    /** The guest's UDP and TCP echo port. */
    static final int ECHO_PORT = 7;
    static final int MEMORY_MIB = 128;
    /** The guest's endpoint id at the controller, after the lab's own hosts. */
    private static final int ENDPOINT_ID = 50;
    private static final Duration MIGRATION_LIMIT = Duration.ofMinutes(3);
    /**
     * How long a guest resumed after a pause may take to answer everything again: under TCG it runs slowly for a
     * while after the resume, and probes sent just after it queue behind the burst its tap queued while it was paused.
     */
    public static final Duration RESUME_SETTLING = Duration.ofMillis(300);
    /** The destination QEMU's migration port on its host's underlay address. */
    static final int MIGRATION_PORT = 49152;
    /** The stream's cap for a failing move: pre-copy takes seconds, time enough to inject a fault. */
    private static final String SLOW_STREAM = "10m";

    /** The libvirt guest's tap, one name on both hosts (libvirt keeps the domain's XML across the move). */
    static final String LIBVIRT_TAP = "qvm-t";
    /** The hosts the guest moves from and to. */
    private static final String FROM = "hostA";
    private static final String TO = "hostB";
    /** The stream's cap for a failing libvirt move, in MiB/s. */
    private static final int SLOW_LIBVIRT_STREAM = 1;

    /** Who moves the guest. */
    public enum Orchestrator {
        /** The agents drive QEMU over QMP; the source's holds the guest at {@code pre-switchover} for the steps. */
        QMP,
        /**
         * libvirt runs the guests and migrates them ({@code virsh migrate --live}, as the demo does in the place of
         * Nova); the agents follow each host's libvirtd's lifecycle events. Needs a libvirtd on each host ({@code
         * cutover lab up --libvirt}).
         */
        LIBVIRT;

        /** {@code qmp} or {@code libvirt}, in any case. */
        public static Orchestrator parse(String text) {
            for (Orchestrator each : values()) {
                if (each.name().equalsIgnoreCase(text)) {
                    return each;
                }
            }
            throw new IllegalArgumentException("orchestrator: expected qmp or libvirt, not '" + text + "'");
        }
    }

    private final Lab lab;
    private final LabAgents agents;
    private final int probeRate;
    private final Duration settle;
    private final Orchestrator orchestrator;

    /**
     * @param lab       a LAN or WAN lab
     * @param agents    the lab's daemons, started for guests on the hosts' own switches
     * @param probeRate client probes per second
     * @param settle    how long the client probes before the migration starts and after it ends
     */
    public QemuCutoverDemo(Lab lab, LabAgents agents, int probeRate, Duration settle) {
        this(lab, agents, probeRate, settle, Orchestrator.QMP);
    }

    /** @param orchestrator who moves the guest: the agents over QMP, or libvirt (the agents follow its events) */
    public QemuCutoverDemo(Lab lab, LabAgents agents, int probeRate, Duration settle, Orchestrator orchestrator) {
        this(lab, probeRate, settle, Objects.requireNonNull(agents, "agents"), orchestrator);
        if (agents.guests() != LabAgents.GuestPorts.HOST_SWITCHES) {
            throw new IllegalArgumentException("QEMU guests sit on the hosts' own switches: start the lab's agents with "
                    + "GuestPorts.HOST_SWITCHES");
        }
    }

    /** @param agents the lab's daemons, or null for no network steps */
    private QemuCutoverDemo(Lab lab, int probeRate, Duration settle, LabAgents agents, Orchestrator orchestrator) {
        if (orchestrator == Orchestrator.LIBVIRT && lab.topology() != Topology.LAN) {
            throw new IllegalArgumentException("libvirt moves its guests on the LAN lab: a move across sites needs the "
                    + "guest renumbered over its console, which the lab does for QEMU guests it runs itself");
        }
        if (agents == null && lab.topology() != Topology.LAN) {
            throw new IllegalArgumentException("a guest moved without network steps cannot keep its address on another "
                    + "site: the move without them is measured on the LAN lab");
        }
        this.lab = lab;
        this.agents = agents;
        this.probeRate = probeRate;
        this.settle = settle;
        this.orchestrator = orchestrator;
    }

    /**
     * The same move on a lab whose bridges are learning switches with no controller and no agents: no step of the
     * network's, only QEMU's own RARPs after RESUME. What the cutover is measured against.
     */
    public static QemuCutoverDemo withoutNetworkSteps(Lab lab, int probeRate, Duration settle) {
        return withoutNetworkSteps(lab, probeRate, settle, Orchestrator.QMP);
    }

    /** {@link #withoutNetworkSteps(Lab, int, Duration)}, the guest moved by {@code orchestrator}. */
    public static QemuCutoverDemo withoutNetworkSteps(Lab lab, int probeRate, Duration settle,
                                                      Orchestrator orchestrator) {
        return new QemuCutoverDemo(lab, probeRate, settle, null, orchestrator);
    }

    public DemoReport run() throws Exception {
        Timeline timeline = new Timeline();
        try (Resources resources = new Resources()) {
            Scene scene = setUp(resources);
            long dropsBefore = LabOrchestrator.pipelineDrops(lab);
            long socketDropsBefore = LabOrchestrator.packetSocketDrops(lab);
            Map<String, GuestPortCounters> portsBefore = guestPorts(scene);
            Moved moved = scene.network().migrate(scene.uri(), timeline, resources);
            Thread.sleep(settle.toMillis());
            ClientProbes probes = scene.probes();
            UdpProbeResult seen = probes.stop();
            scene.network().finish(timeline);
            timeline.add("switch.sockets", "read", "frames the switches' packet sockets dropped over the move: "
                    + (LabOrchestrator.packetSocketDrops(lab) - socketDropsBefore));
            long guestDropped = 0;
            for (Map.Entry<String, GuestPortCounters> after : guestPorts(scene).entrySet()) {
                GuestPortCounters carried = after.getValue().minus(portsBefore.getOrDefault(after.getKey(),
                        GuestPortCounters.NONE));
                guestDropped += carried.txDropped();
                timeline.add("guest.port", "read", carried.describe(scene.tap(after.getKey()), after.getKey()));
            }
            boolean crashed = scene.incoming() != null && crashed(scene.incoming());
            if ((seen.lost() > 0 || crashed) && scene.incoming() != null) {
                timeline.add("guest.kernel", "read", kernelLog(scene.incoming()));
                timeline.add("guest.stats", "read", networkStats(scene.incoming()));
            }
            long switchDrops = LabOrchestrator.pipelineDrops(lab) - dropsBefore;
            Map<String, Long> tunnelCounters = scene.network().tunnelCounters();
            scene.network().addTimeline(timeline);
            UdpProber.Gap gap = probes.addTo(timeline, moved.pausedNanos(), moved.activatedNanos());
            long cutoverEnd = agents == null ? gap.toNanos() : timeline.nanoTimeOf("tunnel.flush", "done");
            return new DemoReport(String.format(Locale.ROOT, "qemu tcg, %d MiB%s%s", MEMORY_MIB,
                    orchestrator == Orchestrator.LIBVIRT ? ", by libvirt" : "",
                    agents == null ? ", no network steps" : ""), wan() ? "wan" : "lan", moved.downtimeMillis(),
                    gap.millis(), seen, probes.lostBetween(cutoverStart(moved), cutoverEnd), null, switchDrops, guestDropped, crashed,
                    probes.tcpAlive(), probes.tcpExchanged(), null, wan() ? DnsName.lookUp(lab, NAME) : "",
                    tunnelCounters, timeline.entries(),
                    probes.heldDelayP99Millis(moved.pausedNanos(), moved.activatedNanos()));
        }
    }

    /**
     * Where a move's cutover begins for its count of lost probes: at QEMU's pause, less the hold's reach back
     * ({@link TunnelSteps#PAUSE_LOOKBACK}), since the probes that reached the guest's tap in that while, unread, are
     * the hold's to keep.
     */
    private long cutoverStart(Moved moved) {
        return agents == null ? moved.pausedNanos() : moved.pausedNanos() - TunnelSteps.PAUSE_LOOKBACK.toNanos();
    }

    /** What goes wrong in {@link #runFailing}. */
    public enum Fault {
        /**
         * The source's tunnel daemon loses the move while QEMU copies (as an operator's {@code tunnel rm} would): the
         * pre-switchover's step, {@code tunnel.hold}, fails.
         */
        SWITCHOVER_STEP_FAILS,
        /** The destination's QEMU is killed while QEMU copies. */
        DESTINATION_DIES,
        /** libvirt's migration is aborted during pre-copy ({@code virsh domjobabort}), as an orchestrator may. */
        LIBVIRT_ABORTED
    }

    /**
     * A move that fails by {@code fault}, the stream slowed so that the fault lands during pre-copy: the cutover must
     * roll back, QEMU's migration end, and the guest run on at the source, reachable as before.
     */
    public FailedMove runFailing(Fault fault) throws Exception {
        if (agents == null) {
            throw new IllegalStateException("a failing move needs the lab's agents");
        }
        try (Resources resources = new Resources()) {
            Scene scene = setUp(resources);
            JsonNode cutover = ((CutoverSteps) scene.network()).migrateFailing(scene.uri(), fault, scene.incoming(),
                    resources);
            long ended = System.nanoTime();
            Thread.sleep(settle.toMillis());
            UdpProbeResult seen = scene.probes().stop();
            Timeline timeline = new Timeline();
            LabOrchestrator.addAgentTimeline(timeline, cutover);
            timeline.addAt(ended, "cutover", "ended", "as the source's agent reports it");
            scene.probes().addTo(timeline, ended, ended);
            LibvirtScene libvirt = scene.libvirt();
            return new FailedMove(cutover.path("stage").asText(), cutover.path("failure").asText(""),
                    timeline.entries(), libvirt == null ? status(scene.source()) : libvirt.status(libvirt.from()),
                    libvirt == null ? status(scene.incoming()) : libvirt.status(libvirt.to()), seen,
                    scene.probes().lostBetween(ended + RESUME_SETTLING.toNanos(), System.nanoTime()),
                    scene.probes().tcpAlive());
        }
    }

    /**
     * How a failing move ended.
     *
     * @param stage             the cutover's last stage
     * @param failure           why it failed, as the agent says
     * @param timeline          the source agent's timeline
     * @param sourceStatus      the source QEMU's status ({@code running}, ...) or {@code gone}
     * @param destinationStatus the destination QEMU's status, or {@code gone}
     * @param udp               the client's probes over the whole run
     * @param lostAfterSettling probes lost among those sent from {@link #RESUME_SETTLING} after the cutover ended
     * @param tcpSurvived       whether the client's TCP connection to the guest survived
     */
    public record FailedMove(String stage, String failure, List<TimelineEntry> timeline, String sourceStatus,
                             String destinationStatus, UdpProbeResult udp, long lostAfterSettling, boolean tcpSurvived) {
    }

    /** The QEMU's own status, asked over QMP once the agents let go of it; {@code gone} when it has exited. */
    static String status(QemuGuest guest) {
        if (!guest.isAlive()) {
            return "gone";
        }
        try (QmpClient qmp = QmpClient.connect(guest.qmpSocket(), Duration.ofSeconds(5))) {
            return qmp.execute("query-status").path("status").asText();
        } catch (RuntimeException e) {
            return guest.isAlive() ? "unanswering: " + e.getMessage() : "gone";
        }
    }

    /**
     * The guests, the network and the client, ready to move: the guest runs on host A's bridge, the incoming QEMU
     * waits on host B's, the client probes the guest and has for {@code settle}.
     */
    private Scene setUp(Resources resources) throws Exception {
        Site from = site(FROM, "rtrA");
        Site to = site(TO, "rtrB");
        Path run = Files.createDirectories(lab.dir().resolve("qemu-demo"));
        GuestImage image = GuestImage.build();
        QemuGuest source = null;
        QemuGuest incoming = null;
        LibvirtScene libvirt = null;
        GuestSpec spec;
        NetworkSide network;
        if (orchestrator == Orchestrator.LIBVIRT) {
            spec = spec(VM, LIBVIRT_TAP, from, null, false);
            libvirt = LibvirtScene.start(lab, image, spec, libvirtd(from, resources), libvirtd(to, resources), resources);
            for (Site site : List.of(from, to)) {
                LabGuestPorts.plug(lab, site.host(), LIBVIRT_TAP, resources);
            }
            network = agents == null ? new LearningBridges(spec, null, libvirt) : new CutoverSteps(
                    new LabOrchestrator(lab, agents, VM, spec.mac()), from, to, spec, null, libvirt);
        } else {
            spec = spec(VM, "qvm-a", from, socketDir(from, run), false);
            source = start(image, spec, from, resources);
            GuestSpec incomingSpec = spec(VM + "-in", "qvm-b", to, socketDir(to, run), true);
            incoming = start(image, incomingSpec, to, resources);
            network = agents == null ? new LearningBridges(spec, incomingSpec, null) : new CutoverSteps(
                    new LabOrchestrator(lab, agents, VM, spec.mac()), from, to, spec, incoming, null);
        }
        String address = spec.ipv4Address();
        resources.add(network);
        network.prepare(resources);
        if (source != null) {
            // once its port's flows are in place: the lab reuses the guest's address at its first site from one move
            // to the next, and that site's router may still map it to the forwarder that answered for the last guest
            source.announce(CONSOLE_LIMIT);
        }
        LabGuestPorts.awaitReachable(lab, address);
        ClientProbes probes = ClientProbes.start(lab, new InetSocketAddress(address, ECHO_PORT),
                new InetSocketAddress(address, ECHO_PORT), probeRate);
        resources.add(probes);
        Thread.sleep(settle.toMillis());
        return new Scene(source, incoming, libvirt, network, probes, "tcp:" + to.underlay() + ":" + MIGRATION_PORT);
    }

    /** What the moved guest's kernel said last, or why it could not be asked. */
    static String kernelLog(QemuGuest guest) {
        try {
            return guest.kernelLog(Duration.ofSeconds(5));
        } catch (io.cutover.lab.LabException e) {
            return "the guest did not say: " + e.getMessage();
        }
    }

    /**
     * The guest's own network counters since its boot, one line, for a move that lost probes: whether the guest was
     * given them and dropped them itself (a full socket buffer, eth0's ring) rather than the network losing them.
     */
    static String networkStats(QemuGuest guest) {
        try {
            return "since the guest's boot: " + guest.networkStats(Duration.ofSeconds(5)).summary();
        } catch (io.cutover.lab.LabException e) {
            return "the guest did not say: " + e.getMessage();
        }
    }

    /** The counters of the guest's port on each host's switch, by host. */
    private Map<String, GuestPortCounters> guestPorts(Scene scene) {
        Map<String, GuestPortCounters> counters = new java.util.TreeMap<>();
        for (String host : List.of(FROM, TO)) {
            counters.put(host, GuestPortCounters.read(lab.hostSwitch(host), scene.tap(host)));
        }
        return counters;
    }

    /**
     * A guest ready to move: both QEMUs (or libvirt's guest), the network's side, the client's probes, the migration's
     * URI.
     */
    private record Scene(QemuGuest source, QemuGuest incoming, LibvirtScene libvirt, NetworkSide network,
                         ClientProbes probes, String uri) {

        /** The guest's tap on {@code host}: the source's or the incoming QEMU's, or libvirt's. */
        String tap(String host) {
            if (libvirt != null) {
                return LIBVIRT_TAP;
            }
            return host.equals(FROM) ? source.tap() : incoming.tap();
        }
    }

    /**
     * {@code site}'s libvirtd: the lab's ({@code lab up --libvirt}), which the agents follow; without agents, one
     * started for this run if the lab has none.
     */
    private Libvirtd libvirtd(Site site, Resources resources) {
        Optional<Libvirtd> running = Libvirtd.running(lab, site.host());
        if (running.isPresent()) {
            return running.get();
        }
        if (agents != null) {
            throw new IllegalStateException("no libvirtd runs on " + site.host() + " for the agents to follow: start "
                    + "the lab with libvirt (cutover lab up --libvirt) before its agents");
        }
        return resources.add(Libvirtd.start(lab, site.host()));
    }

    /** Where {@code site}'s QEMU guests keep their QMP sockets: where its agent looks, if there are agents. */
    private Path socketDir(Site site, Path run) throws java.io.IOException {
        return Files.createDirectories(agents == null ? run.resolve(site.host()) : agents.qemuSocketDir(site.host()));
    }

    /**
     * {@code host} as one end of the move: its own switch, its underlay address, the guest's address there (host
     * number {@value #HOST_NUMBER}) and, on the WAN, {@code router} as its gateway.
     */
    private Site site(String host, String router) {
        String lanCidr = lab.port(Topology.VM).ipv4();
        String cidr = lanCidr.substring(0, lanCidr.lastIndexOf('.') + 1) + HOST_NUMBER + lanCidr.substring(lanCidr.indexOf('/'));
        return Site.of(lab, host, Topology.HOST_BRIDGE, lab.topology().underlay(host), router, cidr);
    }

    private boolean wan() {
        return lab.topology() == Topology.WAN;
    }

    /**
     * A guest of the demo at {@code site}: its QMP socket in {@code dir} (one directory a host), its tap named
     * {@code tap}.
     */
    private static GuestSpec spec(String name, String tap, Site site, Path dir, boolean incoming) {
        GuestSpec.Builder spec = GuestSpec.builder(name, site.vmCidr()).memoryMiB(MEMORY_MIB).udpEcho(ECHO_PORT)
                .tcpEcho(ECHO_PORT).tap(tap).incoming(incoming);
        if (dir != null) {
            spec.qmpSocket(dir.resolve(VM + ".qmp"));
        }
        if (site.gateway() != null) {
            spec.gateway(site.gateway());
        }
        return spec.build();
    }

    /** Starts the guest in {@code site}'s host and plugs its tap into the host's own switch. */
    private QemuGuest start(GuestImage image, GuestSpec spec, Site site, Resources resources) {
        QemuGuest guest = QemuGuest.start(lab, site.host(), image, spec);
        resources.add(guest);
        LabGuestPorts.plug(lab, site.host(), guest.tap(), resources);
        return guest;
    }

    /**
     * The move as it happened.
     *
     * @param pausedNanos    when QEMU paused the guest at the source ({@code pre-switchover})
     * @param activatedNanos when it ran at the destination (its RESUME, as the network heard it)
     * @param downtimeMillis QEMU's own downtime
     */
    record Moved(long pausedNanos, long activatedNanos, double downtimeMillis) {
    }

    /** What the network does around the move, and who migrates. */
    private interface NetworkSide extends AutoCloseable {
        /** Readies the network for the guest and its move. */
        void prepare(Resources resources);

        /**
         * Migrates the guest to the incoming QEMU over {@code uri}; returns once it runs there and the network's steps
         * for it are done, the brownout (if any) begun.
         */
        Moved migrate(String uri, Timeline timeline, Resources resources) throws Exception;

        /**
         * What follows the client's probes (a WAN guest takes its new address); returns once the move has ended (a
         * brownout ends when its tunnel has drained, after the client stopped).
         */
        void finish(Timeline timeline) throws InterruptedException;

        Map<String, Long> tunnelCounters();

        /** Adds what the network did to the demo's timeline. */
        void addTimeline(Timeline timeline);
    }

    /**
     * The cutover's steps through the lab's agents, which also migrate the guest: the guest's endpoint registered at
     * the controller (as a hypervisor's port binding does) and the tunnel's move registered, then the cutover created
     * at the source's agent with QEMU as its migrator. The source's agent drives QEMU over QMP and runs the switchover's
     * steps while QEMU holds the paused guest; the destination's agent points its incoming QEMU at the stream and
     * reports the guest's RESUME. The demo only waits for the end.
     */
    private final class CutoverSteps implements NetworkSide {
        private final LabOrchestrator orchestrator;
        private final Site from;
        private final Site to;
        private final GuestSpec guest;
        private final QemuGuest incoming;
        private final String destinationPort;
        private final LibvirtScene libvirt;
        private JsonNode cutover;

        /**
         * @param incoming the destination's QEMU, waiting for the guest, or {@code null} when libvirt moves it
         * @param libvirt  where libvirt moves the guest, or {@code null}: the agents drive QEMU
         */
        CutoverSteps(LabOrchestrator orchestrator, Site from, Site to, GuestSpec guest, QemuGuest incoming,
                     LibvirtScene libvirt) {
            this.orchestrator = orchestrator;
            this.from = from;
            this.to = to;
            this.guest = guest;
            this.incoming = incoming;
            this.destinationPort = incoming != null ? incoming.tap() : LIBVIRT_TAP;
            this.libvirt = libvirt;
        }

        @Override
        public void prepare(Resources resources) {
            ObjectNode endpoint = JsonNodeFactory.instance.objectNode().put("id", ENDPOINT_ID).put("name", VM)
                    .put("network", SdnLabFabric.NETWORK).put("mac", guest.mac())
                    .put("switch", lab.hostSwitch(from.host()).datapathId())
                    .put("port", guest.tap());
            endpoint.putArray("addresses").add(guest.ipv4Address());
            agents.controller().send("POST", "endpoints", endpoint).requireStatus(201);
            resources.add(() -> agents.controller().send("DELETE", "endpoints/" + VM, null).requireStatus(200, 404));
            if (wan()) {
                DnsName.set(lab, NAME, guest.ipv4Address());
                resources.add(() -> DnsName.set(lab, NAME, null));
            }
            orchestrator.warmUp(from, to, List.of(guest.ipv4Address()));
        }

        @Override
        public Moved migrate(String uri, Timeline timeline, Resources resources) throws Exception {
            List<String> newAddresses = wan() ? List.of(to.vmAddress().getHostAddress()) : List.of();
            String id = create(uri, null, newAddresses);
            LibvirtScene.Migrated byLibvirt = libvirt == null ? null : libvirt.migrate(MIGRATION_LIMIT);
            orchestrator.awaitStep(from, id, "DRAINING", "stage", MIGRATION_LIMIT);
            cutover = orchestrator.cutover(from, id);
            Timeline agent = new Timeline();
            LabOrchestrator.addAgentTimeline(agent, cutover);
            if (byLibvirt == null) {
                return new Moved(agent.nanoTimeOf("vm.pause", "done"), agent.nanoTimeOf("ACTIVATED", "stage"),
                        cutover.path("migration").path("downtimeMs").asDouble(0));
            }
            long stop = LibvirtScene.nanoTime(byLibvirt.stop());
            long resume = LibvirtScene.nanoTime(byLibvirt.resume());
            timeline.addAt(stop, "qemu.stop", "done", "QEMU's STOP at the source, by its time stamp in libvirtd's log");
            timeline.addAt(resume, "qemu.resume", "done", "QEMU's RESUME at the destination, likewise");
            timeline.add("libvirt.event-lag", "read", String.format(Locale.ROOT, "Suspended Migrated reached the "
                    + "source's agent %.1f ms after QEMU's STOP; Resumed Migrated made the plan ACTIVATED %.1f ms after "
                    + "QEMU's RESUME", (agent.nanoTimeOf("vm.pause", "done") - stop) / 1e6,
                    (agent.nanoTimeOf("ACTIVATED", "stage") - resume) / 1e6));
            return new Moved(stop, agent.nanoTimeOf("ACTIVATED", "stage"), byLibvirt.downtimeMillis());
        }

        /**
         * Creates the cutover at the source's agent: QEMU its migrator over {@code uri} (capped at {@code bandwidth},
         * unless null), or the libvirt domain the agents follow.
         */
        private String create(String uri, String bandwidth, List<String> newAddresses) {
            ObjectNode how = JsonNodeFactory.instance.objectNode();
            if (libvirt != null) {
                how.put("domain", libvirt.guest().name());
            } else {
                ObjectNode qemu = how.putObject("qemu").put("uri", uri);
                if (bandwidth != null) {
                    qemu.put("maxBandwidth", bandwidth);
                }
            }
            return orchestrator.createCutover(from, to, List.of(guest.ipv4Address()), newAddresses,
                    wan() ? NAME : null, MEMORY_MIB, destinationPort, libvirt != null ? "libvirt" : "migrator", how);
        }

        /**
         * Starts the move with the stream slowed to {@value #SLOW_STREAM}/s (pre-copy then takes seconds), injects
         * {@code fault} during pre-copy and waits for the cutover's end; returns it as the source's agent reports it.
         */
        JsonNode migrateFailing(String uri, Fault fault, QemuGuest incomingGuest, Resources resources)
                throws InterruptedException {
            if ((fault == Fault.LIBVIRT_ABORTED) != (libvirt != null)) {
                throw new IllegalArgumentException(fault + " is not a fault of a move by " + orchestrator);
            }
            String id = create(uri, SLOW_STREAM, List.of());
            if (libvirt != null) {
                Process virsh = libvirt.startMigration(SLOW_LIBVIRT_STREAM);
                resources.add(virsh::destroyForcibly);
                awaitIncoming();
                libvirt.abort();
                virsh.waitFor(LabOrchestrator.STEP_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
                return orchestrator.awaitEnd(from, id, MIGRATION_LIMIT);
            }
            orchestrator.awaitStep(from, id, "PRECOPY", "stage");
            switch (fault) {
                case SWITCHOVER_STEP_FAILS -> agents.tunnelDaemon(from.host()).send("DELETE", "moves/" + id, null)
                        .requireStatus(204);
                case DESTINATION_DIES -> incomingGuest.close();
                default -> throw new IllegalArgumentException(fault.name());
            }
            return orchestrator.awaitEnd(from, id, MIGRATION_LIMIT);
        }

        /** Waits until libvirt has started the incoming guest at the destination and pre-copy has run a while. */
        private void awaitIncoming() throws InterruptedException {
            long deadline = System.nanoTime() + LabOrchestrator.STEP_LIMIT.toNanos();
            while (libvirt.guest().runsOn(libvirt.to()).isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("libvirt did not start the incoming guest at " + to.host());
                }
                Thread.sleep(50);
            }
            Thread.sleep(1000);
        }

        /**
         * On the WAN, gives the guest its new address once the client has stopped probing (under TCG the renumbering's
         * processes, code the guest has not run since it moved, stall it for hundreds of milliseconds: probes it could
         * not take then would be counted against the network) and checks the client reaches it there.
         */
        @Override
        public void finish(Timeline timeline) throws InterruptedException {
            if (wan()) {
                long start = System.nanoTime();
                incoming.renumber(to.vmCidr(), to.gateway(), to.gatewayMac(), RENUMBER_LIMIT);
                timeline.addAt(start, "guest.renumber", "start", to.vmCidr() + " via " + to.gateway());
                timeline.add("guest.renumber", "done", "over the guest's console");
                LabGuestPorts.awaitReachable(lab, to.vmAddress().getHostAddress());
                timeline.add("guest.new-address", "answered", "the client's ping to " + to.vmAddress().getHostAddress());
            }
            cutover = orchestrator.awaitEnd(from, cutover.path("id").asText(), MIGRATION_LIMIT);
            // UNVERIFIED: moved, but the guest did not answer at its new port (a guest that crashed on resume): the
            // report's timeline says so, as it says what the guest lost
            if (!List.of("COMPLETED", "UNVERIFIED").contains(cutover.path("stage").asText())) {
                throw new IllegalStateException("the cutover ended " + cutover.path("stage").asText() + ": "
                        + cutover.path("failure").asText(""));
            }
        }

        @Override
        public Map<String, Long> tunnelCounters() {
            return cutover == null ? Map.of() : orchestrator.tunnelCounters(from, to, cutover.path("id").asText());
        }

        @Override
        public void addTimeline(Timeline timeline) {
            if (cutover != null) {
                LabOrchestrator.addAgentTimeline(timeline, cutover);
            }
        }

        @Override
        public void close() {
        }
    }

    /**
     * No network steps: the lab's bridges stay learning switches and learn the guest's new port from QEMU's own
     * RARPs after RESUME, as a hypervisor host without cutover does. The demo drives QEMU itself. The baseline.
     */
    private final class LearningBridges implements NetworkSide {
        private final GuestSpec guest;
        private final GuestSpec incoming;
        private final LibvirtScene libvirt;

        /** @param libvirt where libvirt moves the guest, or {@code null}: the demo drives QEMU (to {@code incoming}) */
        LearningBridges(GuestSpec guest, GuestSpec incoming, LibvirtScene libvirt) {
            this.guest = guest;
            this.incoming = incoming;
            this.libvirt = libvirt;
        }

        @Override
        public void prepare(Resources resources) {
        }

        @Override
        public Moved migrate(String uri, Timeline timeline, Resources resources) throws Exception {
            if (libvirt != null) {
                LibvirtScene.Migrated moved = libvirt.migrate(MIGRATION_LIMIT);
                long stop = LibvirtScene.nanoTime(moved.stop());
                long resume = LibvirtScene.nanoTime(moved.resume());
                timeline.addAt(stop, "vm.pause", "done", "QEMU's STOP, by its time stamp in libvirtd's log");
                timeline.addAt(resume, "vm.resume", "done", "QEMU's RESUME at the destination, likewise");
                return new Moved(stop, resume, moved.downtimeMillis());
            }
            return byQemuAlone(VM, guest.qmpSocket().orElseThrow().getParent(),
                    incoming.qmpSocket().orElseThrow().getParent(), uri, timeline, resources);
        }

        @Override
        public void finish(Timeline timeline) {
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

    /**
     * What {@link #byQemuAlone} asks of QEMU over QMP, in order: the baseline's procedure, as a hypervisor host without
     * cutover moves a guest (the agents' migrations set the same capabilities and parameters).
     */
    public static final String QEMU_ALONE_PROCEDURE = "destination QMP: migrate-set-capabilities {capabilities: "
            + "[events: true, postcopy-ram: false, multifd: false]}; migrate-incoming {uri: tcp:<hostB underlay>:<port>}. "
            + "source QMP: migrate-set-capabilities {capabilities: [events: true, postcopy-ram: false, multifd: false, "
            + "pause-before-switchover: true, auto-converge: false, xbzrle: false]}; migrate-set-parameters "
            + "{max-bandwidth: " + io.cutover.qemu.QemuOptions.DEFAULT_MAX_BANDWIDTH + ", downtime-limit: 300}; "
            + "migrate {uri: tcp:<hostB underlay>:<port>}; at the MIGRATION event pre-switchover, at once: "
            + "migrate-continue {state: pre-switchover}; at completed: query-migrate (QEMU's downtime). The destination's "
            + "RESUME event ends the move; the bridges learn the guest's new port from QEMU's own RARPs";

    /**
     * Moves the guest {@code vm} by QEMU alone, as the baseline does: its QMP socket {@code <sourceSockets>/<vm>.qmp},
     * its incoming QEMU's {@code <incomingSockets>/<vm>.qmp} taking the stream at {@code uri}; nothing waits at the
     * pre-switchover ({@link #QEMU_ALONE_PROCEDURE}). Returns once the guest runs at the destination.
     */
    static Moved byQemuAlone(String vm, Path sourceSockets, Path incomingSockets, String uri, Timeline timeline,
                             Resources resources) throws Exception {
        QemuHypervisor here = resources.add(new QemuHypervisor(sourceSockets));
        QemuHypervisor there = resources.add(new QemuHypervisor(incomingSockets));
        MigrationRequest request = new MigrationRequest("baseline-" + vm, vm, uri, Optional.empty(),
                Optional.empty(), 1, false, false);
        IncomingMigration arriving = resources.add(there.prepareIncoming(request, uri));
        AtomicLong paused = new AtomicLong();
        HypervisorMigration migration = here.migrate(request, event -> note(timeline, event), switchover -> {
            paused.set(switchover.nanoTime());
            timeline.addAt(switchover.nanoTime(), "vm.pause", "done", "QEMU's pre-switchover");
            return CompletableFuture.completedFuture(null);
        });
        MigrationFigures figures = migration.result().toCompletableFuture()
                .get(MIGRATION_LIMIT.toSeconds(), TimeUnit.SECONDS);
        long resumed = arriving.activated().get(LabOrchestrator.STEP_LIMIT.toSeconds(), TimeUnit.SECONDS);
        timeline.addAt(resumed, "vm.resume", "done", "QEMU's RESUME at the destination");
        return new Moved(paused.get(), resumed, figures.downtime().map(Duration::toNanos).orElse(0L) / 1e6);
    }

    /**
     * Whether the guest's QEMU, where it should run after its move ({@code moved}), has exited: its kernel panicked
     * (the lab's guests run with {@code panic=-1} and QEMU with {@code -no-reboot}). {@link #kernelLog} says why.
     */
    static boolean crashed(QemuGuest moved) {
        return !moved.isAlive();
    }

    private static CompletableFuture<Void> note(Timeline timeline, CutoverEvent event) {
        timeline.addAt(event.nanoTime(), "qemu." + event.stage().name().toLowerCase(Locale.ROOT), "stage",
                event.round() > 0 ? "pass " + event.round() : "");
        return CompletableFuture.completedFuture(null);
    }
}
