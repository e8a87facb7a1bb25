package io.cutover.sdn.impl;

import io.cutover.sdn.Dpid;
import io.cutover.sdn.Link;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Links must form a tree (a forest): broadcasts are flooded along every link, so a loop would make a broadcast storm,
 * and there is no spanning tree to break it. A model whose links make a loop is refused before anything changes.
 */
final class LinkTree {
    private LinkTree() {
    }

    /** Refuses {@code links} that make a loop, naming the switches around it. */
    static void require(List<Link> links) {
        Map<Dpid, List<Dpid>> joined = new HashMap<>();
        for (Link link : links) {
            List<Dpid> path = path(joined, link.switchA(), link.switchB());
            if (path != null) {
                List<Dpid> cycle = new ArrayList<>(path);
                cycle.add(link.switchA());
                throw new IllegalArgumentException("these links make a loop (" + cycle.stream().map(Dpid::toString)
                        .collect(Collectors.joining(" -> ")) + ", closed by the link " + link.switchA() + " "
                        + link.portA() + " to " + link.switchB() + " " + link.portB()
                        + "): broadcasts would circle it; links must form a tree");
            }
            joined.computeIfAbsent(link.switchA(), k -> new ArrayList<>()).add(link.switchB());
            joined.computeIfAbsent(link.switchB(), k -> new ArrayList<>()).add(link.switchA());
        }
    }

    /** The switches on the path from {@code from} to {@code to} over {@code joined}, both included, or null. */
    private static List<Dpid> path(Map<Dpid, List<Dpid>> joined, Dpid from, Dpid to) {
        Map<Dpid, Dpid> previous = new HashMap<>();
        Deque<Dpid> queue = new ArrayDeque<>();
        previous.put(from, from);
        queue.add(from);
        while (!queue.isEmpty()) {
            Dpid sw = queue.poll();
            if (sw.equals(to)) {
                List<Dpid> path = new ArrayList<>();
                for (Dpid at = to; !at.equals(from); at = previous.get(at)) {
                    path.add(at);
                }
                path.add(from);
                Collections.reverse(path);
                return path;
            }
            for (Dpid next : joined.getOrDefault(sw, List.of())) {
                if (previous.putIfAbsent(next, sw) == null) {
                    queue.add(next);
                }
            }
        }
        return null;
    }
}
