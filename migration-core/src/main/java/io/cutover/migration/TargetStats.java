package io.cutover.migration;

import java.util.Map;

/**
 * What a {@link MigrationTarget} holds now, and what it turned away since it started.
 *
 * @param connections  connections open
 * @param migrations   migrations admitted and not yet activated or discarded
 * @param pendingBytes bytes of guests reserved for those migrations
 * @param expected     expectations not yet used, withdrawn or expired
 * @param refused      connections refused, by reason
 */
public record TargetStats(int connections, int migrations, long pendingBytes, int expected,
                          Map<Refusal, Long> refused) {

    public TargetStats {
        refused = Map.copyOf(refused);
    }

    /** Connections refused for {@code reason}. */
    public long refused(Refusal reason) {
        return refused.getOrDefault(reason, 0L);
    }

    /** Connections refused for any reason. */
    public long refusedTotal() {
        return refused.values().stream().mapToLong(Long::longValue).sum();
    }
}
