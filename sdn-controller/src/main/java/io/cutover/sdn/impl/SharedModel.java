package io.cutover.sdn.impl;

import io.cutover.sdn.Link;
import io.cutover.sdn.NotMasterException;
import io.cutover.sdn.SdnException;
import io.cutover.store.ReplicatedStore;
import io.cutover.store.StaleVersionException;
import io.cutover.store.Versioned;
import io.cutover.store.Write;
import org.pcollections.TreePMap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The desired state in the replicated store a controller cluster shares, split into documents so that it grows past
 * one document's limit and a change writes only what it changed (docs/scale-out.md):
 * <ul>
 *     <li>the head, {@value #HEAD}: moves, the next move id, networks, and the names of the parts that hold the rest;
 *     <li>parts under {@value #PARTS}: the links, and the endpoints in {@value ModelParts#BUCKETS} buckets by a hash
 *     of their names ({@link ModelParts}). A part is never changed: a save writes a changed bucket as a new part,
 *     named after the save's revision, and deletes the part it replaces.
 * </ul>
 * Every save is one compare-and-set of the head over the version this controller last read or wrote, in one
 * transaction with the parts it creates and deletes ({@link ReplicatedStore#commit}): written whole, or refused with
 * nothing written when another controller wrote since, which means this one is not the master any more
 * ({@link NotMasterException}). A save too large for one transaction (a batch of thousands of endpoints) creates its
 * new parts first, in transactions fenced by a check of the head, and then writes the head, which alone makes them
 * the state, checking that they are still there; a refused save deletes what it had created. Parts no head names
 * (a controller killed in the middle of a large save) are found by {@link #load} and swept by the next save.
 * <p>
 * A document holds at most {@value #MAX_BYTES} bytes (ZooKeeper refuses znodes and requests of 1 MiB): a bucket or
 * head larger than that is refused before anything is written. A store holding the single document of earlier
 * controllers ({@value #LEGACY_PATH}) is read from it, and the first save writes the parts and deletes it.
 */
public final class SharedModel implements ModelStore {
    /** The head's path under the store's root. */
    public static final String HEAD = "sdn/head";
    /** The folder of the parts. */
    public static final String PARTS = "sdn/parts";
    /** The single document earlier controllers kept the whole state in (gzip JSON, the journal's format 2). */
    public static final String LEGACY_PATH = "sdn/model";
    /** The largest document written: below ZooKeeper's 1 MiB limit on a znode's data (jute.maxbuffer). */
    public static final int MAX_BYTES = 900_000;
    /** The most one transaction carries, documents and an allowance per operation, below ZooKeeper's limit. */
    static final int TRANSACTION_BYTES = 1_000_000;
    private static final int OPERATION_BYTES = 256;
    private static final int READS = 5;
    /** How many parts one sweep's transaction deletes. */
    private static final int SWEPT = 1_000;

    private final ReplicatedStore store;
    /** Makes this instance's part names its own: a save refused after creating parts never collides with another. */
    private final String writer = Integer.toHexString(ThreadLocalRandom.current().nextInt() | 0x10000000);
    /** How many saves this instance began: with {@link #writer}, makes every save's part names new. */
    private long attempts;
    /** The parts the head last read did not name (left by saves refused or cut short), for the next save to sweep. */
    private List<String> litter = List.of();
    /** The head this controller last read or wrote, or null when the store has none. */
    private ModelParts.Head head;
    /** The version the next save writes the head over; {@link Versioned#ABSENT} before the first write. */
    private int version = Versioned.ABSENT;
    /** The version of the single document of earlier controllers read, until a save replaces it. */
    private int legacyVersion = Versioned.ABSENT;
    /** How many times this instance read the state ({@link #load}, or a {@link #refresh} that found it changed). */
    private long reads;
    /** The state the store holds as this controller last read or wrote it, and its endpoints by bucket. */
    private ModelState saved = ModelState.empty();
    private List<TreePMap<String, ModelState.Placed>> buckets = emptyBuckets();
    private final AtomicLong saves = new AtomicLong();
    private final AtomicLong documents = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong writeNanos = new AtomicLong();

    public SharedModel(ReplicatedStore store) {
        this.store = store;
    }

    /**
     * Reads the state (the head, then every part it names), and takes the head's version as the one the next
     * {@link #save} writes over. A part gone meanwhile (another controller saved between) reads the head again.
     */
    @Override
    public synchronized ModelState load() {
        return read(false).orElse(saved);
    }

    /**
     * What a slave does to follow the master: reads the head and, when its version is not the one this instance last
     * read or wrote, the parts it names that this instance does not hold ({@link #load}'s read, reusing the parts it
     * has). Returns the new state, or empty when the head has not changed (one read of one small document).
     */
    public synchronized Optional<ModelState> refresh() {
        return read(true);
    }

    private Optional<ModelState> read(boolean onlyChanged) {
        for (int read = 0; read < READS; read++) {
            Optional<Versioned> document = store.read(HEAD);
            if (document.isEmpty()) {
                if (onlyChanged && head == null && store.read(LEGACY_PATH).map(Versioned::version)
                        .orElse(Versioned.ABSENT) == legacyVersion) {
                    return Optional.empty();
                }
                return Optional.of(loadLegacy());
            }
            if (onlyChanged && head != null && document.get().version() == version) {
                return Optional.empty();
            }
            ModelParts.Head read0 = ModelParts.decodeHead(document.get().data(), "the store's " + HEAD);
            Optional<ModelState> state = readParts(read0, document.get().version());
            if (state.isPresent()) {
                return state;
            }
        }
        throw new SdnException("the desired state in the store changed under " + READS + " reads in a row of "
                + HEAD + " and its parts");
    }

    private Optional<ModelState> readParts(ModelParts.Head read, int readVersion) {
        List<TreePMap<String, ModelState.Placed>> parts = new ArrayList<>(ModelParts.BUCKETS);
        // the endpoints held, changed by the buckets that changed: the map remembers those changes, so that the plan
        // and the next save compare only them
        EndpointMap all = (EndpointMap) saved.endpoints();
        for (int b = 0; b < ModelParts.BUCKETS; b++) {
            String name = read.buckets().get(b);
            String held = head == null ? null : head.buckets().get(b);
            if (java.util.Objects.equals(name, held)) {
                parts.add(buckets.get(b));
                continue;
            }
            TreePMap<String, ModelState.Placed> bucket = TreePMap.empty();
            if (name != null) {
                Optional<Versioned> part = store.read(PARTS + "/" + name);
                if (part.isEmpty()) {
                    return Optional.empty();
                }
                for (ModelState.Placed p : ModelParts.decodeEndpoints(part.get().data(), "the store's " + name)) {
                    bucket = bucket.plus(p.endpoint().name(), p);
                }
            }
            for (String gone : buckets.get(b).keySet()) {
                if (!bucket.containsKey(gone)) {
                    all = all.minus(gone);
                }
            }
            for (Map.Entry<String, ModelState.Placed> e : bucket.entrySet()) {
                if (!e.getValue().equals(all.get(e.getKey()))) {
                    all = all.plus(e.getKey(), e.getValue());
                }
            }
            parts.add(bucket);
        }
        List<Link> links = List.of();
        if (read.links() != null) {
            if (head != null && read.links().equals(head.links())) {
                links = saved.links();
            } else {
                Optional<Versioned> part = store.read(PARTS + "/" + read.links());
                if (part.isEmpty()) {
                    return Optional.empty();
                }
                links = ModelParts.decodeLinks(part.get().data(), "the store's " + read.links());
            }
        }
        ModelState state = new ModelState(all, links, read.moves() == null ? Map.of() : read.moves(),
                read.nextMoveId(), read.networks());
        List<String> stray = new ArrayList<>(store.children(PARTS));
        stray.removeAll(read.buckets());
        stray.remove(read.links());
        litter = stray;
        head = read;
        version = readVersion;
        legacyVersion = Versioned.ABSENT;
        buckets = parts;
        saved = state;
        reads++;
        return Optional.of(state);
    }

    /** Without a head: the single document of earlier controllers, whose first save here replaces, or nothing. */
    private ModelState loadLegacy() {
        Optional<Versioned> legacy = store.read(LEGACY_PATH);
        head = null;
        version = Versioned.ABSENT;
        legacyVersion = legacy.map(Versioned::version).orElse(Versioned.ABSENT);
        buckets = emptyBuckets();
        saved = ModelState.empty();
        litter = store.children(PARTS);
        reads++;
        return legacy.map(d -> StateJournal.decode(ModelParts.gunzip(d.data(), "the store's " + LEGACY_PATH),
                "the store's " + LEGACY_PATH)).orElseGet(ModelState::empty);
    }

    /**
     * How many times this instance has read the state: a change made from what it read at {@code readNumber} is saved
     * with {@link #save(ModelState, long)}.
     */
    public synchronized long reads() {
        return reads;
    }

    /**
     * {@link #save(ModelState)}, only if this instance has not read the state again since {@code readNumber}
     * ({@link #reads}): a save made before a slave's look or a takeover's load would otherwise pass the fence with the
     * version read since, over another controller's writes.
     *
     * @throws NotMasterException when it has; nothing was written
     */
    public synchronized void save(ModelState state, long readNumber) {
        if (readNumber != reads) {
            throw new NotMasterException("the desired state was read from the store again since this change was made "
                    + "(read " + reads + ", the change made after read " + readNumber + "): this controller is not the "
                    + "master it was, nothing was changed");
        }
        save(state);
    }

    /**
     * Writes what changed since the last load or save: the head always (its compare-and-set is the fence), a new part
     * for each bucket whose endpoints changed and for the links if they did, deleting the parts those replace.
     *
     * @throws NotMasterException when another controller wrote since; nothing was written
     * @throws SdnException       when a document would be larger than {@value #MAX_BYTES}; nothing was written
     */
    @Override
    public synchronized void save(ModelState state) {
        attempts++;
        long revision = head == null ? 1 : head.revision() + 1;
        List<TreePMap<String, ModelState.Placed>> next = new ArrayList<>(buckets);
        BitSet changed = changedBuckets(saved.endpoints(), state.endpoints(), next);
        String[] names = head == null ? new String[ModelParts.BUCKETS] : head.buckets().toArray(new String[0]);
        List<Write> creates = new ArrayList<>();
        List<Write> deletes = new ArrayList<>();
        for (int b = changed.nextSetBit(0); b >= 0; b = changed.nextSetBit(b + 1)) {
            byte[] data = next.get(b).isEmpty() ? null : ModelParts.encodeEndpoints(next.get(b).values());
            names[b] = replace(names[b], String.format("e%03d", b), revision, data, creates, deletes,
                    next.get(b).size() + " endpoints of bucket " + b);
        }
        String links = head == null ? null : head.links();
        if (state.links() != saved.links() && !state.links().equals(saved.links())) {
            links = replace(links, "links", revision, state.links().isEmpty() ? null
                    : ModelParts.encodeLinks(state.links()), creates, deletes, state.links().size() + " links");
        }
        ModelParts.Head written = new ModelParts.Head(ModelParts.FORMAT, revision, state.moves(), state.nextMoveId(),
                state.networks(), links, Collections.unmodifiableList(Arrays.asList(names)));
        byte[] headData = checked(ModelParts.encodeHead(written), "the head (" + state.moves().size() + " moves, "
                + state.networks().size() + " networks)");
        List<Write> last = new ArrayList<>();
        last.add(Write.put(HEAD, headData, version));
        last.addAll(deletes);
        if (legacyVersion != Versioned.ABSENT) {
            last.add(Write.delete(LEGACY_PATH, legacyVersion));
        }
        long writing = System.nanoTime();
        int headVersion = commit(creates, last);
        writeNanos.addAndGet(System.nanoTime() - writing);
        head = written;
        version = headVersion;
        legacyVersion = Versioned.ABSENT;
        buckets = next;
        saved = state;
        saves.incrementAndGet();
        documents.addAndGet(creates.size() + last.size());
        bytes.addAndGet(creates.stream().mapToLong(Write::size).sum() + headData.length);
        sweep();
    }

    /**
     * Deletes the litter the last load found, in transactions that check the head this controller has just written
     * (so only while it is the master; another controller's save in progress checks its parts before its head). A
     * sweep that fails is not retried: litter takes room, and nothing reads it.
     */
    private void sweep() {
        List<String> stray = litter;
        litter = List.of();
        for (int from = 0; from < stray.size(); from += SWEPT) {
            List<Write> deletes = new ArrayList<>();
            stray.subList(from, Math.min(stray.size(), from + SWEPT))
                    .forEach(name -> deletes.add(Write.delete(PARTS + "/" + name, 0)));
            deletes.add(Write.check(HEAD, version));
            try {
                store.commit(deletes);
                documents.addAndGet(deletes.size() - 1);
            } catch (RuntimeException e) {
                return;
            }
        }
    }

    /**
     * The buckets whose endpoints differ between {@code before} and {@code after}, and {@code buckets} brought from
     * {@code before}'s endpoints to {@code after}'s ({@link EndpointMap#forEachDifference}).
     */
    static BitSet changedBuckets(Map<String, ModelState.Placed> before, Map<String, ModelState.Placed> after,
                                 List<TreePMap<String, ModelState.Placed>> buckets) {
        BitSet changed = new BitSet(ModelParts.BUCKETS);
        EndpointMap.forEachDifference(before, after, (name, now) -> {
            int b = ModelParts.bucket(name);
            buckets.set(b, now == null ? buckets.get(b).minus(name) : buckets.get(b).plus(name, now));
            changed.set(b);
        });
        return changed;
    }

    private String replace(String old, String part, long revision, byte[] data, List<Write> creates,
                           List<Write> deletes, String what) {
        if (old != null) {
            deletes.add(Write.delete(PARTS + "/" + old, 0));
        }
        if (data == null) {
            return null;
        }
        String name = part + "-" + revision + "-" + writer + "." + Long.toString(attempts, 36);
        creates.add(Write.put(PARTS + "/" + name, checked(data, what), Versioned.ABSENT));
        return name;
    }

    private static byte[] checked(byte[] document, String what) {
        if (document.length > MAX_BYTES) {
            throw new SdnException(what + " take " + document.length + " bytes compressed, more than the " + MAX_BYTES
                    + " one document of the store takes; nothing was changed");
        }
        return document;
    }

    /**
     * Commits {@code creates} and then {@code last} (the head's write first), in one transaction when they fit in one,
     * else the creations first in transactions fenced by the head's version, and the last one checking that they are
     * all still there. A refusal deletes what was created.
     *
     * @return the head's new version
     */
    private int commit(List<Write> creates, List<Write> last) {
        List<List<Write>> transactions = new ArrayList<>();
        List<Write> current = new ArrayList<>();
        long size = 0;
        long lastSize = last.stream().mapToLong(w -> w.size() + OPERATION_BYTES).sum();
        for (Write create : creates) {
            if (!current.isEmpty() && size + create.size() + OPERATION_BYTES > TRANSACTION_BYTES - OPERATION_BYTES) {
                transactions.add(current);
                current = new ArrayList<>();
                size = 0;
            }
            current.add(create);
            size += create.size() + OPERATION_BYTES;
        }
        long staged = (long) (creates.size() - current.size()) * OPERATION_BYTES;
        if (!current.isEmpty() && size + lastSize + staged > TRANSACTION_BYTES) {
            transactions.add(current);
            current = new ArrayList<>();
        }
        current.addAll(last);
        List<Write> made = new ArrayList<>();
        try {
            for (List<Write> transaction : transactions) {
                store.commit(fenced(transaction));
                made.addAll(transaction);
            }
            // the parts made before must still be there: a master's sweep may have taken them for litter
            List<Write> checked = new ArrayList<>(current);
            made.forEach(part -> checked.add(Write.check(part.path(), 0)));
            List<Integer> versions = store.commit(checked);
            return versions.get(current.size() - last.size());
        } catch (StaleVersionException e) {
            forget(made);
            throw new NotMasterException("another controller wrote the desired state since this one read it "
                    + "(version " + version + " of " + HEAD + " is gone): this controller is no longer the master, "
                    + "nothing was changed");
        } catch (RuntimeException e) {
            forget(made);
            throw e;
        }
    }

    private List<Write> fenced(List<Write> creates) {
        List<Write> fenced = new ArrayList<>(creates);
        if (version != Versioned.ABSENT) {
            fenced.add(Write.check(HEAD, version));
        } else if (legacyVersion != Versioned.ABSENT) {
            fenced.add(Write.check(LEGACY_PATH, legacyVersion));
        }
        return fenced;
    }

    /** Deletes parts a refused save created, which no head names; one that cannot be deleted is left. */
    private void forget(List<Write> made) {
        for (Write w : made) {
            try {
                store.delete(w.path(), 0);
            } catch (RuntimeException left) {
                // an orphan no head names: it takes room, nothing reads it
            }
        }
    }

    @Override
    public boolean shared() {
        return true;
    }

    /** The version the next save writes the head over. */
    int version() {
        return version;
    }

    /** How many saves this controller made. */
    public long saves() {
        return saves.get();
    }

    /** How many documents those saves wrote: created, deleted, and the head. */
    public long documentsWritten() {
        return documents.get();
    }

    /** How long those saves' transactions took, in milliseconds (the store's round trips, quorum and fsync). */
    public long writeMillis() {
        return writeNanos.get() / 1_000_000;
    }

    /** How many bytes those saves wrote (the parts created and the heads). */
    public long bytesWritten() {
        return bytes.get();
    }

    private static List<TreePMap<String, ModelState.Placed>> emptyBuckets() {
        return new ArrayList<>(Collections.nCopies(ModelParts.BUCKETS, TreePMap.<String, ModelState.Placed>empty()));
    }
}
