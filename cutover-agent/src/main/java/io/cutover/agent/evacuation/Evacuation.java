package io.cutover.agent.evacuation;

import java.time.Duration;
import java.util.List;

/** One host evacuation this agent runs: what was asked, each VM's move as it stands, and the summary once it ended. */
public interface Evacuation {
    String id();

    EvacuationRequest request();

    /** Each VM's move, in the request's order, as it stands now. */
    List<VmMove> moves();

    /** Whether every VM's move has ended, completed or not. */
    boolean ended();

    /** From the evacuation's start to its last move's end, or to now while it runs. */
    Duration duration();

    /** The count of moves that ended {@code outcome}. */
    default long count(VmMove.Outcome outcome) {
        return moves().stream().filter(move -> move.outcome() == outcome).count();
    }
}
