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
 * <p>
 * The routes of the last adjacency asked about are kept per thread, keyed by that adjacency's identity: a plan builds
 * its adjacency once and never changes it, so the routes live exactly as long as the plan keeps asking.
 */
final class LinkRoutes {
    private static final ThreadLocal<LinkRoutes> LAST = new ThreadLocal<>();

    private final Map<Dpid, Map<String, Dpid>> adjacency;
    private final Map<Dpid, Map<Dpid, String>> firstPorts = new HashMap<>();

    /** The routes over {@code adjacency}, searched as asked for (an adjacency map that is not changed once built). */
    LinkRoutes(Map<Dpid, Map<String, Dpid>> adjacency) {
        this.adjacency = adjacency;
    }

    /** The routes over {@code adjacency} (an adjacency map that is not changed once built). */
    static LinkRoutes of(Map<Dpid, Map<String, Dpid>> adjacency) {
        LinkRoutes last = LAST.get();
        if (last != null && last.adjacency == adjacency) {
            return last;
        }
        LinkRoutes routes = new LinkRoutes(adjacency);
        LAST.set(routes);
        return routes;
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
