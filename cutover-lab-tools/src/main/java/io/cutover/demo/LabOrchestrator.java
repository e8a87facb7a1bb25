package io.cutover.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cutover.agent.plan.Timeline;
import io.cutover.lab.HostSwitch;
import io.cutover.lab.Lab;
import io.cutover.lab.OvsTools;
import io.cutover.support.JsonHttpClient;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an orchestrator asks of the lab's daemons around one VM's move, whatever migrates the VM: it registers
 * the brownout tunnel's move with both tunnel daemons, creates the cutover at the source's agent, reports the
 * migration's phases to it and reads its report back.
 */
final class LabOrchestrator {
    /** A socket's drop count in {@code ss -m}'s {@code skmem:(...,d12)}. */
    private static final Pattern SOCKET_DROPS = Pattern.compile("skmem:\\([^)]*,d(\\d+)\\)");

    /** The warm-up move's VXLAN network identifier and MAC (a cutover's own move gets a random one). */
    private static final int WARM_UP_VNI = 100;
    private static final String WARM_UP_MAC = "02:00:00:00:00:fe";
    /** How long one phase's steps may take. */
    static final Duration STEP_LIMIT = Duration.ofSeconds(60);
    private static final int WARM_UP_ROUNDS = 50;

    private final Lab lab;
    private final LabAgents agents;
    private final String vm;
    private final String mac;

    /**
     * @param vm  the VM's name: its endpoint at the controller, its move at the tunnel daemons
     * @param mac its MAC address
     */
    LabOrchestrator(Lab lab, LabAgents agents, String vm, String mac) {
        this.lab = lab;
        this.agents = agents;
        this.vm = vm;
        this.mac = mac;
    }

    /**
     * Runs the paths the blackout's calls take through the daemons a few times, with no effect, on a throwaway move
     * registered with both tunnel daemons for the purpose (a move's PRECOPY changes nothing at a forwarder): a JVM
     * answers its first calls on a path many times slower than later ones, and a demo makes one move. The cutover's
     * own move is registered by its plan.
     */
    void warmUp(Site from, Site to, List<String> addresses) {
        String id = "warm-up-" + vm;
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        for (Site end : List.of(from, to)) {
            Site peer = end == from ? to : from;
            JsonHttpClient daemon = agents.tunnelDaemon(end.host());
            daemon.send("DELETE", "moves/" + id, null).requireStatus(204, 404);
            ObjectNode move = JsonNodeFactory.instance.objectNode().put("id", id).put("vni", WARM_UP_VNI)
                    .put("role", end == from ? "SOURCE" : "DESTINATION").put("mode", "L2")
                    .put("vmMac", WARM_UP_MAC).put("peer", peer.underlay() + ":" + CutoverDemo.TUNNEL_PORT)
                    .put("iface", agents.tunnelInterface()).put("key", Base64.getEncoder().encodeToString(secret));
            addresses.forEach(move.putArray("vmAddresses")::add);
            daemon.send("POST", "moves", move).requireStatus(201);
        }
        try {
            for (int round = 0; round < WARM_UP_ROUNDS; round++) {
                for (Site end : List.of(from, to)) {
                    agents.agent(end.host()).send("POST", "tunnel/moves/" + id + "/stage/precopy", null)
                            .requireStatus(200);
                }
                agents.controller().send("GET", "moves", null).requireStatus(200);
            }
        } finally {
            for (Site end : List.of(from, to)) {
                agents.tunnelDaemon(end.host()).send("DELETE", "moves/" + id, null).requireStatus(204, 404);
            }
        }
    }

    /**
     * Creates the cutover at the source's agent, as an orchestrator does before it migrates; returns its id. The
     * agent runs PLANNED at once (the controller admits the VM's destination port, the tunnel ends are checked).
     *
     * @param newAddresses the VM's addresses at the destination (a WAN move), or empty
     * @param dnsName      the VM's DNS name (a WAN move), or null
     */
    String createCutover(Site from, Site to, List<String> addresses, List<String> newAddresses, String dnsName,
                         long memoryMiB, String destinationPort) {
        return createCutover(from, to, addresses, newAddresses, dnsName, memoryMiB, destinationPort, null, null);
    }

    /**
     * {@link #createCutover(Site, Site, List, List, String, long, String)} with the request's {@code field} set to
     * {@code value}: {@code migrator} (the agents migrate the VM as it says, once PLANNED's steps are done) or {@code
     * libvirt} (the agents follow the migration libvirt runs for the named domain).
     */
    String createCutover(Site from, Site to, List<String> addresses, List<String> newAddresses, String dnsName,
                         long memoryMiB, String destinationPort, String field, ObjectNode value) {
        ObjectNode request = JsonNodeFactory.instance.objectNode().put("vm", vm).put("mac", mac)
                .put("source", from.host()).put("destination", to.host())
                .put("mode", newAddresses.isEmpty() ? "lan" : "wan").put("memoryMiB", memoryMiB)
                .put("destinationPort", destinationPort);
        addresses.forEach(request.putArray("addresses")::add);
        if (!newAddresses.isEmpty()) {
            newAddresses.forEach(request.putArray("newAddresses")::add);
            request.put("dnsName", dnsName);
        }
        if (field != null) {
            request.set(field, value);
        }
        return agents.agent(from.host()).send("POST", "cutovers", request, STEP_LIMIT).requireStatus(201).body()
                .path("id").asText();
    }

    /** Reports {@code phase} to the source's agent; returns when its steps are done. */
    void phase(Site from, String id, String phase) {
        agents.agent(from.host()).send("POST", "cutovers/" + id + "/phase/" + phase, null, STEP_LIMIT)
                .requireStatus(200);
    }

    /** The cutover as the source's agent reports it, timeline included. */
    JsonNode cutover(Site from, String id) {
        return agents.agent(from.host()).send("GET", "cutovers/" + id, null).requireStatus(200).body();
    }

    /**
     * Waits until the cutover has ended, as the agents drive it (they run the migration); returns it as the source's
     * agent reports it.
     */
    JsonNode awaitEnd(Site from, String id, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            JsonNode cutover = cutover(from, id);
            String stage = cutover.path("stage").asText();
            if (cutover.path("ended").asBoolean()) {
                return cutover;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("cutover " + id + " did not end within " + limit + "; it is at "
                        + stage);
            }
            sleep(50, "the end of cutover " + id);
        }
    }

    private static void sleep(long millis, String what) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + what, e);
        }
    }

    /** Waits until the cutover's timeline has {@code what event}; fails when the cutover ended otherwise. */
    void awaitStep(Site from, String id, String what, String event) {
        awaitStep(from, id, what, event, STEP_LIMIT);
    }

    /** {@link #awaitStep(Site, String, String, String)}, failing after {@code limit}. */
    void awaitStep(Site from, String id, String what, String event, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            JsonNode cutover = cutover(from, id);
            for (JsonNode entry : cutover.path("timeline")) {
                if (entry.path("what").asText().equals(what) && entry.path("event").asText().equals(event)) {
                    return;
                }
            }
            String stage = cutover.path("stage").asText();
            if (stage.equals("ROLLED_BACK") || stage.equals("FAILED") || System.nanoTime() > deadline) {
                throw new IllegalStateException("the cutover did not get to '" + what + " " + event + "': "
                        + cutover.path("failure").asText(stage));
            }
            sleep(20, "'" + what + " " + event + "'");
        }
    }

    /** The agent's timeline, on the demo's clock (both are the host's monotonic clock). */
    static void addAgentTimeline(Timeline timeline, JsonNode cutover) {
        long origin = cutover.path("timelineOriginNanos").asLong();
        for (Iterator<JsonNode> it = cutover.path("timeline").elements(); it.hasNext(); ) {
            JsonNode entry = it.next();
            timeline.addAt(origin + entry.path("atMicros").asLong() * 1_000, entry.path("what").asText(),
                    entry.path("event").asText(), entry.path("detail").asText());
        }
    }

    /**
     * The tunnel counters and drops of cutover {@code id}'s move (its plan registered it under the cutover's id) at
     * both ends, named {@code source.counter}, {@code destination.drop.REASON}.
     */
    Map<String, Long> tunnelCounters(Site from, Site to, String id) {
        Map<String, Long> named = new TreeMap<>();
        for (Site end : List.of(from, to)) {
            String prefix = end == from ? "source" : "destination";
            JsonNode move = agents.tunnelDaemon(end.host()).send("GET", "moves/" + id, null).requireStatus(200).body();
            move.path("counters").fields().forEachRemaining(c -> named.put(prefix + "." + c.getKey(), c.getValue().asLong()));
            move.path("drops").fields().forEachRemaining(d -> named.put(prefix + ".drop." + d.getKey(), d.getValue().asLong()));
        }
        return named;
    }

    /**
     * The packets the switches' OpenFlow tables have dropped so far (Open vSwitch counts them as {@code
     * drop_action_of_pipeline}; its counters are brought up to date about once a second).
     */
    static long pipelineDrops(Lab lab) {
        long drops = pipelineDrops((OvsTools) lab);
        for (HostSwitch host : lab.hostSwitches()) {
            drops += pipelineDrops(host);
        }
        return drops;
    }

    /**
     * Frames the lab's switches lost before they read them: the drops of every packet socket (Open vSwitch's userspace
     * datapath reads each port through one; the lab raises their receive buffers, see {@code PacketSocketBuffers}) in
     * the fabric and in each host, the sum of
     * {@code ss -0 -m}'s {@code d} figures. Read it before and after, never in a loop: {@code ss} itself disturbs a
     * 2-core host.
     */
    static long packetSocketDrops(Lab lab) {
        long drops = packetSocketDrops(lab, "fabric");
        for (HostSwitch host : lab.hostSwitches()) {
            drops += packetSocketDrops(lab, host.host());
        }
        return drops;
    }

    private static long packetSocketDrops(Lab lab, String node) {
        long drops = 0;
        Matcher m = SOCKET_DROPS.matcher(lab.exec(node, "ss", "-0", "-m", "-n").orThrow().stdout());
        while (m.find()) {
            drops += Long.parseLong(m.group(1));
        }
        return drops;
    }

    private static long pipelineDrops(OvsTools ovs) {
        String count = ovs.appctl("coverage/read-counter", "drop_action_of_pipeline").orThrow().stdout().strip();
        try {
            return Long.parseLong(count);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("ovs-vswitchd's drop counter is not a number: " + count, e);
        }
    }
}
