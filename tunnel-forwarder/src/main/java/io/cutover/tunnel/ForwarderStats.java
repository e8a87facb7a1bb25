package io.cutover.tunnel;

import java.util.List;
import java.util.Map;

/**
 * The forwarder's counters: per move, and the drops that belong to no move (unknown peers, unknown VNIs,
 * packets too short to name a VNI).
 */
public record ForwarderStats(List<MoveStatus> moves, Map<DropReason, Long> unattributedDrops) {
    public ForwarderStats {
        moves = List.copyOf(moves);
        unattributedDrops = Map.copyOf(unattributedDrops);
    }

    /** Drops of one reason, over all moves and the unattributed ones. */
    public long drops(DropReason reason) {
        return unattributedDrops.getOrDefault(reason, 0L) + moves.stream().mapToLong(m -> m.drops(reason)).sum();
    }
}
