package io.cutover.tunnel.impl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cutover.support.ChangeLog;
import io.cutover.support.AtomicFile;
import io.cutover.tunnel.DropReason;
import io.cutover.tunnel.MoveSpec;
import io.cutover.tunnel.MoveState;
import io.cutover.tunnel.TunnelException;
import io.cutover.tunnel.TunnelKey;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The forwarder's state on disk ({@code tunnel-state.json} in the state directory): each move with its
 * state, key reference, counters, and what it received: the peer's current session (its salt), that session's
 * replay window's highest and replay ceiling (see {@link ReplayCeiling}, {@link ReceiveSessions}). Nothing of the sending side: a restarted sender starts a session of its own.
 * Written whole and durably now and then ({@link AtomicFile}), so a {@code kill -9} or a power cut leaves the
 * previous or the new version, never half of one; each write between is one line of {@code tunnel-state.log} beside
 * it ({@link ChangeLog}, a data-only fdatasync): the moves whose entry changed (a hold, a flush) and those gone. The
 * whole journal carries the number of the last change it holds ({@code seq}), so that a crash before the log was
 * emptied replays nothing twice. Keys given inline
 * are kept in {@code keys/<move>.key} (mode 0600) and journaled by reference.
 */
public final class StateJournal implements AutoCloseable {
    static final String FILE = "tunnel-state.json";
    /** The changes journaled since {@link #FILE} was last written whole. */
    static final String LOG = "tunnel-state.log";
    static final long SNAPSHOT_AFTER_BYTES = 1L << 20;

    /** One move as journaled. */
    public record Entry(MoveSpec spec, MoveState state, String rxSession, long rxHighest, long rxCeiling,
                        Map<String, Long> counters, Map<DropReason, Long> drops) {
        /** The floor of a restarted receiver's replay window: nothing at or below it is accepted again. */
        public long rxFloor() {
            return Math.max(rxHighest, rxCeiling);
        }
    }

    private final Path dir;
    private final AtomicFile file;
    private final ChangeLog changes;
    /** Each move's entry as last read or written, by id; null before either. */
    private Map<String, ObjectNode> written;

    public StateJournal(Path dir) {
        this.dir = dir;
        this.file = new AtomicFile(dir.resolve(FILE));
        this.changes = new ChangeLog(dir.resolve(LOG));
        try {
            Files.createDirectories(dir.resolve("keys"));
            forceDirectory(dir);
        } catch (IOException e) {
            throw new TunnelException(null, "cannot create state directory " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void forceDirectory(Path directory) throws IOException {
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(directory,
                java.nio.file.StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /** Makes sure the key is kept in a file; returns the key with that file as reference. */
    public TunnelKey keep(String moveId, TunnelKey key) {
        if (key == null || key.reference() != null) {
            return key;
        }
        Path file = dir.resolve("keys").resolve(moveId + ".key");
        try {
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, key.base64() + "\n", StandardCharsets.US_ASCII);
            // on disk before the journal names it: after a power cut a journaled move finds its key
            try (java.nio.channels.FileChannel written = java.nio.channels.FileChannel.open(file,
                    java.nio.file.StandardOpenOption.WRITE);
                 java.nio.channels.FileChannel directory = java.nio.channels.FileChannel.open(file.getParent(),
                         java.nio.file.StandardOpenOption.READ)) {
                written.force(true);
                directory.force(true);
            }
        } catch (IOException e) {
            throw new TunnelException(moveId, "cannot keep the key in " + file + ": " + e.getMessage(), e);
        }
        return TunnelKey.of(key.secret(), file.toString());
    }

    /**
     * Journals every entry: the moves whose entry changed since the last write (and those gone) as one line of the
     * log, durable once this returns; the whole journal replaced when nothing was read or written yet, or past
     * {@value #SNAPSHOT_AFTER_BYTES} bytes of lines.
     */
    public synchronized void write(List<Entry> entries) {
        Map<String, ObjectNode> now = new LinkedHashMap<>();
        for (Entry e : entries) {
            now.put(e.spec().id(), node(e));
        }
        if (written == null || changes.size() > SNAPSHOT_AFTER_BYTES) {
            snapshot(now);
            return;
        }
        ArrayNode put = MoveJson.MAPPER.createArrayNode();
        now.forEach((id, node) -> {
            if (!node.equals(written.get(id))) {
                put.add(node);
            }
        });
        ArrayNode removed = MoveJson.MAPPER.createArrayNode();
        written.keySet().stream().filter(id -> !now.containsKey(id)).forEach(removed::add);
        if (put.isEmpty() && removed.isEmpty()) {
            return;
        }
        ObjectNode change = MoveJson.MAPPER.createObjectNode();
        change.set("put", put);
        change.set("removed", removed);
        try {
            changes.append(MoveJson.MAPPER.writeValueAsString(change));
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new TunnelException(null, "cannot write the journal " + changes.path() + ": " + e.getMessage(), e);
        }
        written = now;
    }

    /** Replaces the journal with {@code moves} whole, numbered as the next change, and empties the log. */
    private void snapshot(Map<String, ObjectNode> moves) {
        ObjectNode root = MoveJson.MAPPER.createObjectNode();
        root.put("version", 2);
        long number = changes.next();
        root.put("seq", number);
        root.putArray("moves").addAll(moves.values());
        try {
            file.replace(out -> MoveJson.MAPPER.writerWithDefaultPrettyPrinter().writeValue(out, root));
            changes.snapshotTaken(number);
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new TunnelException(null, "cannot write the journal " + file.path() + ": " + e.getMessage(), e);
        }
        written = moves;
    }

    private static ObjectNode node(Entry e) {
        ObjectNode node = MoveJson.MAPPER.createObjectNode();
        node.set("move", MoveJson.write(e.spec()));
        node.put("state", e.state().name());
        if (e.rxSession() != null) {
            node.put("rxSession", e.rxSession());
            node.put("rxHighest", e.rxHighest());
            node.put("rxCeiling", e.rxCeiling());
        }
        ObjectNode counters = node.putObject("counters");
        e.counters().forEach(counters::put);
        ObjectNode drops = node.putObject("drops");
        e.drops().forEach((k, v) -> drops.put(k.name(), v));
        return node;
    }

    /** The journaled moves (none when there is no journal yet): the whole journal, then the changes logged since. */
    public synchronized List<Entry> read() {
        Map<String, ObjectNode> moves = new LinkedHashMap<>();
        try {
            byte[] json = file.read();
            if (json.length > 0) {
                JsonNode root = MoveJson.MAPPER.readTree(json);
                for (JsonNode node : root.path("moves")) {
                    moves.put(node.path("move").path("id").asText(), (ObjectNode) node);
                }
                for (String line : changes.replay(root.path("seq").asLong(0))) {
                    JsonNode change = MoveJson.MAPPER.readTree(line);
                    change.path("removed").forEach(id -> moves.remove(id.asText()));
                    change.path("put").forEach(node -> moves.put(node.path("move").path("id").asText(),
                            (ObjectNode) node));
                }
            }
            List<Entry> entries = new ArrayList<>();
            for (JsonNode node : moves.values()) {
                entries.add(entry(node));
            }
            // nothing on disk yet: the first write is a whole one, which the log's lines then follow
            written = json.length == 0 ? null : moves;
            return entries;
        } catch (IOException | RuntimeException e) {
            throw new TunnelException(null, "cannot read the journal " + file.path() + ": " + e.getMessage(), e);
        }
    }

    private Entry entry(JsonNode node) {
        MoveSpec spec = MoveJson.readJournaled(node.get("move"), file.path().toString());
        Map<String, Long> counters = new LinkedHashMap<>();
        node.path("counters").fields().forEachRemaining(f -> counters.put(f.getKey(), f.getValue().asLong()));
        Map<DropReason, Long> drops = new EnumMap<>(DropReason.class);
        node.path("drops").fields().forEachRemaining(f -> drops.put(DropReason.valueOf(f.getKey()), f.getValue().asLong()));
        // a version 1 journal names no session: its receivers start afresh with the peer's next one
        String session = node.hasNonNull("rxSession") ? node.get("rxSession").asText() : null;
        if (session != null && (session.length() != 2 * VxlanHeader.SALT_LENGTH || !session.matches("[0-9a-f]+"))) {
            throw new IllegalArgumentException("move " + spec.id() + ": not a session salt: '" + session + "'");
        }
        return new Entry(spec, MoveState.valueOf(node.path("state").asText("PLANNED")), session,
                node.path("rxHighest").asLong(0), node.path("rxCeiling").asLong(0), counters, drops);
    }

    @Override
    public synchronized void close() {
        changes.close();
    }
}
