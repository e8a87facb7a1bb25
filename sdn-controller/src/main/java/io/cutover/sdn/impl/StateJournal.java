package io.cutover.sdn.impl;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.cutover.sdn.Dpid;
import io.cutover.sdn.JournalFormatException;
import io.cutover.sdn.SdnException;
import io.cutover.sdn.Link;
import io.cutover.sdn.Move;
import io.cutover.sdn.Network;
import io.cutover.support.ChangeLog;
import io.cutover.support.AtomicFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The desired state on disk: {@code state.json} in the state directory, a snapshot replaced whole and durably
 * ({@link AtomicFile}), and {@code state.log} beside it, the changes saved since ({@link ChangeLog}: one line each,
 * synced with a data-only fdatasync), read back on start. A change is one line of what differs from the state saved
 * before it (the endpoints added, replaced or removed; the moves; the links and networks only when they changed): at
 * 10,000 endpoints a move's save writes a few hundred bytes where the whole state is megabytes. Past
 * {@value #SNAPSHOT_AFTER_BYTES} bytes of changes, or a change of more than {@value #SNAPSHOT_ABOVE_ENDPOINTS}
 * endpoints, the state is written whole again and the log emptied; the snapshot carries the number of the last change
 * it holds ({@code seq}), so that a crash between the two replays no change twice. The file carries its {@code format}: {@value FORMAT}
 * names switches by datapath id. A file without one was written when switches were named by their bridge's name; it
 * is refused with a {@link JournalFormatException} (unless it holds nothing) and {@link #migrate} rewrites it, given
 * each bridge's datapath id. A file written before networks were objects has no {@code networks}: it is read as none
 * defined (the same format, as a missing field only adds what older controllers did not have).
 */
public final class StateJournal implements ModelStore, AutoCloseable {
    public static final String FILE = "state.json";
    /** The changes saved since the snapshot. */
    public static final String LOG = "state.log";
    static final long SNAPSHOT_AFTER_BYTES = 8L << 20;
    static final int SNAPSHOT_ABOVE_ENDPOINTS = 1_000;
    /** The format this controller writes: switches by datapath id. */
    public static final int FORMAT = 2;
    /** Where {@link #migrate} keeps the file it replaced. */
    public static final String PRE_MIGRATION_SUFFIX = ".by-name";
    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final AtomicFile file;
    private final ChangeLog changes;
    /** What was last loaded or saved: what the next change is told apart from; null before either. */
    private ModelState saved;

    /** One line of the log: what a save changed ({@code networks} and {@code links} null when they did not). */
    record Change(Map<Integer, Move> moves, int nextMoveId, Map<Integer, Network> networks, List<Link> links,
                  List<ModelState.Placed> put, List<String> removed) {
    }

    public StateJournal(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new SdnException("cannot create the state directory " + dir + ": " + e.getMessage(), e);
        }
        this.file = new AtomicFile(dir.resolve(FILE));
        this.changes = new ChangeLog(dir.resolve(LOG));
    }

    /**
     * The state last written, or an empty one.
     *
     * @throws JournalFormatException when the file names switches by bridge name, or is of a newer format
     */
    @Override
    public synchronized ModelState load() {
        JsonNode tree = readTree();
        if (tree == null) {
            return ModelState.empty();
        }
        int format = tree.path("format").asInt(1);
        if (format > FORMAT) {
            throw new JournalFormatException(file.path(), List.of(), file.path() + " is of format " + format
                    + ", written by a newer controller (this one reads format " + FORMAT + ")");
        }
        if (format < FORMAT) {
            List<String> names = bridgeNames(tree);
            if (!names.isEmpty()) {
                throw new JournalFormatException(file.path(), names, file.path() + " was written by an older "
                        + "controller that named switches by bridge name (" + String.join(", ", names) + "); switches "
                        + "are now named by datapath id. Rewrite it with 'cutover sdn migrate-state --state "
                        + file.path().getParent() + " " + String.join(" ", names.stream()
                        .map(n -> "--switch " + n + "=DPID").toList()) + "' ('ovs-vsctl get Bridge NAME datapath_id' "
                        + "prints each DPID), or move it aside and register links and endpoints again by datapath id");
            }
        }
        ModelState state = parse(tree);
        List<String> logged;
        try {
            logged = changes.replay(tree.path("seq").asLong(0));
        } catch (IllegalStateException | java.io.UncheckedIOException e) {
            throw new SdnException("cannot read the controller state " + changes.path() + ": " + e.getMessage(), e);
        }
        for (String line : logged) {
            state = apply(state, change(line));
        }
        saved = state;
        return state;
    }

    /**
     * Saves {@code state}: one line of what differs from the state last loaded or saved, or the state whole (before
     * any load, after {@value #SNAPSHOT_AFTER_BYTES} bytes of changes, or for a change of many endpoints).
     */
    @Override
    public synchronized void save(ModelState state) {
        if (saved == null) {
            snapshot(state);
            return;
        }
        List<ModelState.Placed> put = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        EndpointMap.forEachDifference(saved.endpoints(), state.endpoints(), (name, now) -> {
            if (now == null) {
                removed.add(name);
            } else {
                put.add(now);
            }
        });
        if (put.size() + removed.size() > SNAPSHOT_ABOVE_ENDPOINTS || changes.size() > SNAPSHOT_AFTER_BYTES) {
            snapshot(state);
            return;
        }
        Change change = new Change(state.moves(), state.nextMoveId(),
                same(state.networks(), saved.networks()) ? null : state.networks(),
                same(state.links(), saved.links()) ? null : state.links(), put, removed);
        try {
            changes.append(JSON.writeValueAsString(change));
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new SdnException("cannot write the controller state " + changes.path() + ": " + e.getMessage(), e);
        }
        saved = state;
    }

    /** Writes {@code state} whole, numbered as the next change, and empties the log of the changes it holds. */
    private void snapshot(ModelState state) {
        long number = changes.next();
        try {
            file.replace(out -> JSON.writerWithDefaultPrettyPrinter().writeValue(out,
                    withFormat(state).put("seq", number)));
            changes.snapshotTaken(number);
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new SdnException("cannot write the controller state " + file.path() + ": " + e.getMessage(), e);
        }
        saved = state;
    }

    private static boolean same(Object now, Object before) {
        return now == before || now.equals(before);
    }

    private Change change(String line) {
        try {
            return JSON.readValue(line, Change.class);
        } catch (IOException e) {
            throw new SdnException("cannot read a change in " + changes.path() + ": " + e.getMessage(), e);
        }
    }

    /** {@code state} with {@code change} made to it. */
    private static ModelState apply(ModelState state, Change change) {
        ModelState next = state.withEndpoints(change.put());
        for (String name : change.removed()) {
            next = next.withoutEndpoint(name);
        }
        return new ModelState(next.endpoints(), change.links() == null ? state.links() : change.links(),
                change.moves(), change.nextMoveId(), change.networks() == null ? state.networks() : change.networks());
    }

    @Override
    public synchronized void close() {
        changes.close();
    }

    /**
     * Rewrites a journal that names switches by bridge name into one that names them by datapath id, keeping the old
     * file beside it ({@value #PRE_MIGRATION_SUFFIX}). A journal already by datapath id is left as it is.
     *
     * @param dpids each bridge name the journal uses, to its switch's datapath id
     * @return the migrated state
     * @throws IllegalArgumentException when the journal names a bridge {@code dpids} lacks
     */
    public ModelState migrate(Map<String, Dpid> dpids) {
        JsonNode tree = readTree();
        if (tree == null || tree.path("format").asInt(1) >= FORMAT) {
            return load();
        }
        List<String> missing = new ArrayList<>(bridgeNames(tree));
        missing.removeAll(dpids.keySet());
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(file.path() + " names bridges " + String.join(", ", missing)
                    + " that have no datapath id given (--switch NAME=DPID)");
        }
        for (JsonNode placed : tree.path("endpoints")) {
            ObjectNode endpoint = (ObjectNode) placed.path("endpoint");
            endpoint.set("switch", TextNode.valueOf(dpids.get(endpoint.path("switchName").asText()).toString()));
            endpoint.remove("switchName");
        }
        for (JsonNode link : tree.path("links")) {
            rename((ObjectNode) link, "switchA", dpids);
            rename((ObjectNode) link, "switchB", dpids);
        }
        for (JsonNode move : tree.path("moves")) {
            rename((ObjectNode) move, "fromSwitch", dpids);
            rename((ObjectNode) move, "toSwitch", dpids);
        }
        ModelState migrated = parse(tree);
        try {
            Files.copy(file.path(), file.path().resolveSibling(FILE + PRE_MIGRATION_SUFFIX),
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new SdnException("cannot keep a copy of " + file.path() + ": " + e.getMessage(), e);
        }
        snapshot(migrated);
        return migrated;
    }

    /** Written alongside the switches' round trip: this controller's own file. */
    @Override
    public boolean shared() {
        return false;
    }

    /** {@code state} as the journal writes it ({@value FORMAT}), compact: what {@link SharedModel} stores. */
    static byte[] encode(ModelState state) {
        try {
            return JSON.writeValueAsBytes(withFormat(state));
        } catch (IOException e) {
            throw new SdnException("cannot write the controller state: " + e.getMessage(), e);
        }
    }

    /**
     * The state {@link #encode} wrote, read from {@code where}.
     *
     * @throws SdnException when it is not JSON of the format {@value FORMAT}
     */
    static ModelState decode(byte[] json, String where) {
        try {
            JsonNode tree = JSON.readTree(json);
            int format = tree.path("format").asInt(0);
            if (format != FORMAT) {
                throw new SdnException(where + " is of format " + format + " (this controller reads format " + FORMAT
                        + ")");
            }
            return JSON.treeToValue(tree, ModelState.class);
        } catch (IOException | IllegalArgumentException e) {
            throw new SdnException("cannot read the controller state " + where + ": " + e.getMessage(), e);
        }
    }

    private static void rename(ObjectNode node, String field, Map<String, Dpid> dpids) {
        node.set(field, TextNode.valueOf(dpids.get(node.path(field).asText()).toString()));
    }

    /** The bridge names an old journal keys switches by, sorted. */
    private static List<String> bridgeNames(JsonNode tree) {
        TreeSet<String> names = new TreeSet<>();
        for (JsonNode placed : tree.path("endpoints")) {
            addText(names, placed.path("endpoint").path("switchName"));
        }
        for (JsonNode link : tree.path("links")) {
            addText(names, link.path("switchA"));
            addText(names, link.path("switchB"));
        }
        for (JsonNode move : tree.path("moves")) {
            addText(names, move.path("fromSwitch"));
            addText(names, move.path("toSwitch"));
        }
        return List.copyOf(names);
    }

    private static void addText(TreeSet<String> names, JsonNode value) {
        if (value.isTextual()) {
            names.add(value.asText());
        }
    }

    private JsonNode readTree() {
        try {
            byte[] json = file.read();
            return json.length == 0 ? null : JSON.readTree(json);
        } catch (IOException e) {
            throw new SdnException("cannot read the controller state " + file.path() + ": " + e.getMessage(), e);
        }
    }

    private ModelState parse(JsonNode tree) {
        try {
            return JSON.treeToValue(tree, ModelState.class);
        } catch (IOException | IllegalArgumentException e) {
            throw new SdnException("cannot read the controller state " + file.path() + ": " + e.getMessage(), e);
        }
    }

    private static ObjectNode withFormat(ModelState state) {
        ObjectNode node = JSON.createObjectNode().put("format", FORMAT);
        node.setAll((ObjectNode) JSON.valueToTree(state));
        return node;
    }
}
