package io.cutover.tunnel;

import java.util.List;
import java.util.Map;

/**
 * The forwarder's counters: per move, the drops that belong to no move (unknown peers, unknown VNIs, packets too
 * short to name a VNI), and the sums of the moves removed since the forwarder started, so that the totals never go
 * down.
 *
 * @param removedCounters the counters of the removed moves, summed
 * @param removedDrops    their drops by reason, summed (only reasons with drops appear)
 */
public record ForwarderStats(List<MoveStatus> moves, Map<DropReason, Long> unattributedDrops,
                             Map<String, Long> removedCounters, Map<DropReason, Long> removedDrops) {
    public ForwarderStats {
        moves = List.copyOf(moves);
        unattributedDrops = Map.copyOf(unattributedDrops);
        removedCounters = Map.copyOf(removedCounters);
        removedDrops = Map.copyOf(removedDrops);
    }

    /** Drops of one reason, over all moves (removed ones too) and the unattributed ones. */
    public long drops(DropReason reason) {
        return unattributedDrops.getOrDefault(reason, 0L) + removedDrops.getOrDefault(reason, 0L)
                + moves.stream().mapToLong(m -> m.drops(reason)).sum();
    }

    /** A move counter ({@link MoveStatus#counters}) summed over all moves since the start, removed ones too. */
    public long total(String counter) {
        return removedCounters.getOrDefault(counter, 0L) + moves.stream().mapToLong(m -> m.counter(counter)).sum();
    }
}
