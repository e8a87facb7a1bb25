package io.cutover.tunnel;

import java.util.Map;

/**
 * A move's state and counters at one instant.
 *
 * @param spec     the move
 * @param state    where it is in its life
 * @param counters {@code caught}, {@code held}, {@code flushed}, {@code sent}, {@code received},
 *                 {@code injected}, {@code bytesSent}, {@code bytesInjected}, {@code rewritten},
 *                 {@code tooBigAnswered} (ICMP fragmentation-needed / packet-too-big sent back, L3),
 *                 {@code proxyAnswered} (ARP / ND answered for the VM's old address, L3 source); with a reverse
 *                 tunnel the destination's {@code caught} and {@code sent} count the VM's replies tunnelled back,
 *                 the source's {@code received} and {@code injected} those emitted at the old site
 * @param drops    drops by reason (only reasons with drops appear)
 * @param drainEndedBy the rule of the move's {@link DrainPolicy} that ended it, or {@code null} while it has not (or
 *                 when its cutover closed it first)
 */
public record MoveStatus(MoveSpec spec, MoveState state, Map<String, Long> counters, Map<DropReason, Long> drops,
                         DrainPolicy.Rule drainEndedBy) {
    public MoveStatus {
        counters = Map.copyOf(counters);
        drops = Map.copyOf(drops);
    }

    /** A move its drain has not ended. */
    public MoveStatus(MoveSpec spec, MoveState state, Map<String, Long> counters, Map<DropReason, Long> drops) {
        this(spec, state, counters, drops, null);
    }

    /** A counter, 0 when absent. */
    public long counter(String name) {
        return counters.getOrDefault(name, 0L);
    }

    /** Drops of one reason, 0 when none. */
    public long drops(DropReason reason) {
        return drops.getOrDefault(reason, 0L);
    }
}
