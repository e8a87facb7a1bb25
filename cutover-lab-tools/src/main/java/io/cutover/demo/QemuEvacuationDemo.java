package io.cutover.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cutover.lab.GuestImage;
import io.cutover.lab.GuestSpec;
import io.cutover.lab.Lab;
import io.cutover.lab.QemuGuest;
import io.cutover.lab.Topology;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A host evacuation of real guests: {@code guests} QEMU virtual machines (the smallest the lab boots
 * reliably, {@value #MEMORY_MIB} MiB) on host A's br-int, each with its incoming QEMU waiting on host B's, evacuated by host A's agent
 * ({@code POST /v1/evacuations}) with at most {@code parallel} cutovers at once, QEMU migrating each over QMP as in
 * {@link QemuCutoverDemo}; the client probes every guest's kernel and holds a TCP connection to each meanwhile. The
 * demo plays the orchestrator: it starts the guests, registers their endpoints at the controller and names them in the
 * evacuation (the agent keeps no inventory of its VMs). Needs the lab's agents started with {@link
 * LabAgents.GuestPorts#HOST_SWITCHES}, on the LAN lab.
 */
public final class QemuEvacuationDemo {
    /**
     * The smallest guest the lab boots reliably: the lab's default. At {@link GuestSpec#MIN_MEMORY_MIB} (64 MiB) QEMU
     * exited before the kernel wrote a line.
     */
    static final int MEMORY_MIB = GuestSpec.DEFAULT_MEMORY_MIB;
    /** The first guest's host number in the LAN's subnet (the others follow), apart from the other demos' guests. */
    private static final int FIRST_HOST_NUMBER = 110;
    /** The first guest's endpoint id at the controller. */
    private static final int FIRST_ENDPOINT_ID = 60;
    private static final Duration EVACUATION_LIMIT = Duration.ofMinutes(5);
    public static final int MAX_GUESTS = 16;

    private final Lab lab;
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
        if (lab.topology() != Topology.LAN || agents.guests() != LabAgents.GuestPorts.HOST_SWITCHES) {
            throw new IllegalArgumentException("an evacuation of QEMU guests runs on the LAN lab, its agents started "
                    + "with GuestPorts.HOST_SWITCHES");
        }
        if (guests < 1 || guests > MAX_GUESTS) {
            throw new IllegalArgumentException("guests: 1 to " + MAX_GUESTS + ", not " + guests);
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
     */
    public record VmReport(String vm, String destination, String outcome, String failure, long durationMs,
                           long downtimeMs, UdpProbeResult udp, boolean tcpSurvived, boolean runsThere) {
    }

    /**
     * The evacuation as it went.
     *
     * @param id         its id at host A's agent
     * @param durationMs from its start to its last move's end, as the agent measured it
     * @param vms        each guest's move, in the order they were named
     */
    public record Report(String id, long durationMs, List<VmReport> vms) {
        /** Probes lost, over every guest. */
        public long lost() {
            return vms.stream().mapToLong(vm -> vm.udp().lost()).sum();
        }

        public long completed() {
            return vms.stream().filter(vm -> vm.outcome().equals("COMPLETED")).count();
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
            new LabOrchestrator(lab, agents, first.spec().name(), first.spec().mac())
                    .warmUp(from, to, List.of(first.spec().ipv4Address()));
            List<ClientProbes> probes = new ArrayList<>();
            for (Guest guest : started) {
                InetSocketAddress echo = new InetSocketAddress(guest.spec().ipv4Address(), QemuCutoverDemo.ECHO_PORT);
                probes.add(resources.add(ClientProbes.start(lab, echo, echo, probeRate)));
            }
            Thread.sleep(settle.toMillis());
            JsonNode evacuation = evacuate(started, from, to);
            Thread.sleep(settle.toMillis());
            List<VmReport> reports = new ArrayList<>();
            for (int i = 0; i < started.size(); i++) {
                Guest guest = started.get(i);
                UdpProbeResult seen = probes.get(i).stop();
                JsonNode move = evacuation.path("vms").get(i);
                boolean runsThere = QemuCutoverDemo.status(guest.incoming()).equals("running")
                        && lab.exec("client", "ping", "-c", "1", "-W", "2", guest.spec().ipv4Address()).ok();
                reports.add(new VmReport(guest.spec().name(), move.path("destination").asText(),
                        move.path("outcome").asText(), move.path("failure").asText(""),
                        move.path("durationMs").asLong(), move.path("downtimeMs").asLong(-1), seen,
                        probes.get(i).tcpAlive(), runsThere));
            }
            return new Report(evacuation.path("id").asText(), evacuation.path("durationMs").asLong(), reports);
        }
    }

    /** Evacuates host A to host B at its agent and waits for the end; returns the evacuation as the agent reports it. */
    private JsonNode evacuate(List<Guest> started, Site from, Site to) throws InterruptedException {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("source", from.host()).put("parallel", parallel);
        body.putArray("destinations").add(to.host());
        ArrayNode vms = body.putArray("vms");
        for (Guest guest : started) {
            ObjectNode vm = vms.addObject().put("vm", guest.spec().name()).put("mac", guest.spec().mac())
                    .put("memoryMiB", MEMORY_MIB).put("destinationPort", guest.incoming().tap());
            vm.putArray("addresses").add(guest.spec().ipv4Address());
            vm.putObject("migrator").putObject("qemu").put("uri", "tcp:" + to.underlay() + ":" + guest.migrationPort());
        }
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
        return evacuation;
    }

    /**
     * Guest {@code n}: its QEMU on host A and its incoming QEMU on host B, both plugged into their host's br-int, their
     * QMP sockets where the hosts' agents look; its endpoint registered at the controller.
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
        ObjectNode endpoint = JsonNodeFactory.instance.objectNode().put("id", FIRST_ENDPOINT_ID + n - 1)
                .put("name", name).put("network", SdnLabFabric.NETWORK).put("mac", spec.mac())
                .put("switch", lab.hostSwitch(from.host()).datapathId()).put("port", spec.tap());
        endpoint.putArray("addresses").add(spec.ipv4Address());
        agents.controller().send("POST", "endpoints", endpoint).requireStatus(201);
        resources.add(() -> agents.controller().send("DELETE", "endpoints/" + name, null).requireStatus(200, 404));
        return new Guest(spec, incoming, QemuCutoverDemo.MIGRATION_PORT + n - 1);
    }

    private GuestSpec spec(String name, String tap, String cidr, Site site, boolean incoming) throws Exception {
        return GuestSpec.builder(incoming ? name + "-in" : name, cidr).memoryMiB(MEMORY_MIB)
                .udpEcho(QemuCutoverDemo.ECHO_PORT).tcpEcho(QemuCutoverDemo.ECHO_PORT).tap(tap).incoming(incoming)
                .qmpSocket(Files.createDirectories(agents.qemuSocketDir(site.host())).resolve(name + ".qmp")).build();
    }

    /** A guest ready to move: its spec, its incoming QEMU and the port that QEMU takes the stream on. */
    private record Guest(GuestSpec spec, QemuGuest incoming, int migrationPort) {
    }
}
