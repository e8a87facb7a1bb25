package io.cutover.sdn.impl;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One switch's planned flows, each put there by an {@link Owner}: the fabric, an endpoint, a move, the responder.
 * When two owners plan one match (two endpoints behind one port, a prepared move's new port), the higher owner's flow
 * is the switch's, and the other's comes back when the higher one takes its flow away.
 */
final class SwitchFlows {
    /**
     * Who plans a flow, in increasing precedence: a committed move's kept admission of its old port, the fabric, an
     * endpoint (by id), a move (by id), the responder (by the endpoint's id).
     */
    record Owner(Kind kind, int id) implements Comparable<Owner> {
        enum Kind { KEPT, FABRIC, ENDPOINT, MOVE, RESPONDER }

        static final Owner FABRIC = new Owner(Kind.FABRIC, 0);

        @Override
        public int compareTo(Owner other) {
            int byKind = kind.compareTo(other.kind);
            return byKind != 0 ? byKind : Integer.compare(id, other.id);
        }
    }

    /** The flow a key holds, and whose it is. */
    private record Slot(Owner owner, FlowSpec spec) {
    }

    private final Map<FlowKey, Slot> slots = new HashMap<>();
    /** The keys more than one owner plans, with every owner's flow (rare: shared ports, moves' new ports). */
    private final Map<FlowKey, TreeMap<Owner, FlowSpec>> contested = new HashMap<>();
    private final Map<FlowKey, FlowSpec> view = new java.util.AbstractMap<>() {
        @Override
        public FlowSpec get(Object key) {
            Slot slot = slots.get(key);
            return slot == null ? null : slot.spec();
        }

        @Override
        public boolean containsKey(Object key) {
            return slots.containsKey(key);
        }

        @Override
        public int size() {
            return slots.size();
        }

        @Override
        public java.util.Set<Entry<FlowKey, FlowSpec>> entrySet() {
            return new java.util.AbstractSet<>() {
                @Override
                public java.util.Iterator<Entry<FlowKey, FlowSpec>> iterator() {
                    java.util.Iterator<Entry<FlowKey, Slot>> inner = slots.entrySet().iterator();
                    return new java.util.Iterator<>() {
                        @Override
                        public boolean hasNext() {
                            return inner.hasNext();
                        }

                        @Override
                        public Entry<FlowKey, FlowSpec> next() {
                            Entry<FlowKey, Slot> next = inner.next();
                            return Map.entry(next.getKey(), next.getValue().spec());
                        }
                    };
                }

                @Override
                public int size() {
                    return slots.size();
                }
            };
        }
    };

    /** The flows, by key (a live, unmodifiable view). */
    Map<FlowKey, FlowSpec> flows() {
        return Collections.unmodifiableMap(view);
    }

    FlowSpec get(FlowKey key) {
        Slot slot = slots.get(key);
        return slot == null ? null : slot.spec();
    }

    Collection<FlowKey> keys() {
        return slots.keySet();
    }

    void add(Owner owner, FlowSpec spec) {
        FlowKey key = spec.key();
        Slot slot = slots.get(key);
        TreeMap<Owner, FlowSpec> all = contested.get(key);
        if (slot == null || all == null && slot.owner().equals(owner)) {
            slots.put(key, new Slot(owner, spec));
            return;
        }
        if (all == null) {
            all = new TreeMap<>();
            all.put(slot.owner(), slot.spec());
            contested.put(key, all);
        }
        all.put(owner, spec);
        Map.Entry<Owner, FlowSpec> top = all.lastEntry();
        slots.put(key, new Slot(top.getKey(), top.getValue()));
    }

    void remove(Owner owner, FlowKey key) {
        TreeMap<Owner, FlowSpec> all = contested.get(key);
        if (all == null) {
            Slot slot = slots.get(key);
            if (slot != null && slot.owner().equals(owner)) {
                slots.remove(key);
            }
            return;
        }
        all.remove(owner);
        Map.Entry<Owner, FlowSpec> top = all.lastEntry();
        slots.put(key, new Slot(top.getKey(), top.getValue()));
        if (all.size() == 1) {
            contested.remove(key);
        }
    }

    void clear() {
        slots.clear();
        contested.clear();
    }
}
