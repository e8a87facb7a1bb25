package io.cutover.agent.journal.impl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.agent.CutoverRequest;
import io.cutover.agent.journal.CutoverDocument;
import io.cutover.agent.journal.CutoverJournal;
import io.cutover.agent.plan.PlanRecorder;
import io.cutover.agent.plan.PlanState;
import io.cutover.api.CutoverStage;
import io.cutover.store.Lease;
import io.cutover.store.ReplicatedStore;
import io.cutover.store.StaleVersionException;
import io.cutover.store.StoreException;
import io.cutover.store.Versioned;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The journal on the replicated store: each cutover's document at {@code cutovers/<host>/<id>} (JSON), every write a
 * compare-and-set over the version this agent last wrote; this host's lease at {@code agents/<host>}, held from the
 * journal's opening to its closing (or the agent's death, a session timeout later).
 */
public final class StoreCutoverJournal implements CutoverJournal {
    private static final Logger LOG = LoggerFactory.getLogger(StoreCutoverJournal.class);
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final ReplicatedStore store;
    private final String host;
    private final Lease lease;
    private final AtomicLong writes = new AtomicLong();
    private final Map<String, Long> writesById = new ConcurrentHashMap<>();

    /** Opens the journal of {@code host}'s agent on {@code store} and takes the host's lease. */
    public StoreCutoverJournal(ReplicatedStore store, String host) {
        this.store = store;
        this.host = host;
        this.lease = store.lease(leasePath(host), host.getBytes(StandardCharsets.UTF_8));
    }

    /** Where {@code host}'s cutover {@code id} is kept. */
    public static String path(String host, String id) {
        return "cutovers/" + host + "/" + id;
    }

    /** Where {@code host}'s agent holds its lease. */
    public static String leasePath(String host) {
        return "agents/" + host;
    }

    @Override
    public PlanRecorder open(String id, CutoverRequest request) {
        CutoverDocument first = new CutoverDocument(id, host, host, request, new PlanState(CutoverStage.PLANNED, false,
                List.of(), List.of(), false), 1, null);
        int version = write(first, Versioned.ABSENT);
        return new Recorder(first, version);
    }

    @Override
    public List<Stored> unfinished(String of) {
        List<Stored> found = new ArrayList<>();
        for (String id : store.children("cutovers/" + of)) {
            store.read(path(of, id)).ifPresent(versioned -> {
                try {
                    CutoverDocument document = JSON.readValue(versioned.data(), CutoverDocument.class);
                    if (document.unfinished()) {
                        found.add(new Stored(document, versioned.version()));
                    }
                } catch (java.io.IOException e) {
                    LOG.warn("cutover document {} is unreadable, left alone: {}", path(of, id), e.getMessage());
                }
            });
        }
        return found;
    }

    @Override
    public Optional<Taken> claim(Stored stored, String owner, String why) {
        CutoverDocument taken = stored.document().ownedBy(owner, why);
        try {
            int version = write(taken, stored.version());
            Recorder recorder = new Recorder(taken, version);
            return Optional.of(new Taken(taken, recorder));
        } catch (StaleVersionException lost) {
            return Optional.empty();
        }
    }

    @Override
    public List<String> hostsWithoutLease() {
        List<String> hosts = new ArrayList<>();
        for (String of : store.children("cutovers")) {
            if (!leaseHeld(of)) {
                hosts.add(of);
            }
        }
        return hosts;
    }

    @Override
    public boolean leaseHeld(String of) {
        return store.read(leasePath(of)).isPresent();
    }

    @Override
    public long writes() {
        return writes.get();
    }

    @Override
    public long writes(String id) {
        return writesById.getOrDefault(id, 0L);
    }

    @Override
    public void forget(String of, String id) {
        store.read(path(of, id)).ifPresent(versioned -> {
            try {
                store.delete(path(of, id), versioned.version());
            } catch (StoreException e) {
                LOG.info("cutover document {} was not deleted: {}", path(of, id), e.getMessage());
            }
        });
        writesById.remove(id);
    }

    @Override
    public void close() {
        lease.close();
    }

    private int write(CutoverDocument document, int expectedVersion) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(document);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cutover " + document.id() + " cannot be written as JSON", e);
        }
        int version = store.write(path(document.host(), document.id()), bytes, expectedVersion);
        writes.incrementAndGet();
        writesById.put(document.id(), document.writes());
        return version;
    }

    /** Writes one cutover's document, each time over the version it wrote last. */
    private final class Recorder implements PlanRecorder {
        private CutoverDocument document;
        private int version;

        Recorder(CutoverDocument document, int version) {
            this.document = document;
            this.version = version;
        }

        @Override
        public synchronized void record(PlanState state) {
            CutoverDocument next = document.with(state);
            try {
                version = write(next, version);
                document = next;
            } catch (StaleVersionException e) {
                throw new IllegalStateException("cutover " + document.id() + ": another agent wrote its document in "
                        + "the store since this one did (it took the cutover over); nothing more is written here", e);
            }
        }
    }
}
