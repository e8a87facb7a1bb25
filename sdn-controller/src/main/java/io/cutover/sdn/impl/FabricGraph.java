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
 * towards another switch for a given network, and whether that port is a tunnel.
 */
final class FabricGraph {
    /** The first step from a switch towards another: the port to send by, and whether it is a tunnel. */
    record Hop(String port, boolean overlay) {
    }

    private final Map<Dpid, Map<String, Dpid>> cables = new HashMap<>();
    private final Map<Dpid, Map<String, Dpid>> tunnels = new HashMap<>();
    private final Map<Dpid, Dpid> segments = new HashMap<>();
    private final int cableNetwork;

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

    /** {@code sw}'s tunnel ports. */
    Set<String> tunnelPorts(Dpid sw) {
        return tunnels.getOrDefault(sw, Map.of()).keySet();
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
        Map<Dpid, Hop> firstHop = new HashMap<>();
        Deque<Dpid> queue = new ArrayDeque<>();
        queue.add(from);
        firstHop.put(from, null);
        while (!queue.isEmpty()) {
            Dpid sw = queue.poll();
            for (Map.Entry<Hop, Dpid> edge : edges(sw, network).entrySet()) {
                Dpid next = edge.getValue();
                if (!firstHop.containsKey(next)) {
                    firstHop.put(next, sw.equals(from) ? edge.getKey() : firstHop.get(sw));
                    if (next.equals(to)) {
                        return firstHop.get(next);
                    }
                    queue.add(next);
                }
            }
        }
        return null;
    }

    /** Whether {@code network}'s frames can get from {@code from} to {@code to} (or they are one switch). */
    boolean reachable(Dpid from, Dpid to, int network) {
        return from.equals(to) || towards(from, to, network) != null;
    }

    private Map<Hop, Dpid> edges(Dpid sw, int network) {
        Map<Hop, Dpid> edges = new LinkedHashMap<>();
        if (onCables(network)) {
            cables.getOrDefault(sw, Map.of()).forEach((port, next) -> edges.put(new Hop(port, false), next));
        }
        tunnels.getOrDefault(sw, Map.of()).forEach((port, next) -> {
            if (carries(sw, next, network)) {
                edges.put(new Hop(port, true), next);
            }
        });
        return edges;
    }
}
