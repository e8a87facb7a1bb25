package io.cutover.sdn.impl;

import io.cutover.sdn.Endpoint;
import io.cutover.sdn.Link;
import io.cutover.sdn.Move;
import io.cutover.sdn.Network;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The controller's desired state: endpoints (each with the generation of its flows), links, moves and networks. It is
 * what the journal stores and what {@link FlowPlanner} turns into flows. Immutable: every change makes a new one.
 *
 * @param endpoints  by name, sorted ({@link EndpointMap}: persistent, and remembering its last changes)
 * @param links      the cables between switches
 * @param moves      by id
 * @param nextMoveId the id of the next move
 * @param networks   the defined networks by id; none (a journal written before networks were objects, or a
 *                   controller that never had one defined) leaves every network implicit, its VNI its id
 */
public record ModelState(Map<String, Placed> endpoints, List<Link> links, Map<Integer, Move> moves, int nextMoveId,
                         Map<Integer, Network> networks) {

    /** An endpoint at its current location, with the generation of its flows. */
    public record Placed(Endpoint endpoint, int generation) {
    }

    /** Finished moves beyond this many are forgotten (oldest id first). */
    public static final int MAX_CLOSED_MOVES = 32;

    public ModelState {
        // persistent: a change of one endpoint shares the others with the state before it (50,000 of them at scale)
        endpoints = EndpointMap.from(endpoints);
        links = List.copyOf(links);
        moves = Map.copyOf(moves);
        networks = networks == null ? Map.of() : Map.copyOf(networks);
    }

    public static ModelState empty() {
        return new ModelState(Map.of(), List.of(), Map.of(), 1, Map.of());
    }

    public ModelState withEndpoint(Placed placed) {
        return withEndpoints(List.of(placed));
    }

    /** This state with {@code placed} added, or replacing the endpoints of the same names. */
    public ModelState withEndpoints(List<Placed> placed) {
        EndpointMap changed = (EndpointMap) endpoints;
        for (Placed p : placed) {
            changed = changed.plus(p.endpoint().name(), p);
        }
        return new ModelState(changed, links, moves, nextMoveId, networks);
    }

    public ModelState withoutEndpoint(String name) {
        return new ModelState(((EndpointMap) endpoints).minus(name), links, moves, nextMoveId, networks);
    }

    public ModelState withLinks(List<Link> newLinks) {
        return new ModelState(endpoints, newLinks, moves, nextMoveId, networks);
    }

    public ModelState withMove(Move move) {
        Map<Integer, Move> copy = new TreeMap<>(moves);
        copy.put(move.id(), move);
        if (copy.size() > MAX_CLOSED_MOVES) {
            copy.values().stream().filter(m -> !m.open() && m.id() != move.id())
                    .limit(copy.size() - MAX_CLOSED_MOVES).map(Move::id).toList().forEach(copy::remove);
        }
        return new ModelState(endpoints, links, copy, Math.max(nextMoveId, move.id() + 1), networks);
    }

    /** This state with {@code network} added, or replacing the network of the same id. */
    public ModelState withNetwork(Network network) {
        Map<Integer, Network> copy = new TreeMap<>(networks);
        copy.put(network.id(), network);
        return new ModelState(endpoints, links, moves, nextMoveId, copy);
    }

    public ModelState withoutNetwork(int id) {
        Map<Integer, Network> copy = new TreeMap<>(networks);
        copy.remove(id);
        return new ModelState(endpoints, links, moves, nextMoveId, copy);
    }

    /**
     * The VXLAN network identifier that carries {@code network} across the overlay between hypervisors: the defined
     * network's VNI, or the id itself for a network that is not defined (a controller without networks, where
     * endpoints name networks by number only, and the endpoints of such a network kept after networks were defined).
     */
    public int vni(int network) {
        Network defined = networks.get(network);
        return defined == null ? network : defined.vni();
    }

    /** The open move of an endpoint, if any. */
    public Optional<Move> openMove(String endpoint) {
        return moves.values().stream().filter(m -> m.endpoint().equals(endpoint) && m.open()).findFirst();
    }
}
