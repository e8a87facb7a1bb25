package io.cutover.migration.impl;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A target's migrations in progress by id — for the data connections of a multifd migration to join, and
 * for a source that lost its connection to ask what was decided — and the ids of the last
 * {@value #REMEMBERED} migrations that committed here.
 */
final class Sessions {
    static final int REMEMBERED = 1024;

    private final Map<String, DestinationSession> live = new ConcurrentHashMap<>();
    private final Set<String> committed = Collections.synchronizedSet(Collections.newSetFromMap(
            new LinkedHashMap<>() {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > REMEMBERED;
                }
            }));

    /** Registers a migration; false if one with this id is in progress. */
    boolean add(String id, DestinationSession session) {
        return live.putIfAbsent(id, session) == null;
    }

    void remove(String id, DestinationSession session) {
        live.remove(id, session);
    }

    DestinationSession get(String id) {
        return live.get(id);
    }

    /** Records that migration {@code id} committed here (VERIFIED sent). */
    void committed(String id) {
        committed.add(id);
    }

    boolean wasCommitted(String id) {
        return committed.contains(id);
    }
}
