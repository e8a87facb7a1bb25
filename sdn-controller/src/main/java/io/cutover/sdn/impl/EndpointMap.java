package io.cutover.sdn.impl;

import org.pcollections.TreePMap;

import java.util.AbstractMap;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

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
