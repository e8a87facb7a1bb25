package io.cutover.migration.impl;

import io.cutover.api.CutoverEvent;
import io.cutover.api.CutoverListener;
import io.cutover.api.CutoverStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Raises events to the listeners in order and remembers them. A listener that throws, or whose stage
 * fails, is logged; its failure is in the returned stage for whoever waits on it.
 */
final class EventDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(EventDispatcher.class);

    private final String migrationId;
    private final List<CutoverListener> listeners;
    private final List<CutoverEvent> events = new CopyOnWriteArrayList<>();

    EventDispatcher(String migrationId, List<CutoverListener> listeners) {
        this.migrationId = migrationId;
        this.listeners = List.copyOf(listeners);
    }

    CompletableFuture<Void> emit(CutoverStage stage, int round) {
        CutoverEvent event = new CutoverEvent(migrationId, stage, round, System.nanoTime());
        events.add(event);
        List<CompletableFuture<Void>> done = new ArrayList<>(listeners.size());
        for (CutoverListener listener : listeners) {
            CompletableFuture<Void> f;
            try {
                f = listener.onEvent(event).toCompletableFuture();
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            f.whenComplete((ok, error) -> {
                if (error != null) {
                    LOG.warn("listener {} failed on {}: {}", listener, event, error.toString());
                }
            });
            done.add(f);
        }
        return CompletableFuture.allOf(done.toArray(new CompletableFuture<?>[0]));
    }

    CompletableFuture<Void> emit(CutoverStage stage) {
        return emit(stage, 0);
    }

    List<CutoverEvent> events() {
        return List.copyOf(events);
    }
}
