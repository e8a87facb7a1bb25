package io.cutover.sdn.impl;

import io.cutover.sdn.Cookie;
import io.cutover.sdn.Endpoint;
import io.cutover.sdn.Move;
import io.cutover.sdn.MoveState;

import java.util.Collection;

/**
 * A switch as the durable record of a commit. A commit completes as soon as every switch confirmed it; its journal
 * write (an fsync) runs alongside and may be lost in a crash. The cookies tell: only a commit installs an endpoint's
 * unicast flow with the move's generation, on its destination switch (the unicast towards it elsewhere is no move's,
 * {@link Cookie#anyPlace}), so a destination that holds one proves the move was committed, and the model rolls
 * forward instead of taking the switches back. Switches reconciled before the destination reconnected follow the
 * rolled-forward plan then.
 */
public final class CommitRecovery {
    private CommitRecovery() {
    }

    /** The model after the commit of {@code move} (endpoint at the destination, flows of the move's generation). */
    public static ModelState committed(ModelState model, Move move) {
        ModelState.Placed placed = model.endpoints().get(move.endpoint());
        Endpoint moved = placed.endpoint().at(move.toSwitch(), move.toPort());
        return model.withEndpoint(new ModelState.Placed(moved, move.id())).withMove(move.with(MoveState.COMMITTED));
    }

    /** {@code model} with every prepared move whose commit {@code switchFlows} show rolled forward. */
    public static ModelState rollForward(ModelState model, Collection<FlowSpec> switchFlows) {
        ModelState result = model;
        for (Move move : model.moves().values()) {
            if (move.state() != MoveState.PREPARED && move.state() != MoveState.REDIRECTED) {
                continue;
            }
            ModelState.Placed placed = model.endpoints().get(move.endpoint());
            if (placed == null) {
                continue;
            }
            long cookie = Cookie.of(placed.endpoint().network(), placed.endpoint().id(), move.id());
            boolean committedOnSwitch = switchFlows.stream().anyMatch(f -> f.cookie() == cookie
                    && f.key().table() == FlowPlanner.TABLE_FORWARD && f.key().priority() == FlowPlanner.PRIORITY_UNICAST);
            if (committedOnSwitch) {
                result = committed(result, move);
            }
        }
        return result;
    }
}
