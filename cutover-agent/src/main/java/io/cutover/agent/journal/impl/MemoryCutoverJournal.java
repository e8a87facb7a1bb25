package io.cutover.agent.journal.impl;

import io.cutover.agent.CutoverRequest;
import io.cutover.agent.journal.CutoverDocument;
import io.cutover.agent.journal.CutoverJournal;
import io.cutover.agent.plan.PlanRecorder;
import io.cutover.agent.plan.PlanState;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The journal of an agent alone: its documents live and die with it (no recovery after a restart). */
public final class MemoryCutoverJournal implements CutoverJournal {
    private final String host;
    private final Map<String, Stored> documents = new ConcurrentHashMap<>();
    private final AtomicLong writes = new AtomicLong();

    public MemoryCutoverJournal(String host) {
        this.host = host;
    }

    @Override
    public PlanRecorder open(String id, CutoverRequest request) {
        CutoverDocument first = new CutoverDocument(id, host, host, request, new PlanState(
                io.cutover.api.CutoverStage.PLANNED, false, List.of(), List.of(), false), 1, null);
        documents.put(id, new Stored(first, 0));
        writes.incrementAndGet();
        return recorder(id);
    }

    private PlanRecorder recorder(String id) {
        return state -> {
            documents.computeIfPresent(id, (key, stored) -> new Stored(stored.document().with(state), stored.version() + 1));
            writes.incrementAndGet();
        };
    }

    @Override
    public List<Stored> unfinished(String of) {
        return documents.values().stream().filter(s -> s.document().host().equals(of) && s.document().unfinished())
                .toList();
    }

    @Override
    public Optional<Taken> claim(Stored document, String owner, String why) {
        String id = document.document().id();
        Stored now = documents.get(id);
        if (now == null || now.version() != document.version()) {
            return Optional.empty();
        }
        CutoverDocument taken = now.document().ownedBy(owner, why);
        documents.put(id, new Stored(taken, now.version() + 1));
        writes.incrementAndGet();
        return Optional.of(new Taken(taken, recorder(id)));
    }

    @Override
    public List<String> hostsWithoutLease() {
        return List.of();
    }

    @Override
    public boolean leaseHeld(String of) {
        return true;
    }

    @Override
    public long writes() {
        return writes.get();
    }

    @Override
    public long writes(String id) {
        Stored stored = documents.get(id);
        return stored == null ? 0 : stored.document().writes();
    }

    @Override
    public void forget(String of, String id) {
        documents.remove(id);
    }

    @Override
    public void close() {
    }
}
