package io.cutover.migration.impl;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A target's migrations in progress by id — for the data connections of a multifd migration to join, and
 * for a source that lost its connection to ask what was decided — and the ids of the last
 * {@value #REMEMBERED} migrations that committed here, with the hash of the secret each was admitted with.
 */
final class Sessions {
    static final int REMEMBERED = 1024;

    private final Map<String, DestinationSession> live = new ConcurrentHashMap<>();
    private final Map<String, String> committed = Collections.synchronizedMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > REMEMBERED;
        }
    });

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

    /** Records that migration {@code id}, admitted with the secret of hash {@code key}, committed here (VERIFIED sent). */
    void committed(String id, String key) {
        committed.put(id, key);
    }

    /** The secret hash of committed migration {@code id}, or {@code null} if it did not commit here (lately). */
    String committedKey(String id) {
        return committed.get(id);
    }
}
