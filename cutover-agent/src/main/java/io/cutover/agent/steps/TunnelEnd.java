package io.cutover.agent.steps;

import io.cutover.api.CutoverStage;
import io.cutover.tunnel.Forwarder;

/** One end of a brownout tunnel as the plan drives it: a forwarder in this process, or a daemon's REST API. */
public interface TunnelEnd {

    /** Fails when the end does not hold the move {@code moveId}. */
    void requireMove(String moveId);

    /** Brings the move to {@code stage} (SWITCHOVER holds, ACTIVATED flushes, DRAINING drains, COMPLETED closes). */
    void stage(String moveId, CutoverStage stage);

    /** Ends the move and forgets it, held frames included. */
    void remove(String moveId);

    /** A forwarder in this process. */
    static TunnelEnd of(Forwarder forwarder) {
        return new TunnelEnd() {
            @Override
            public void requireMove(String moveId) {
                if (forwarder.status(moveId).isEmpty()) {
                    throw new IllegalStateException("the forwarder has no move " + moveId);
                }
            }

            @Override
            public void stage(String moveId, CutoverStage stage) {
                forwarder.stage(moveId, stage);
            }

            @Override
            public void remove(String moveId) {
                forwarder.remove(moveId);
            }
        };
    }
}
