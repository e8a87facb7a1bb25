package io.cutover.sdn.impl;

import org.projectfloodlight.openflow.protocol.instruction.OFInstruction;
import org.projectfloodlight.openflow.protocol.match.Match;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One key (with its match) and one instruction list (with its text) for equal values, per thread: the planner plans
 * an endpoint's unicast on every switch with one match and a few distinct outputs, and a switch's table read back
 * repeats them too. The text of a match or of instructions is made once per distinct value, and the flows of a
 * thousand switches share it (at 1,000 switches and 2,000 endpoints, each flow had its own, some 2 KB of heap).
 * The most recently used {@value #CAPACITY} of each are kept.
 */
final class FlowInterner {
    static final int CAPACITY = 1 << 16;
    private static final ThreadLocal<FlowInterner> LOCAL = ThreadLocal.withInitial(FlowInterner::new);

    private record KeyOf(int table, int priority, Match match) {
    }

    /** A key and the match it was made from. */
    record Keyed(FlowKey key, Match match) {
    }

    /** Instructions and their text. */
    record Written(List<OFInstruction> instructions, String text) {
    }

    private final Map<KeyOf, Keyed> keys = lru();
    private final Map<List<OFInstruction>, Written> instructions = lru();

    static FlowInterner get() {
        return LOCAL.get();
    }

    Keyed key(int table, int priority, Match match) {
        return keys.computeIfAbsent(new KeyOf(table, priority, match),
                k -> new Keyed(new FlowKey(table, priority, FlowText.match(match)), match));
    }

    Written instructions(List<OFInstruction> list) {
        return instructions.computeIfAbsent(list, l -> new Written(List.copyOf(l), FlowText.instructions(l)));
    }

    private static <K, V> Map<K, V> lru() {
        return new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > CAPACITY;
            }
        };
    }
}
