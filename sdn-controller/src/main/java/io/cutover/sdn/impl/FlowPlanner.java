package io.cutover.sdn.impl;

import io.cutover.sdn.Cookie;
import io.cutover.sdn.Dpid;
import io.cutover.sdn.Endpoint;
import io.cutover.sdn.Link;
import io.cutover.sdn.Move;
import io.cutover.sdn.MoveState;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.action.OFAction;
import org.projectfloodlight.openflow.protocol.instruction.OFInstruction;
import org.projectfloodlight.openflow.protocol.match.Match;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.MacAddress;
import org.projectfloodlight.openflow.types.OFMetadata;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns the desired state into the flows of every switch (a pure function). Two tables:
 * <ul>
 *   <li>table 0 admits traffic from known ports only: each endpoint's port writes its network's id into the
 *       metadata, each link port the {@linkplain #linkNetwork link network}'s, and both go to table 1;</li>
 *   <li>table 1 forwards by network and MAC (metadata + eth_dst): per endpoint to the port towards it (along the link
 *       tree), broadcast and multicast to the endpoint ports of the frame's network on the switch (and the link ports,
 *       for the link network: ARP and ND are flooded this way), nothing else (no NORMAL, no flooding of unknown
 *       unicast). Two networks may use one MAC; a port belongs to one network.</li>
 * </ul>
 * A prepared move admits the destination port; where the destination switch has a port by the forwarder port's name
 * (each host's forwarder port named alike, as the lab's {@code fwd}), what the destination's forwarder delivers there
 * for the endpoint goes to its new port before the commit, so a flush need not wait for it. One prepared with a
 * forwarder port also mirrors the endpoint's
 * traffic at the source switch to it (to the endpoint's port and the forwarder's, a higher priority: the forwarder
 * keeps what arrives while the VM stops, so nothing needs to change at the switch in the blackout); a redirected move
 * sends the endpoint's traffic at the source switch to the forwarder's port alone (the same priority); a committed move keeps admitting the old port (old generation) until
 * cleanup deletes it by cookie.
 * <p>
 * A committed move whose destination switch cannot be reached from its source switch over the links (a move to
 * another site, across a WAN) also keeps its redirect to the forwarder until cleanup: the source switch has no link
 * towards the endpoint's new switch, and without the redirect it would drop what stale senders at the old site (a
 * router whose ARP cache still holds the endpoint's MAC) send there; the old site's other switches keep sending the
 * endpoint's traffic towards the source switch. Where a link path exists, the commit replaces
 * the redirect with the unicast flow along the link tree. The kept redirect carries the move's cookie, like the
 * endpoint's new flows: cleanup deletes it by its match (deleting by that cookie would take the new flows too), a
 * rollback by the move's cookie, and reconciliation like any flow of ours the plan no longer holds.
 */
public final class FlowPlanner {
    public static final int TABLE_ADMIT = 0;
    public static final int TABLE_FORWARD = 1;
    public static final int PRIORITY_ADMIT = 100;
    public static final int PRIORITY_UNICAST = 100;
    public static final int PRIORITY_REDIRECT = 150;
    /** A prepared move's frames that reach the destination switch from the old location's side: see forwardArrived. */
    public static final int PRIORITY_ARRIVED = 120;
    public static final int PRIORITY_FLOOD = 50;
    /** The cookie of flows that belong to the fabric, not to an endpoint (links, floods). */
    public static final long FABRIC_COOKIE = Cookie.of(0, 0, 0);
    private static final MacAddress MULTICAST_BIT = MacAddress.of("01:00:00:00:00:00");

    private static final OFFactory OF = SwitchSession.OF;

    private FlowPlanner() {
    }

    /**
     * The flows of every switch named in the model or in {@code ports}.
     *
     * @param model the desired state
     * @param ports each switch's port names to numbers (flows on unknown ports are left out until they appear)
     */
    public static Map<Dpid, Map<FlowKey, FlowSpec>> plan(ModelState model, Map<Dpid, Map<String, Integer>> ports) {
        Set<Dpid> switches = new TreeSet<>(ports.keySet());
        for (Link link : model.links()) {
            switches.add(link.switchA());
            switches.add(link.switchB());
        }
        model.endpoints().values().forEach(p -> switches.add(p.endpoint().switchId()));
        Map<Dpid, Map<FlowKey, FlowSpec>> plan = new LinkedHashMap<>();
        for (Dpid sw : switches) {
            plan.put(sw, new LinkedHashMap<>());
        }
        Map<Dpid, Map<String, Dpid>> adjacency = adjacency(model.links());
        int linkNetwork = linkNetwork(model);

        for (Dpid sw : switches) {
            Map<FlowKey, FlowSpec> flows = plan.get(sw);
            Map<String, Integer> swPorts = ports.getOrDefault(sw, Map.of());
            Map<Integer, Set<Integer>> floodPorts = new java.util.TreeMap<>();
            for (String linkPort : adjacency.getOrDefault(sw, Map.of()).keySet()) {
                Integer number = swPorts.get(linkPort);
                if (number != null) {
                    admit(flows, number, linkNetwork, FABRIC_COOKIE);
                    floodPorts.computeIfAbsent(linkNetwork, n -> new TreeSet<>()).add(number);
                }
            }
            for (ModelState.Placed placed : model.endpoints().values()) {
                Endpoint e = placed.endpoint();
                long cookie = Cookie.of(e.network(), e.id(), placed.generation());
                if (e.switchId().equals(sw)) {
                    Integer number = swPorts.get(e.port());
                    if (number != null) {
                        admit(flows, number, e.network(), cookie);
                        floodPorts.computeIfAbsent(e.network(), n -> new TreeSet<>()).add(number);
                        forward(flows, PRIORITY_UNICAST, e.network(), e.mac(), number, cookie);
                    }
                } else if (e.network() == linkNetwork) {
                    String towards = nextHop(adjacency, sw, e.switchId());
                    Integer number = towards == null ? null : swPorts.get(towards);
                    if (number != null) {
                        forward(flows, PRIORITY_UNICAST, e.network(), e.mac(), number, cookie);
                    }
                }
            }
            for (Move move : model.moves().values()) {
                ModelState.Placed placed = model.endpoints().get(move.endpoint());
                if (placed == null || !move.open()) {
                    continue;
                }
                Endpoint e = placed.endpoint();
                if (move.state() == MoveState.PREPARED || move.state() == MoveState.REDIRECTED) {
                    Integer to = move.toSwitch().equals(sw) ? swPorts.get(move.toPort()) : null;
                    if (to != null) {
                        admit(flows, to, e.network(), Cookie.of(e.network(), e.id(), move.id()));
                        String back = nextHop(adjacency, sw, move.fromSwitch());
                        Integer backPort = back == null ? null : swPorts.get(back);
                        if (backPort != null) {
                            forwardArrived(flows, backPort, e.mac(), to, Cookie.of(e.network(), e.id(), move.id()));
                        }
                        Integer forwarderHere = move.forwarderPort() == null ? null : swPorts.get(move.forwarderPort());
                        if (forwarderHere != null) {
                            forwardArrived(flows, forwarderHere, e.mac(), to, Cookie.of(e.network(), e.id(), move.id()));
                        }
                    }
                }
                if (move.fromSwitch().equals(sw) && redirects(move, adjacency)) {
                    Integer forwarder = swPorts.get(move.forwarderPort());
                    if (forwarder != null) {
                        forward(flows, PRIORITY_REDIRECT, e.network(), e.mac(), forwarder, Cookie.of(e.network(), e.id(), move.id()));
                    }
                }
                if (move.fromSwitch().equals(sw) && move.state() == MoveState.PREPARED && move.forwarderPort() != null) {
                    Integer forwarder = swPorts.get(move.forwarderPort());
                    Integer vmPort = swPorts.get(move.fromPort());
                    if (forwarder != null && vmPort != null) {
                        output(flows, PRIORITY_REDIRECT, unicastMatch(e.network(), e.mac()), List.of(vmPort, forwarder), Cookie.of(e.network(), e.id(), move.id()));
                    }
                }
                if (move.state() == MoveState.COMMITTED && move.fromSwitch().equals(sw)) {
                    Integer from = swPorts.get(move.fromPort());
                    if (from != null) {
                        FlowSpec old = admitSpec(from, e.network(), Cookie.of(e.network(), e.id(), move.fromGeneration()));
                        flows.putIfAbsent(old.key(), old);
                    }
                    rescueStragglers(flows, adjacency, swPorts, move, e);
                }
                if (move.state() == MoveState.COMMITTED && !move.fromSwitch().equals(sw) && redirects(move, adjacency)) {
                    keepTowardsSource(flows, adjacency, swPorts, sw, move, e);
                }
            }
            for (Map.Entry<Integer, Set<Integer>> network : floodPorts.entrySet()) {
                List<OFAction> outputs = new ArrayList<>();
                for (int port : network.getValue()) {
                    outputs.add(OF.actions().output(OFPort.of(port), 0));
                }
                Match match = OF.buildMatch().setExact(MatchField.METADATA, metadata(network.getKey()))
                        .setMasked(MatchField.ETH_DST, MULTICAST_BIT, MULTICAST_BIT).build();
                put(flows, FlowSpec.of(TABLE_FORWARD, PRIORITY_FLOOD, match, FABRIC_COOKIE,
                        List.of(OF.instructions().applyActions(outputs))));
            }
        }
        return plan;
    }

    /**
     * Whether an open move sends the endpoint's traffic at its source switch to the forwarder: once redirected,
     * until the commit if the destination switch is reachable over the links, else until cleanup.
     */
    private static boolean redirects(Move move, Map<Dpid, Map<String, Dpid>> adjacency) {
        if (move.forwarderPort() == null) {
            return false;
        }
        return move.state() == MoveState.REDIRECTED
                || move.state() == MoveState.COMMITTED && !reachable(adjacency, move.fromSwitch(), move.toSwitch());
    }

    /** Whether {@code to} is {@code from} or has a link path from it. */
    static boolean reachable(Map<Dpid, Map<String, Dpid>> adjacency, Dpid from, Dpid to) {
        return from.equals(to) || nextHop(adjacency, from, to) != null;
    }

    /**
     * At a committed move's source switch, until cleanup: frames for the endpoint that still arrive over the link
     * toward its new switch (a switch upstream forwarding by a flow it cached before the commit: Open vSwitch's
     * datapath keeps a translated path for a while after its tables changed) would go back out of the port they came
     * in by, which drops them; they go to the forwarder instead, which sends them on through the tunnel.
     */
    private static void rescueStragglers(Map<FlowKey, FlowSpec> flows, Map<Dpid, Map<String, Dpid>> adjacency,
                                         Map<String, Integer> swPorts, Move move, Endpoint e) {
        Integer forwarder = move.forwarderPort() == null ? null : swPorts.get(move.forwarderPort());
        String towards = nextHop(adjacency, move.fromSwitch(), move.toSwitch());
        Integer link = towards == null ? null : swPorts.get(towards);
        if (forwarder != null && link != null) {
            forwardArrived(flows, link, e.mac(), forwarder, Cookie.of(e.network(), e.id(), move.id()));
        }
    }

    /**
     * At a switch of a committed move's old site, one that reaches its source switch but not its new one (the site's
     * bridge above a hypervisor's own switch, across a WAN): the endpoint's traffic still goes towards the source
     * switch, whose kept redirect hands it to the forwarder. Without it the commit would leave that traffic nowhere to
     * go, while the site's router still sends to the endpoint's MAC until the forwarder's proxy answers for it.
     */
    private static void keepTowardsSource(Map<FlowKey, FlowSpec> flows, Map<Dpid, Map<String, Dpid>> adjacency,
                                          Map<String, Integer> swPorts, Dpid sw, Move move, Endpoint e) {
        if (nextHop(adjacency, sw, move.toSwitch()) != null) {
            return;
        }
        String towards = nextHop(adjacency, sw, move.fromSwitch());
        Integer port = towards == null ? null : swPorts.get(towards);
        if (port != null) {
            forward(flows, PRIORITY_UNICAST, e.network(), e.mac(), port, Cookie.of(e.network(), e.id(), move.id()));
        }
    }

    /**
     * The one network whose traffic crosses the links between switches: the lowest network id among the endpoints
     * (1 when there are none). Frames leave a link port untagged, so a link can carry one network and stay isolated;
     * the other networks' endpoints are reached on their own switch only, until the overlay (issue 19's later slice)
     * carries the network's id between switches.
     */
    static int linkNetwork(ModelState model) {
        return model.endpoints().values().stream().mapToInt(p -> p.endpoint().network()).min().orElse(1);
    }

    private static void admit(Map<FlowKey, FlowSpec> flows, int port, int network, long cookie) {
        put(flows, admitSpec(port, network, cookie));
    }

    /** Admits what arrives on {@code port}, tagged with its network in the metadata, to the forwarding table. */
    private static FlowSpec admitSpec(int port, int network, long cookie) {
        Match match = OF.buildMatch().setExact(MatchField.IN_PORT, OFPort.of(port)).build();
        List<OFInstruction> goTo = List.of(OF.instructions().writeMetadata(U64.of(network), U64.NO_MASK),
                OF.instructions().gotoTable(TableId.of(TABLE_FORWARD)));
        return FlowSpec.of(TABLE_ADMIT, PRIORITY_ADMIT, match, cookie, goTo);
    }

    private static OFMetadata metadata(int network) {
        return OFMetadata.of(U64.of(network));
    }

    /** Frames of {@code network} (the metadata the admitting table wrote) for {@code mac}. */
    private static Match unicastMatch(int network, String mac) {
        return OF.buildMatch().setExact(MatchField.METADATA, metadata(network))
                .setExact(MatchField.ETH_DST, MacAddress.of(mac)).build();
    }

    /**
     * At a move's destination switch: frames for the endpoint that arrive over the link toward its old location go
     * to its new port. Only a switch that already forwards by the commit sends them that way, and the old flow would
     * send them back out of the port they came in by, which drops them: a commit that reaches the switches one after
     * another, or a switch that follows them in its own time, loses nothing.
     */
    private static void forwardArrived(Map<FlowKey, FlowSpec> flows, int linkPort, String mac, int port, long cookie) {
        output(flows, PRIORITY_ARRIVED, OF.buildMatch().setExact(MatchField.IN_PORT, OFPort.of(linkPort))
                .setExact(MatchField.ETH_DST, MacAddress.of(mac)).build(), port, cookie);
    }

    private static void forward(Map<FlowKey, FlowSpec> flows, int priority, int network, String mac, int port,
                                long cookie) {
        output(flows, priority, unicastMatch(network, mac), port, cookie);
    }

    /** A forwarding-table flow sending what {@code match} matches out of {@code port}. */
    private static void output(Map<FlowKey, FlowSpec> flows, int priority, Match match, int port, long cookie) {
        output(flows, priority, match, List.of(port), cookie);
    }

    /** A forwarding-table flow sending what {@code match} matches out of each of {@code ports}. */
    private static void output(Map<FlowKey, FlowSpec> flows, int priority, Match match, List<Integer> ports,
                               long cookie) {
        List<OFAction> actions = ports.stream().map(port -> (OFAction) OF.actions().output(OFPort.of(port), 0)).toList();
        put(flows, FlowSpec.of(TABLE_FORWARD, priority, match, cookie, List.of(OF.instructions().applyActions(actions))));
    }

    private static void put(Map<FlowKey, FlowSpec> flows, FlowSpec spec) {
        flows.put(spec.key(), spec);
    }

    /** For each switch: its link ports and the switch each leads to. */
    static Map<Dpid, Map<String, Dpid>> adjacency(List<Link> links) {
        Map<Dpid, Map<String, Dpid>> adjacency = new HashMap<>();
        for (Link link : links) {
            adjacency.computeIfAbsent(link.switchA(), k -> new LinkedHashMap<>()).put(link.portA(), link.switchB());
            adjacency.computeIfAbsent(link.switchB(), k -> new LinkedHashMap<>()).put(link.portB(), link.switchA());
        }
        return adjacency;
    }

    /**
     * {@code switches} grouped by their distance over the links from {@code origin}, nearest first ({@code origin}
     * itself first, when listed); the switches it cannot reach come last, together.
     */
    public static List<List<Dpid>> byDistance(List<Link> links, Dpid origin, Collection<Dpid> switches) {
        Map<Dpid, Map<String, Dpid>> adjacency = adjacency(links);
        Map<Dpid, Integer> distance = new HashMap<>();
        Deque<Dpid> queue = new ArrayDeque<>();
        distance.put(origin, 0);
        queue.add(origin);
        while (!queue.isEmpty()) {
            Dpid sw = queue.poll();
            for (Dpid next : adjacency.getOrDefault(sw, Map.of()).values()) {
                if (distance.putIfAbsent(next, distance.get(sw) + 1) == null) {
                    queue.add(next);
                }
            }
        }
        Map<Integer, List<Dpid>> levels = new java.util.TreeMap<>();
        for (Dpid sw : new TreeSet<>(switches)) {
            levels.computeIfAbsent(distance.getOrDefault(sw, Integer.MAX_VALUE), k -> new ArrayList<>()).add(sw);
        }
        return List.copyOf(levels.values());
    }

    /** The port of {@code from} on the shortest link path to {@code to}, or null if there is none. */
    static String nextHop(Map<Dpid, Map<String, Dpid>> adjacency, Dpid from, Dpid to) {
        Map<Dpid, String> firstPort = new HashMap<>();
        Deque<Dpid> queue = new ArrayDeque<>();
        queue.add(from);
        firstPort.put(from, null);
        while (!queue.isEmpty()) {
            Dpid sw = queue.poll();
            for (Map.Entry<String, Dpid> edge : adjacency.getOrDefault(sw, Map.of()).entrySet()) {
                Dpid next = edge.getValue();
                if (!firstPort.containsKey(next)) {
                    firstPort.put(next, sw.equals(from) ? edge.getKey() : firstPort.get(sw));
                    if (next.equals(to)) {
                        return firstPort.get(next);
                    }
                    queue.add(next);
                }
            }
        }
        return null;
    }
}
