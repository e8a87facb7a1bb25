package io.cutover.sdn.impl;

import io.cutover.sdn.Endpoint;
import io.cutover.sdn.Link;
import io.cutover.sdn.Move;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The controller's desired state: endpoints (each with the generation of its flows), links and moves. It is what
 * the journal stores and what {@link FlowPlanner} turns into flows. Immutable: every change makes a new one.
 *
 * @param endpoints  by name
 * @param links      the cables between switches
 * @param moves      by id
 * @param nextMoveId the id of the next move
 */
public record ModelState(Map<String, Placed> endpoints, List<Link> links, Map<Integer, Move> moves, int nextMoveId) {

    /** An endpoint at its current location, with the generation of its flows. */
    public record Placed(Endpoint endpoint, int generation) {
    }

    /** Finished moves beyond this many are forgotten (oldest id first). */
    public static final int MAX_CLOSED_MOVES = 32;

    public ModelState {
        endpoints = Map.copyOf(endpoints);
        links = List.copyOf(links);
        moves = Map.copyOf(moves);
    }

    public static ModelState empty() {
        return new ModelState(Map.of(), List.of(), Map.of(), 1);
    }

    public ModelState withEndpoint(Placed placed) {
        return withEndpoints(List.of(placed));
    }

    /** This state with {@code placed} added, or replacing the endpoints of the same names. */
    public ModelState withEndpoints(List<Placed> placed) {
        Map<String, Placed> copy = new TreeMap<>(endpoints);
        placed.forEach(p -> copy.put(p.endpoint().name(), p));
        return new ModelState(copy, links, moves, nextMoveId);
    }

    public ModelState withoutEndpoint(String name) {
        Map<String, Placed> copy = new TreeMap<>(endpoints);
        copy.remove(name);
        return new ModelState(copy, links, moves, nextMoveId);
    }

    public ModelState withLinks(List<Link> newLinks) {
        return new ModelState(endpoints, newLinks, moves, nextMoveId);
    }

    public ModelState withMove(Move move) {
        Map<Integer, Move> copy = new TreeMap<>(moves);
        copy.put(move.id(), move);
        if (copy.size() > MAX_CLOSED_MOVES) {
            copy.values().stream().filter(m -> !m.open() && m.id() != move.id())
                    .limit(copy.size() - MAX_CLOSED_MOVES).map(Move::id).toList().forEach(copy::remove);
        }
        return new ModelState(endpoints, links, copy, Math.max(nextMoveId, move.id() + 1));
    }

    /**
     * The VXLAN network identifier that carries {@code network} across the overlay between hypervisors. Until
     * networks are objects of their own with a VNI each, a network's VNI is its id.
     */
    public int vni(int network) {
        return network;
    }

    /** The open move of an endpoint, if any. */
    public Optional<Move> openMove(String endpoint) {
        return moves.values().stream().filter(m -> m.endpoint().equals(endpoint) && m.open()).findFirst();
    }
}
