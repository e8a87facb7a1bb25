package io.cutover.tunnel.impl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * Replaced whole and durably ({@link AtomicFile}), so
 * a {@code kill -9} or a power cut leaves the previous or the new version, never half of one. Keys given inline
 * are kept in {@code keys/<move>.key} (mode 0600) and journaled by reference.
 */
public final class StateJournal {
    static final String FILE = "tunnel-state.json";

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

    public StateJournal(Path dir) {
        this.dir = dir;
        this.file = new AtomicFile(dir.resolve(FILE));
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

    /** Writes every entry, replacing the previous journal. */
    public synchronized void write(List<Entry> entries) {
        ArrayNode moves = MoveJson.MAPPER.createArrayNode();
        for (Entry e : entries) {
            ObjectNode node = moves.addObject();
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
        }
        ObjectNode root = MoveJson.MAPPER.createObjectNode();
        root.put("version", 2);
        root.set("moves", moves);
        try {
            file.replace(out -> MoveJson.MAPPER.writerWithDefaultPrettyPrinter().writeValue(out, root));
        } catch (IOException e) {
            throw new TunnelException(null, "cannot write the journal " + file.path() + ": " + e.getMessage(), e);
        }
    }

    /** The journaled moves (none when there is no journal yet). */
    public List<Entry> read() {
        List<Entry> entries = new ArrayList<>();
        try {
            byte[] json = file.read();
            if (json.length == 0) {
                return List.of();
            }
            JsonNode root = MoveJson.MAPPER.readTree(json);
            for (JsonNode node : root.path("moves")) {
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
                entries.add(new Entry(spec, MoveState.valueOf(node.path("state").asText("PLANNED")), session,
                        node.path("rxHighest").asLong(0), node.path("rxCeiling").asLong(0), counters, drops));
            }
        } catch (IOException | RuntimeException e) {
            throw new TunnelException(null, "cannot read the journal " + file.path() + ": " + e.getMessage(), e);
        }
        return entries;
    }
}
