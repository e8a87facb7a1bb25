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
 * Cables must form a tree (a forest): broadcasts are flooded along every cable, so a loop would make a broadcast storm,
 * and there is no spanning tree to break it. Overlay tunnels may form a full mesh, since what arrives from a tunnel is
 * never flooded into another, but no frame may arrive twice: two tunnels never join the same two switches, and the
 * cable network, which crosses the tunnels that lead out of a cabled segment ({@link FabricGraph}), must not reenter
 * the overlay from a second switch of its segment, so one switch of a segment at most ends such tunnels. A model that
 * breaks these is refused before anything changes.
 */
final class LinkTree {
    private LinkTree() {
    }

    /** Refuses {@code links} whose cables make a loop, naming the switches around it, or whose tunnels double a path. */
    static void require(List<Link> links) {
        Map<Dpid, List<Dpid>> joined = new HashMap<>();
        for (Link link : links.stream().filter(link -> !link.overlay()).toList()) {
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
        requireOverlay(links, joined);
    }

    /** Refuses overlay tunnels that would deliver a frame twice (see the class comment); cables are a forest. */
    private static void requireOverlay(List<Link> links, Map<Dpid, List<Dpid>> joined) {
        Map<Dpid, Dpid> endOfSegment = new HashMap<>();
        java.util.Set<java.util.Set<Dpid>> joinedByTunnels = new java.util.HashSet<>();
        for (Link tunnel : links.stream().filter(Link::overlay).toList()) {
            if (!joinedByTunnels.add(java.util.Set.of(tunnel.switchA(), tunnel.switchB()))) {
                throw new IllegalArgumentException("the overlay tunnel " + describe(tunnel) + " doubles another tunnel"
                        + " between the same switches: frames would arrive twice");
            }
            if (segment(joined, tunnel.switchA()).equals(segment(joined, tunnel.switchB()))) {
                continue;
            }
            for (Dpid sw : List.of(tunnel.switchA(), tunnel.switchB())) {
                Dpid other = endOfSegment.putIfAbsent(segment(joined, sw), sw);
                if (other != null && !other.equals(sw)) {
                    throw new IllegalArgumentException("the overlay tunnel " + describe(tunnel) + " leads out of the "
                            + "cabled segment of " + sw + ", but " + other + " ends a tunnel out of it too: one switch of"
                            + " a segment may, or the cable network's broadcasts would reenter the overlay");
                }
            }
        }
    }

    private static String describe(Link link) {
        return link.switchA() + " " + link.portA() + " to " + link.switchB() + " " + link.portB();
    }

    /** The lowest datapath id among the switches cables join to {@code sw}: its segment's name. */
    private static Dpid segment(Map<Dpid, List<Dpid>> joined, Dpid sw) {
        Dpid lowest = sw;
        Deque<Dpid> queue = new ArrayDeque<>(List.of(sw));
        java.util.Set<Dpid> seen = new java.util.HashSet<>(List.of(sw));
        while (!queue.isEmpty()) {
            for (Dpid next : joined.getOrDefault(queue.poll(), List.of())) {
                if (seen.add(next)) {
                    queue.add(next);
                    lowest = next.compareTo(lowest) < 0 ? next : lowest;
                }
            }
        }
        return lowest;
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
