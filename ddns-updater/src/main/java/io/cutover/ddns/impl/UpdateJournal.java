package io.cutover.ddns.impl;

import io.cutover.ddns.PendingUpdate;
import io.cutover.ddns.RrsetChange;
import io.cutover.support.AppendLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * The on-disk journal of updates: an update is appended and synced before it is sent, and marked done when
 * the server has answered it. TTLs lowered ahead of a move are remembered here too. One line per record in an
 * {@link AppendLog} (preallocated, data syncs shared by concurrent writers), each with a CRC-32 (the format
 * predates the log's CRC-32C) so that a line torn by a crash or damaged is recognised and ignored. Opening it
 * compacts it (only what is still pending or remembered is kept, replaced atomically) and locks it against a
 * second process.
 *
 * <pre>
 * crc N nextId
 * crc P id epochMillis zone owner|- name type ttl expected|- desired|- [; name type ...]
 * crc D id outcome
 * crc T name ttlSeconds      (a TTL remembered)
 * crc F name                 (forgotten)
 * </pre>
 */
public final class UpdateJournal implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UpdateJournal.class);
    static final String FILE = "ddns-journal.log";
    private static final String LOCK = "ddns-journal.lock";

    private final Path file;
    private final FileChannel lockChannel;
    private final FileLock lock;
    /** The lines on disk; none for a journal in memory. */
    private final AppendLog log;
    private final Map<Long, PendingUpdate> pending = new LinkedHashMap<>();
    private final Map<String, Duration> ttls = new LinkedHashMap<>();
    private long nextId = 1;

    private UpdateJournal() {
        this.file = null;
        this.lockChannel = null;
        this.lock = null;
        this.log = null;
    }

    /** A journal kept in memory only: nothing survives the process. */
    public static UpdateJournal inMemory() {
        return new UpdateJournal();
    }

    private UpdateJournal(Path dir) throws IOException {
        Files.createDirectories(dir);
        this.file = dir.resolve(FILE);
        this.lockChannel = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock acquired;
        try {
            acquired = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            acquired = null;
        }
        if (acquired == null) {
            lockChannel.close();
            throw new IllegalStateException("the DNS journal " + file + " is in use by another process");
        }
        this.lock = acquired;
        AppendLog opened = null;
        try {
            opened = AppendLog.open(file, CRC32::new);
            if (opened.badLines() > 0) {
                LOG.warn("{}: ignored {} torn or damaged line(s)", file, opened.badLines());
            }
            load(opened.lines());
            opened.rewrite(compacted());
        } catch (RuntimeException e) {
            if (opened != null) {
                opened.close();
            }
            unlock();
            throw e;
        }
        this.log = opened;
    }

    /** Opens (creating, compacting and locking) the journal in {@code dir}. */
    public static UpdateJournal open(Path dir) {
        try {
            return new UpdateJournal(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the DNS journal in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Whether it is kept on disk (its writes wait for the disk) rather than in memory. */
    public boolean onDisk() {
        return log != null;
    }

    public Path file() {
        return file;
    }

    /** Appends a new pending update and returns it once it is on disk. */
    public PendingUpdate add(String zone, String owner, List<RrsetChange> changes) {
        PendingUpdate update;
        long end;
        synchronized (this) {
            update = new PendingUpdate(nextId++, Instant.now(), zone, owner, changes);
            end = write(encodePending(update));
            pending.put(update.id(), update);
        }
        sync(end);
        return update;
    }

    /** Appends one pending update per change list, all synced together (one fsync). */
    public List<PendingUpdate> addAll(String zone, String owner, List<List<RrsetChange>> updates) {
        List<PendingUpdate> added = new ArrayList<>();
        long end = 0;
        synchronized (this) {
            for (List<RrsetChange> changes : updates) {
                PendingUpdate update = new PendingUpdate(nextId++, Instant.now(), zone, owner, changes);
                end = write(encodePending(update));
                pending.put(update.id(), update);
                added.add(update);
            }
        }
        sync(end);
        return added;
    }

    /** Marks an update done (answered: applied, already applied, or rejected for good). */
    public void done(long id, String outcome) {
        long end;
        synchronized (this) {
            if (pending.remove(id) == null) {
                return;
            }
            end = write("D " + id + " " + encode(outcome));
        }
        sync(end);
    }

    /**
     * Marks an update done without waiting for the disk: if the line is lost in a crash, the update is
     * replayed, which its prerequisites make harmless. The next synced write carries it to disk.
     */
    public synchronized void doneUnsynced(long id, String outcome) {
        if (pending.remove(id) != null) {
            write("D " + id + " " + encode(outcome));
        }
    }

    /** Remembers the TTL a name had before it was lowered (the first one, if it is lowered twice). */
    public Duration rememberTtl(String name, Duration ttl) {
        long end;
        Duration kept;
        synchronized (this) {
            Duration earlier = ttls.get(name);
            if (earlier != null) {
                return earlier;
            }
            ttls.put(name, ttl);
            kept = ttl;
            end = write("T " + encode(name) + " " + ttl.getSeconds());
        }
        sync(end);
        return kept;
    }

    public synchronized Optional<Duration> rememberedTtl(String name) {
        return Optional.ofNullable(ttls.get(name));
    }

    public void forgetTtl(String name) {
        long end;
        synchronized (this) {
            if (ttls.remove(name) == null) {
                return;
            }
            end = write("F " + encode(name));
        }
        sync(end);
    }

    public synchronized List<PendingUpdate> pending() {
        return List.copyOf(pending.values());
    }

    public synchronized Map<String, Duration> rememberedTtls() {
        return Map.copyOf(ttls);
    }

    /** Appends a record (not yet on disk) and returns where it ends, for {@link #sync}. */
    private long write(String body) {
        return log == null ? 0 : log.write(body);
    }

    /** Returns once every record written up to {@code end} is on disk (one sync serves every caller waiting). */
    private void sync(long end) {
        if (log != null) {
            log.syncTo(end);
        }
    }

    private void load(List<String> records) {
        int number = 0;
        for (String record : records) {
            number++;
            try {
                apply(record);
            } catch (RuntimeException e) {
                LOG.warn("{}: ignored record {}, which cannot be read: {}", file, number, e.getMessage());
            }
        }
    }

    private void apply(String body) {
        String[] f = body.split(" ", 2);
        String rest = f.length > 1 ? f[1] : "";
        switch (f[0]) {
            case "N" -> nextId = Math.max(nextId, Long.parseLong(rest.strip()));
            case "P" -> {
                PendingUpdate update = decodePending(rest);
                pending.put(update.id(), update);
                nextId = Math.max(nextId, update.id() + 1);
            }
            case "D" -> pending.remove(Long.parseLong(rest.split(" ")[0]));
            case "T" -> {
                String[] t = rest.split(" ");
                ttls.putIfAbsent(decode(t[0]), Duration.ofSeconds(Long.parseLong(t[1])));
            }
            case "F" -> ttls.remove(decode(rest.strip()));
            default -> throw new IllegalArgumentException("unknown record type '" + f[0] + "'");
        }
    }

    /** The journal compacted: the next id, what is still pending, the TTLs remembered. */
    private List<String> compacted() {
        List<String> records = new ArrayList<>();
        records.add("N " + nextId);
        pending.values().forEach(p -> records.add(encodePending(p)));
        ttls.forEach((name, ttl) -> records.add("T " + encode(name) + " " + ttl.getSeconds()));
        return records;
    }

    static String encodePending(PendingUpdate p) {
        StringBuilder s = new StringBuilder("P ").append(p.id()).append(' ').append(p.created().toEpochMilli())
                .append(' ').append(p.zone() == null ? "-" : encode(p.zone())).append(' ').append(p.owner() == null ? "-" : encode(p.owner()));
        String separator = " ";
        for (RrsetChange c : p.changes()) {
            s.append(separator).append(encode(c.name())).append(' ').append(c.type()).append(' ')
                    .append(c.ttl().getSeconds()).append(' ').append(encodeList(c.expected())).append(' ')
                    .append(encodeList(c.desired()));
            separator = " ; ";
        }
        return s.toString();
    }

    static PendingUpdate decodePending(String rest) {
        String[] head = rest.split(" ", 5);
        if (head.length < 5) {
            throw new IllegalArgumentException("a pending update needs id, time, zone, owner and changes");
        }
        List<RrsetChange> changes = new ArrayList<>();
        for (String change : head[4].split(" ; ")) {
            String[] c = change.strip().split(" ");
            if (c.length != 5) {
                throw new IllegalArgumentException("a change needs name, type, ttl, expected and desired: '" + change + "'");
            }
            changes.add(new RrsetChange(decode(c[0]), c[1], Duration.ofSeconds(Long.parseLong(c[2])), decodeList(c[3]),
                    decodeList(c[4])));
        }
        return new PendingUpdate(Long.parseLong(head[0]), Instant.ofEpochMilli(Long.parseLong(head[1])),
                head[2].equals("-") ? null : decode(head[2]),
                head[3].equals("-") ? null : decode(head[3]), changes);
    }

    private static String encodeList(List<String> values) {
        if (values.isEmpty()) {
            return "-";
        }
        return String.join(",", values.stream().map(UpdateJournal::encode).toList());
    }

    private static List<String> decodeList(String text) {
        if (text.equals("-")) {
            return List.of();
        }
        return Arrays.stream(text.split(",")).map(UpdateJournal::decode).toList();
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        if (log == null) {
            return;
        }
        try {
            log.close();
        } catch (UncheckedIOException e) {
            LOG.debug("closing {}: {}", file, e.toString());
        }
        unlock();
    }

    private void unlock() {
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            LOG.debug("unlocking {}: {}", file, e.toString());
        }
    }
}
