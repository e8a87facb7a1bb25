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
import java.util.function.Consumer;

/**
 * Turns the desired state into the flows of every switch (a pure function). Two tables:
 * <ul>
 *   <li>table 0 admits traffic from known ports only: each endpoint's port writes its network's id into the
 *       metadata, each cable's port the {@linkplain FabricGraph#cableNetwork() cable network}'s, each overlay tunnel's port the id of
 *       the network whose VNI the frame's tunnel id holds; all go to table 1;</li>
 *   <li>table 1 forwards by network and MAC (metadata + eth_dst): per endpoint to the port towards it (along the cable
 *       tree, or into a tunnel with the network's VNI set in the tunnel id), broadcast and multicast to the endpoint
 *       ports of the frame's network on the switch, the cables (for the cable network) and the tunnels (ARP and ND are
 *       flooded this way; what came from a tunnel goes to the switch's own ports only), answers to the controller's
 *       probes (frames for its own MAC) to the controller ({@link EndpointProbes}), nothing else (no NORMAL, no
 *       flooding of unknown unicast). Two networks may use one MAC; a port belongs to one network.</li>
 * </ul>
 * A switch sends each network's unicast by default towards the root of the switches it reaches
 * ({@link FabricGraph#byDefault}, the lowest priority), and holds an endpoint's unicast only where the way towards the
 * endpoint is not that default: its own switch, and the switches between the root and it. On a tree of a thousand
 * switches a leaf holds its own endpoints' flows, not every endpoint's, and a move changes flows only on the switches
 * between its two places and the root. Every step, by an endpoint's flow or by default, is the first of a shortest
 * path towards the endpoint (a default is used only where the two agree), so frames take the ways they took with a
 * flow per endpoint on every switch; a frame for an unknown MAC goes towards the root and is dropped there.
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
    /** Broadcasts and multicasts that came from a tunnel: flooded to the switch's own ports only (split horizon). */
    public static final int PRIORITY_FLOOD_FROM_TUNNEL = 60;
    /** A network's unicast that no endpoint's flow on the switch takes: towards the root of its fabric. */
    public static final int PRIORITY_DEFAULT = 10;
    /** The cookie of flows that belong to the fabric, not to an endpoint (links, floods). */
    public static final long FABRIC_COOKIE = Cookie.of(0, 0, 0);
    private static final MacAddress MULTICAST_BIT = MacAddress.of("01:00:00:00:00:00");

    private static final OFFactory OF = SwitchSession.OF;

    private FlowPlanner() {
    }

    /**
     * The flows of every switch named in the model or in {@code ports} (a full plan: {@link FlowPlan} keeps one up to
     * date by parts, from the same rules).
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
        FlowPlan full = new FlowPlan(model, ports);
        Map<Dpid, Map<FlowKey, FlowSpec>> plan = new LinkedHashMap<>();
        for (Dpid sw : switches) {
            plan.put(sw, new LinkedHashMap<>(full.flows(sw)));
        }
        return plan;
    }

    /**
     * What every rule reads besides the switch's ports: the model, its fabric (kept while the links and the cable
     * network stand) and the networks that have endpoints.
     */
    record Inputs(ModelState model, FabricGraph fabric, Set<Integer> networks) {
    }

    /**
     * The fabric's flows on {@code sw} (cookie {@link #FABRIC_COOKIE}): the probes' answers to the controller, its
     * cables' and tunnels' admission and the
     * floods of each network, whose ports are the cables, the tunnels and the ports of the endpoints {@code here}
     * (those on {@code sw}). Returns each network's flooding actions on {@code sw} (the responder's flows use them).
     */
    static Map<Integer, List<OFAction>> fabricFlows(Inputs in, Dpid sw, Map<String, Integer> swPorts,
                                                    Collection<Endpoint> here, Consumer<FlowSpec> flows) {
        FabricGraph fabric = in.fabric();
        EndpointProbes.answerFlow(flows);
        Floods floods = new Floods();
        for (String cable : fabric.cablePorts(sw)) {
            Integer number = swPorts.get(cable);
            if (number != null) {
                admit(flows, number, fabric.cableNetwork(), FABRIC_COOKIE);
                floods.cable(fabric.cableNetwork(), number);
            }
        }
        for (int network : in.networks()) {
            for (String tunnel : fabric.tunnelPorts(sw, network)) {
                Integer number = swPorts.get(tunnel);
                if (number != null) {
                    floods.tunnel(network, number);
                    admitTunnelled(flows, number, network, in.model().vni(network));
                }
            }
        }
        for (Endpoint e : here) {
            Integer number = swPorts.get(e.port());
            if (number != null) {
                floods.endpoint(e.network(), number);
            }
        }
        for (int network : in.networks()) {
            Out towardsRoot = byDefault(in, swPorts, sw, network);
            if (towardsRoot != null) {
                output(flows, PRIORITY_DEFAULT, OF.buildMatch().setExact(MatchField.METADATA, metadata(network)).build(),
                        towardsRoot.actions(), FABRIC_COOKIE);
            }
        }
        return floods.plan(flows, in.model());
    }

    /** The switches {@link #endpointFlows} may plan an endpoint's flows on: its own, and those off their default. */
    static List<Dpid> endpointSwitches(Inputs in, Endpoint e) {
        List<Dpid> off = in.fabric().offDefault(e.switchId(), e.network());
        List<Dpid> all = new ArrayList<>(off.size() + 1);
        all.add(e.switchId());
        all.addAll(off);
        return all;
    }

    /**
     * An endpoint's own flows on {@code sw}: on its switch, its port's admission and the unicast to its port (its
     * cookie: network, id and generation); elsewhere the unicast towards it ({@link Cookie#anyPlace}, so that a move
     * leaves it alone where its output stays).
     */
    static void endpointFlows(Inputs in, ModelState.Placed placed, Dpid sw, Map<String, Integer> swPorts,
                              Consumer<FlowSpec> flows) {
        Endpoint e = placed.endpoint();
        if (e.switchId().equals(sw)) {
            Integer number = swPorts.get(e.port());
            if (number != null) {
                long cookie = Cookie.of(e.network(), e.id(), placed.generation());
                admit(flows, number, e.network(), cookie);
                forward(flows, PRIORITY_UNICAST, e.network(), e.mac(), new Out(number, 0), cookie);
            }
        } else {
            Out towards = out(in.fabric(), swPorts, sw, e.switchId(), e.network(), in.model());
            if (towards != null && !towards.equals(byDefault(in, swPorts, sw, e.network()))) {
                forward(flows, PRIORITY_UNICAST, e.network(), e.mac(), towards, Cookie.anyPlace(e.network(), e.id()));
            }
        }
    }

    /**
     * The switches {@link #moveFlows} may plan flows on, of {@code all}: the move's two, and every switch once a
     * committed move keeps its redirect (its old site's switches keep sending towards the source).
     */
    static Collection<Dpid> moveSwitches(Inputs in, Move move, Collection<Dpid> all) {
        ModelState.Placed placed = in.model().endpoints().get(move.endpoint());
        if (placed == null || !move.open()) {
            return List.of();
        }
        if (move.state() == MoveState.COMMITTED && redirects(move, in.fabric(), placed.endpoint())) {
            return all;
        }
        return move.fromSwitch().equals(move.toSwitch()) ? List.of(move.fromSwitch())
                : List.of(move.fromSwitch(), move.toSwitch());
    }

    /**
     * An open move's flows on {@code sw} (the move's cookie), see the class comment; a committed move's admission of
     * the old port goes to {@code kept}, which yields to any other flow of the same match.
     */
    static void moveFlows(Inputs in, Move move, Dpid sw, Map<String, Integer> swPorts, Consumer<FlowSpec> flows,
                          Consumer<FlowSpec> kept) {
        ModelState.Placed placed = in.model().endpoints().get(move.endpoint());
        if (placed == null || !move.open()) {
            return;
        }
        FabricGraph fabric = in.fabric();
        Endpoint e = placed.endpoint();
        long moveCookie = Cookie.of(e.network(), e.id(), move.id());
        boolean from = move.fromSwitch().equals(sw);
        if (move.state() == MoveState.PREPARED || move.state() == MoveState.REDIRECTED) {
            Integer to = move.toSwitch().equals(sw) ? swPorts.get(move.toPort()) : null;
            if (to != null) {
                admit(flows, to, e.network(), moveCookie);
                FabricGraph.Hop back = fabric.towards(sw, move.fromSwitch(), e.network());
                Integer backPort = back == null ? null : swPorts.get(back.port());
                if (backPort != null) {
                    forwardArrived(flows, backPort, e, to, moveCookie);
                }
                Integer forwarderHere = move.forwarderPort() == null ? null : swPorts.get(move.forwarderPort());
                if (forwarderHere != null) {
                    forwardArrived(flows, forwarderHere, e, to, moveCookie);
                }
            }
        }
        if (from && redirects(move, fabric, e)) {
            Integer forwarder = swPorts.get(move.forwarderPort());
            if (forwarder != null) {
                forward(flows, PRIORITY_REDIRECT, e.network(), e.mac(), new Out(forwarder, 0), moveCookie);
            }
        }
        if (from && move.state() == MoveState.PREPARED && move.forwarderPort() != null) {
            Integer forwarder = swPorts.get(move.forwarderPort());
            Integer vmPort = swPorts.get(move.fromPort());
            if (forwarder != null && vmPort != null) {
                output(flows, PRIORITY_REDIRECT, unicastMatch(e.network(), e.mac()),
                        List.of(OF.actions().output(OFPort.of(vmPort), 0),
                                OF.actions().output(OFPort.of(forwarder), 0)), moveCookie);
            }
        }
        if (move.state() == MoveState.COMMITTED && from) {
            Integer fromPort = swPorts.get(move.fromPort());
            if (fromPort != null) {
                admit(kept, fromPort, e.network(), Cookie.of(e.network(), e.id(), move.fromGeneration()));
            }
            rescueStragglers(flows, fabric, swPorts, move, e);
        }
        if (move.state() == MoveState.COMMITTED && !from && redirects(move, fabric, e)) {
            keepTowardsSource(flows, fabric, swPorts, sw, move, e, in.model());
        }
    }

    /** A port to send by, with the VNI to tag the frame with when it is a tunnel's (0: untagged). */
    private record Out(int port, int vni) {
        List<OFAction> actions() {
            OFAction output = OF.actions().output(OFPort.of(port), 0);
            return vni == 0 ? List.of(output) : List.of(tunnelId(vni), output);
        }
    }

    /** Where {@code sw} sends {@code network}'s unicast by default ({@link FabricGraph#byDefault}); null if nowhere. */
    private static Out byDefault(Inputs in, Map<String, Integer> swPorts, Dpid sw, int network) {
        return out(in.fabric().byDefault(sw, network), swPorts, network, in.model());
    }

    /** The port of {@code sw} towards {@code to} for {@code network}, tagged when it is a tunnel's; null if none. */
    private static Out out(FabricGraph fabric, Map<String, Integer> swPorts, Dpid sw, Dpid to, int network,
                           ModelState model) {
        return out(fabric.towards(sw, to, network), swPorts, network, model);
    }

    private static Out out(FabricGraph.Hop hop, Map<String, Integer> swPorts, int network, ModelState model) {
        Integer number = hop == null ? null : swPorts.get(hop.port());
        return number == null ? null : new Out(number, hop.overlay() ? model.vni(network) : 0);
    }

    private static OFAction tunnelId(int vni) {
        return OF.actions().setField(OF.oxms().tunnelId(U64.of(vni)));
    }

    /**
     * Where a switch floods each network's broadcasts and multicasts: its endpoints' ports of that network, its cables
     * (for the cable network) and its tunnels (tagged with the network's VNI). What arrives from a tunnel is flooded
     * to the endpoints and cables only (split horizon), so tunnels may form a full mesh without a loop.
     */
    private static final class Floods {
        private final Map<Integer, Set<Integer>> local = new java.util.TreeMap<>();
        private final Map<Integer, Set<Integer>> tunnels = new java.util.TreeMap<>();

        void endpoint(int network, int port) {
            local.computeIfAbsent(network, n -> new TreeSet<>()).add(port);
        }

        void cable(int network, int port) {
            endpoint(network, port);
        }

        void tunnel(int network, int port) {
            tunnels.computeIfAbsent(network, n -> new TreeSet<>()).add(port);
        }

        /** Adds the flood flows; returns each network's flooding actions (what does not come from a tunnel). */
        Map<Integer, List<OFAction>> plan(Consumer<FlowSpec> flows, ModelState model) {
            Map<Integer, List<OFAction>> flooding = new java.util.TreeMap<>();
            Set<Integer> networks = new TreeSet<>(local.keySet());
            networks.addAll(tunnels.keySet());
            for (int network : networks) {
                List<OFAction> here = local.getOrDefault(network, Set.of()).stream()
                        .map(port -> (OFAction) OF.actions().output(OFPort.of(port), 0)).toList();
                Set<Integer> networkTunnels = tunnels.getOrDefault(network, Set.of());
                List<OFAction> everywhere = new ArrayList<>(here);
                if (!networkTunnels.isEmpty()) {
                    everywhere.add(tunnelId(model.vni(network)));
                    networkTunnels.forEach(port -> everywhere.add(OF.actions().output(OFPort.of(port), 0)));
                }
                put(flows, FlowSpec.of(TABLE_FORWARD, PRIORITY_FLOOD, multicast(network).build(), FABRIC_COOKIE,
                        List.of(OF.instructions().applyActions(everywhere))));
                flooding.put(network, List.copyOf(everywhere));
                for (int tunnel : networkTunnels) {
                    Match fromTunnel = multicast(network).setExact(MatchField.IN_PORT, OFPort.of(tunnel)).build();
                    put(flows, FlowSpec.of(TABLE_FORWARD, PRIORITY_FLOOD_FROM_TUNNEL, fromTunnel, FABRIC_COOKIE,
                            List.of(OF.instructions().applyActions(here))));
                }
            }
            return flooding;
        }

        private static Match.Builder multicast(int network) {
            return OF.buildMatch().setExact(MatchField.METADATA, metadata(network))
                    .setMasked(MatchField.ETH_DST, MULTICAST_BIT, MULTICAST_BIT);
        }
    }

    /**
     * Whether an open move sends the endpoint's traffic at its source switch to the forwarder: once redirected,
     * until the commit if the destination switch is reachable over the links (for the endpoint's network), else
     * until cleanup.
     */
    private static boolean redirects(Move move, FabricGraph fabric, Endpoint e) {
        if (move.forwarderPort() == null) {
            return false;
        }
        return move.state() == MoveState.REDIRECTED || move.state() == MoveState.COMMITTED
                && !fabric.reachable(move.fromSwitch(), move.toSwitch(), e.network());
    }

    /**
     * At a committed move's source switch, until cleanup: frames for the endpoint that still arrive over the link
     * toward its new switch (a switch upstream forwarding by a flow it cached before the commit: Open vSwitch's
     * datapath keeps a translated path for a while after its tables changed) would go back out of the port they came
     * in by, which drops them; they go to the forwarder instead, which sends them on through the tunnel.
     */
    private static void rescueStragglers(Consumer<FlowSpec> flows, FabricGraph fabric,
                                         Map<String, Integer> swPorts, Move move, Endpoint e) {
        Integer forwarder = move.forwarderPort() == null ? null : swPorts.get(move.forwarderPort());
        FabricGraph.Hop towards = fabric.towards(move.fromSwitch(), move.toSwitch(), e.network());
        Integer link = towards == null ? null : swPorts.get(towards.port());
        if (forwarder != null && link != null) {
            forwardArrived(flows, link, e, forwarder, Cookie.of(e.network(), e.id(), move.id()));
        }
    }

    /**
     * At a switch of a committed move's old site, one that reaches its source switch but not its new one (the site's
     * bridge above a hypervisor's own switch, across a WAN): the endpoint's traffic still goes towards the source
     * switch, whose kept redirect hands it to the forwarder. Without it the commit would leave that traffic nowhere to
     * go, while the site's router still sends to the endpoint's MAC until the forwarder's proxy answers for it.
     */
    private static void keepTowardsSource(Consumer<FlowSpec> flows, FabricGraph fabric,
                                          Map<String, Integer> swPorts, Dpid sw, Move move, Endpoint e,
                                          ModelState model) {
        if (fabric.towards(sw, move.toSwitch(), e.network()) != null) {
            return;
        }
        Out towards = out(fabric, swPorts, sw, move.fromSwitch(), e.network(), model);
        if (towards != null) {
            forward(flows, PRIORITY_UNICAST, e.network(), e.mac(), towards, Cookie.of(e.network(), e.id(), move.id()));
        }
    }

    private static void admit(Consumer<FlowSpec> flows, int port, int network, long cookie) {
        put(flows, admitSpec(port, network, cookie));
    }

    /** Admits what arrives on {@code port}, tagged with its network in the metadata, to the forwarding table. */
    private static FlowSpec admitSpec(int port, int network, long cookie) {
        Match match = OF.buildMatch().setExact(MatchField.IN_PORT, OFPort.of(port)).build();
        List<OFInstruction> goTo = List.of(OF.instructions().writeMetadata(U64.of(network), U64.NO_MASK),
                OF.instructions().gotoTable(TableId.of(TABLE_FORWARD)));
        return FlowSpec.of(TABLE_ADMIT, PRIORITY_ADMIT, match, cookie, goTo);
    }

    /**
     * Admits what arrives from tunnel port {@code port} with {@code network}'s VNI in its tunnel id, tagged with the
     * network in the metadata, to the forwarding table; a VNI no network has matches nothing and is dropped.
     */
    private static void admitTunnelled(Consumer<FlowSpec> flows, int port, int network, int vni) {
        Match match = OF.buildMatch().setExact(MatchField.IN_PORT, OFPort.of(port))
                .setExact(MatchField.TUNNEL_ID, U64.of(vni)).build();
        List<OFInstruction> goTo = List.of(OF.instructions().writeMetadata(U64.of(network), U64.NO_MASK),
                OF.instructions().gotoTable(TableId.of(TABLE_FORWARD)));
        put(flows, FlowSpec.of(TABLE_ADMIT, PRIORITY_ADMIT, match, FABRIC_COOKIE, goTo));
    }

    static OFMetadata metadata(int network) {
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
     * another, or a switch that follows them in its own time, loses nothing. The frames are the endpoint's network's
     * (the metadata), so another network's frames for the same MAC keep their own way.
     */
    private static void forwardArrived(Consumer<FlowSpec> flows, int linkPort, Endpoint e, int port, long cookie) {
        Match match = OF.buildMatch().setExact(MatchField.IN_PORT, OFPort.of(linkPort))
                .setExact(MatchField.METADATA, metadata(e.network()))
                .setExact(MatchField.ETH_DST, MacAddress.of(e.mac())).build();
        output(flows, PRIORITY_ARRIVED, match, new Out(port, 0).actions(), cookie);
    }

    private static void forward(Consumer<FlowSpec> flows, int priority, int network, String mac, Out out,
                                long cookie) {
        output(flows, priority, unicastMatch(network, mac), out.actions(), cookie);
    }

    /** A forwarding-table flow applying {@code actions} to what {@code match} matches. */
    private static void output(Consumer<FlowSpec> flows, int priority, Match match, List<OFAction> actions,
                               long cookie) {
        put(flows, FlowSpec.of(TABLE_FORWARD, priority, match, cookie, List.of(OF.instructions().applyActions(actions))));
    }

    static void put(Consumer<FlowSpec> flows, FlowSpec spec) {
        flows.accept(spec);
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
}
