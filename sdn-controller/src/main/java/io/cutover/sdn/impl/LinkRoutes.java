package io.cutover.sdn.impl;

import io.cutover.sdn.Dpid;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * The first port of the shortest link path between two switches, from one breadth-first search per source switch
 * (all destinations at once) instead of one per pair. A plan asks for a next hop per switch and endpoint: at 1,000
 * switches and 50,000 endpoints a search per question was the planner's whole time ({@code bench scale}'s profile).
 * Whoever asks keeps one for as long as its adjacency stands ({@link FabricGraph}, {@link MacSegments}).
 */
final class LinkRoutes {
    private final Map<Dpid, Map<String, Dpid>> adjacency;
    private final Map<Dpid, Map<Dpid, String>> firstPorts = new HashMap<>();

    /** The routes over {@code adjacency}, searched as asked for (an adjacency map that is not changed once built). */
    LinkRoutes(Map<Dpid, Map<String, Dpid>> adjacency) {
        this.adjacency = adjacency;
    }

    /** Whether {@code to} is {@code from} or has a link path from it. */
    boolean reachable(Dpid from, Dpid to) {
        return from.equals(to) || nextHop(from, to) != null;
    }

    /** The port of {@code from} on the shortest link path to {@code to}, or null if there is none (or they are one). */
    String nextHop(Dpid from, Dpid to) {
        return firstPorts.computeIfAbsent(from, this::search).get(to);
    }

    /** Every switch {@code from} reaches, with the port of {@code from} its shortest path leaves by. */
    private Map<Dpid, String> search(Dpid from) {
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
                    queue.add(next);
                }
            }
        }
        firstPort.remove(from);
        return firstPort;
    }
}
