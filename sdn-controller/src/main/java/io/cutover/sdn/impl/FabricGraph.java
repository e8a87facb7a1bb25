package io.cutover.sdn.impl;

import io.cutover.sdn.Dpid;
import io.cutover.sdn.Link;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How the switches are joined: by cables, which carry one network untagged (the {@linkplain #cableNetwork() cable
 * network}), and by overlay tunnels, which carry the other networks tagged with their VNI. The cable network also
 * crosses the tunnels that lead out of its cabled segment (a switch and those cables join to it), never one within
 * it, which cables already join: so a frame never reaches a switch twice. Answers which port of a switch leads
 * towards another switch for a given network, and whether that port is a tunnel, from one breadth-first search per
 * source switch and kind of network ({@link LinkRoutes}): a plan asks once per switch and endpoint.
 */
final class FabricGraph {
    /** The first step from a switch towards another: the port to send by, and whether it is a tunnel. */
    record Hop(String port, boolean overlay) {
    }

    private final Map<Dpid, Map<String, Dpid>> cables = new HashMap<>();
    private final Map<Dpid, Map<String, Dpid>> tunnels = new HashMap<>();
    private final Map<Dpid, Dpid> segments = new HashMap<>();
    private final int cableNetwork;
    /** The cable network's ways: cables, and tunnels out of a segment. */
    private final LinkRoutes cableNetworkRoutes;
    /** The other networks' ways: tunnels. */
    private final LinkRoutes tunnelRoutes;

    FabricGraph(List<Link> links, int cableNetwork) {
        for (Link link : links) {
            Map<Dpid, Map<String, Dpid>> kind = link.overlay() ? tunnels : cables;
            kind.computeIfAbsent(link.switchA(), k -> new LinkedHashMap<>()).put(link.portA(), link.switchB());
            kind.computeIfAbsent(link.switchB(), k -> new LinkedHashMap<>()).put(link.portB(), link.switchA());
        }
        this.cableNetwork = cableNetwork;
        for (Dpid sw : cables.keySet()) {
            if (!segments.containsKey(sw)) {
                Deque<Dpid> queue = new ArrayDeque<>(List.of(sw));
                segments.put(sw, sw);
                while (!queue.isEmpty()) {
                    for (Dpid next : cables.get(queue.poll()).values()) {
                        if (segments.putIfAbsent(next, sw) == null) {
                            queue.add(next);
                        }
                    }
                }
            }
        }
        Map<Dpid, Map<String, Dpid>> cableNetworkWays = new HashMap<>();
        cables.forEach((sw, ports) -> cableNetworkWays.put(sw, new LinkedHashMap<>(ports)));
        tunnels.forEach((sw, ports) -> ports.forEach((port, peer) -> {
            if (carries(sw, peer, cableNetwork)) {
                cableNetworkWays.computeIfAbsent(sw, k -> new LinkedHashMap<>()).put(port, peer);
            }
        }));
        this.cableNetworkRoutes = new LinkRoutes(cableNetworkWays);
        this.tunnelRoutes = new LinkRoutes(tunnels);
    }

    /** The cabled segment of {@code sw}: one of its switches stands for it (a switch without cables for itself). */
    Dpid segment(Dpid sw) {
        return segments.getOrDefault(sw, sw);
    }

    /** The one network whose frames cross cables (untagged). */
    int cableNetwork() {
        return cableNetwork;
    }

    /** {@code sw}'s cable ports. */
    Set<String> cablePorts(Dpid sw) {
        return cables.getOrDefault(sw, Map.of()).keySet();
    }

    /** {@code sw}'s tunnel ports that {@code network}'s frames cross. */
    List<String> tunnelPorts(Dpid sw, int network) {
        return tunnels.getOrDefault(sw, Map.of()).entrySet().stream()
                .filter(tunnel -> carries(sw, tunnel.getValue(), network)).map(Map.Entry::getKey).toList();
    }

    /** Whether a tunnel from {@code sw} to {@code peer} carries {@code network}: see the class comment. */
    private boolean carries(Dpid sw, Dpid peer, int network) {
        return !onCables(network) || !segment(sw).equals(segment(peer));
    }

    /** Whether {@code network}'s frames cross cables. */
    boolean onCables(int network) {
        return network == cableNetwork;
    }

    /**
     * The first step on the shortest path from {@code from} to {@code to} that {@code network}'s frames may take
     * (tunnels always, cables for the cable network only), or null if there is none or {@code from} is {@code to}.
     */
    Hop towards(Dpid from, Dpid to, int network) {
        String port = (onCables(network) ? cableNetworkRoutes : tunnelRoutes).nextHop(from, to);
        return port == null ? null : new Hop(port, tunnels.getOrDefault(from, Map.of()).containsKey(port));
    }

    /**
     * The first step from {@code sw} towards the root of the switches it reaches for {@code network}
     * ({@link LinkRoutes#root}), where it sends by default what it has no flow of that network for; null at the
     * root, or where it has no way out.
     */
    Hop byDefault(Dpid sw, int network) {
        LinkRoutes routes = onCables(network) ? cableNetworkRoutes : tunnelRoutes;
        return towards(sw, routes.root(sw), network);
    }

    /**
     * The switches other than {@code target} whose way towards it for {@code network} is not their default one
     * ({@link #byDefault}): the only ones that need a flow towards an endpoint there.
     */
    List<Dpid> offDefault(Dpid target, int network) {
        return (onCables(network) ? cableNetworkRoutes : tunnelRoutes).offDefault(target);
    }

    /** Whether {@code network}'s frames can get from {@code from} to {@code to} (or they are one switch). */
    boolean reachable(Dpid from, Dpid to, int network) {
        return from.equals(to) || towards(from, to, network) != null;
    }
}
