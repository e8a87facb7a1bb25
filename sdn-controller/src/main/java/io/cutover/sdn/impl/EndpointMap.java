package io.cutover.sdn.impl;

import org.pcollections.TreePMap;

import java.util.AbstractMap;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The endpoints of a {@link ModelState} by name: a persistent sorted map (a change shares the rest with the map before
 * it) that also remembers which names its last changes touched, so that {@link SharedModel} finds what changed since
 * the state it last saved without walking 50,000 endpoints. Only the last {@value #REMEMBERED} changes are kept.
 */
final class EndpointMap extends AbstractMap<String, ModelState.Placed> {
    /** How many changes a map remembers back. */
    static final int REMEMBERED = 4_096;
    private static final EndpointMap EMPTY = new EndpointMap(TreePMap.empty(), new Change(null, null, 0));

    private final TreePMap<String, ModelState.Placed> map;
    private final Change last;

    /** A change of one name, linked to the one before it; a change without one is where the memory starts. */
    private record Change(String name, Change previous, int depth) {
    }

    private EndpointMap(TreePMap<String, ModelState.Placed> map, Change last) {
        this.map = map;
        this.last = last;
    }

    static EndpointMap from(Map<String, ModelState.Placed> endpoints) {
        if (endpoints instanceof EndpointMap map) {
            return map;
        }
        return endpoints.isEmpty() ? EMPTY : new EndpointMap(TreePMap.from(endpoints), new Change(null, null, 0));
    }

    EndpointMap plus(String name, ModelState.Placed placed) {
        return new EndpointMap(map.plus(name, placed), changed(name));
    }

    EndpointMap minus(String name) {
        return new EndpointMap(map.minus(name), changed(name));
    }

    private Change changed(String name) {
        return last.depth >= REMEMBERED ? new Change(name, null, 0) : new Change(name, last, last.depth + 1);
    }

    /**
     * The names whose entries may differ between {@code earlier} and this map, when this map was made from
     * {@code earlier} by at most {@value #REMEMBERED} changes; null when it was not (or is too far), which leaves
     * the caller to compare them whole.
     */
    Set<String> changedSince(EndpointMap earlier) {
        Set<String> names = new HashSet<>();
        for (Change c = last; c != null; c = c.previous) {
            if (c == earlier.last) {
                return names;
            }
            if (c.name != null) {
                names.add(c.name);
            }
        }
        return null;
    }

    /**
     * Calls {@code visit} with each name whose entry differs between {@code before} and {@code after}, and its entry in
     * {@code after} (null: removed). When {@code after} was made from {@code before} by changes it remembers
     * ({@link #changedSince}), only the names those changes touched are compared; otherwise one walk over both (sorted
     * by name) compares every entry, by identity first (an unchanged endpoint is the same object in both).
     */
    static void forEachDifference(Map<String, ModelState.Placed> before, Map<String, ModelState.Placed> after,
                                  BiConsumer<String, ModelState.Placed> visit) {
        if (before == after) {
            return;
        }
        Set<String> touched = before instanceof EndpointMap earlier && after instanceof EndpointMap later
                ? later.changedSince(earlier) : null;
        if (touched != null) {
            for (String name : touched) {
                ModelState.Placed old = before.get(name);
                ModelState.Placed now = after.get(name);
                if (old != now && (old == null || !old.equals(now))) {
                    visit.accept(name, now);
                }
            }
            return;
        }
        Iterator<Entry<String, ModelState.Placed>> old = before.entrySet().iterator();
        Iterator<Entry<String, ModelState.Placed>> now = after.entrySet().iterator();
        Entry<String, ModelState.Placed> x = old.hasNext() ? old.next() : null;
        Entry<String, ModelState.Placed> y = now.hasNext() ? now.next() : null;
        while (x != null || y != null) {
            int order = x == null ? 1 : y == null ? -1 : x.getKey().compareTo(y.getKey());
            if (order < 0) {
                visit.accept(x.getKey(), null);
            } else if (order > 0 || (x.getValue() != y.getValue() && !x.getValue().equals(y.getValue()))) {
                visit.accept(y.getKey(), y.getValue());
            }
            if (order <= 0) {
                x = old.hasNext() ? old.next() : null;
            }
            if (order >= 0) {
                y = now.hasNext() ? now.next() : null;
            }
        }
    }

    @Override
    public ModelState.Placed get(Object name) {
        return map.get(name);
    }

    @Override
    public boolean containsKey(Object name) {
        return map.containsKey(name);
    }

    @Override
    public int size() {
        return map.size();
    }

    @Override
    public Set<Entry<String, ModelState.Placed>> entrySet() {
        return map.entrySet();
    }

    @Override
    public Set<String> keySet() {
        return map.keySet();
    }

    @Override
    public Collection<ModelState.Placed> values() {
        return map.values();
    }
}
