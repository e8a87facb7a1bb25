package io.cutover.sdn.impl;

import io.cutover.sdn.Dpid;

import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The first port of the shortest link path between two switches, from one breadth-first search per source switch
 * (all destinations at once) instead of one per pair. A plan asks for a next hop per switch and endpoint: at 1,000
 * switches and 50,000 endpoints a search per question was the planner's whole time ({@code bench scale}'s profile).
 * Whoever asks keeps one for as long as its adjacency stands ({@link FabricGraph}, {@link MacSegments}).
 */
final class LinkRoutes {
    private final Map<Dpid, Map<String, Dpid>> adjacency;
    private final Map<Dpid, Map<Dpid, String>> firstPorts = new HashMap<>();
    /** Each switch's root: see {@link #root}; found for every switch at once when first asked. */
    private Map<Dpid, Dpid> roots;
    private final Map<Dpid, List<Dpid>> offDefault = new HashMap<>();

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

    /**
     * The root of the switches {@code sw} is joined with (itself if it has no links): their centre, the one whose
     * farthest switch is nearest (the top of a tree of racks), then the one with the most links, then the lowest
     * datapath id. Every switch of a group names the same one, which is what lets each switch send by default towards
     * it without a loop: each step brings a frame nearer the root, which has no default.
     */
    Dpid root(Dpid sw) {
        if (roots == null) {
            roots = findRoots();
        }
        return roots.getOrDefault(sw, sw);
    }

    /**
     * The switches whose first step towards {@code target} is not their first step towards their root: where a flow
     * towards {@code target} is needed (on a tree, the switches between it and the root).
     */
    List<Dpid> offDefault(Dpid target) {
        return offDefault.computeIfAbsent(target, t -> adjacency.keySet().stream().filter(sw -> {
            String way = sw.equals(t) ? null : nextHop(sw, t);
            return way != null && !way.equals(nextHop(sw, root(sw)));
        }).toList());
    }

    private Map<Dpid, Dpid> findRoots() {
        Map<Dpid, Dpid> found = new HashMap<>();
        for (Dpid start : adjacency.keySet()) {
            if (found.containsKey(start)) {
                continue;
            }
            Set<Dpid> group = distances(start).keySet();
            Map<Dpid, Integer> farthest = new HashMap<>();
            group.forEach(member -> farthest.put(member, java.util.Collections.max(distances(member).values())));
            Dpid root = group.stream().min(Comparator.<Dpid>comparingInt(farthest::get)
                    .thenComparing(Comparator.<Dpid>comparingInt(d -> adjacency.getOrDefault(d, Map.of()).size())
                            .reversed())
                    .thenComparing(Comparator.naturalOrder())).orElseThrow();
            group.forEach(member -> found.put(member, root));
        }
        return found;
    }

    /** How many links away each switch {@code from} reaches is (itself at 0). */
    private Map<Dpid, Integer> distances(Dpid from) {
        Map<Dpid, Integer> distance = new HashMap<>();
        Deque<Dpid> queue = new ArrayDeque<>(List.of(from));
        distance.put(from, 0);
        while (!queue.isEmpty()) {
            Dpid sw = queue.poll();
            for (Dpid next : adjacency.getOrDefault(sw, Map.of()).values()) {
                if (distance.putIfAbsent(next, distance.get(sw) + 1) == null) {
                    queue.add(next);
                }
            }
        }
        return distance;
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
