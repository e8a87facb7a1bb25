package io.cutover.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Supplier;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import java.util.zip.Checksum;

/**
 * A file of lines that only grows, each line durable once {@link #append} returns: a journal's cheap write, beside a
 * snapshot replaced whole ({@link AtomicFile}, or {@link #rewrite}) now and then.
 * <p>
 * Each line carries a checksum of its text ({@code crc text\n}). A line whose checksum does not match is left out of
 * {@link #lines()} and counted ({@link #badLines()}), and stays in the file; reading goes on at the next line, so
 * that what comes after a damaged line is not lost with it, and the reader decides what a missing line means (a
 * {@link ChangeLog} refuses a gap). A crash can only tear the last line: what follows the last line break is
 * overwritten by the next append.
 * <p>
 * The file is preallocated with zeros, {@value #PREALLOCATE} bytes at a time, and lines overwrite the zeros: a sync
 * then writes the data alone ({@code fdatasync}), without a file-system metadata commit for the file's growing
 * length; only a sync after the file grew forces its metadata too. Opening, emptying and rewriting leave zeros ahead,
 * so that the first appends after them are data syncs too.
 * <p>
 * Thread-safe: several threads may {@link #write} and then {@link #syncTo} their line, and one sync covers every line
 * written before it (group commit).
 */
public final class AppendLog implements AutoCloseable {
    /** Bytes the file grows by when its lines reach its end. */
    public static final int PREALLOCATE = 1 << 20;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 * 1024).asReadOnlyBuffer();

    private final Path file;
    private final Supplier<Checksum> checksum;
    private final Object syncLock = new Object();
    private FileChannel channel;
    private List<String> lines;
    private int badLines;
    private long written;
    private long allocated;
    /** The file grew since the last sync: the next one forces its metadata (its length) too. */
    private boolean grown;
    /** Lines written before this offset are on disk; reset by {@link #clear} and {@link #rewrite}. */
    private long synced;

    private AppendLog(Path file, Supplier<Checksum> checksum) throws IOException {
        this.file = file;
        this.checksum = checksum;
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        byte[] content = Files.readAllBytes(file);
        this.lines = new ArrayList<>();
        this.written = readLines(content, lines);
        this.allocated = content.length;
        if (hasDataAfter(content, written)) {
            // a torn line: zeros over it, so that nothing of it is read after the next line
            zero(written, allocated);
        }
        preallocateAhead();
        this.synced = written;
    }

    /** Opens {@code file} with CRC-32C checksums, creating it if absent; its good lines are read at once. */
    public static AppendLog open(Path file) {
        return open(file, CRC32C::new);
    }

    /**
     * Opens {@code file} whose lines carry the checksum {@code checksum} makes (a log format that predates CRC-32C
     * keeps its own, such as the DNS journal's {@link CRC32}).
     */
    public static AppendLog open(Path file, Supplier<Checksum> checksum) {
        try {
            return new AppendLog(file, checksum);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file + ": " + e.getMessage(), e);
        }
    }

    /** The good lines the file held when opened (or last rewritten), in order. */
    public synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    /** The lines left out of {@link #lines()} when the file was opened because their checksum did not match. */
    public synchronized int badLines() {
        return badLines;
    }

    /** The bytes of lines written so far. */
    public synchronized long size() {
        return written;
    }

    public Path path() {
        return file;
    }

    /** Appends {@code text} (one line: no line break in it) and returns once it is on disk. */
    public void append(String text) {
        syncTo(write(text));
    }

    /**
     * Appends {@code text} (one line: no line break in it) without waiting for the disk, and returns the offset to
     * {@link #syncTo} for it to be durable.
     */
    public synchronized long write(String text) {
        ByteBuffer line = ByteBuffer.wrap(format(text));
        try {
            if (written + line.remaining() > allocated) {
                grow(Math.max(allocated + PREALLOCATE, written + line.remaining()));
            }
            while (line.hasRemaining()) {
                written += channel.write(line, written);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file + ": " + e.getMessage(), e);
        }
        return written;
    }

    /** Returns once every line written up to {@code end} is on disk: one sync serves every writer waiting. */
    public void syncTo(long end) {
        synchronized (syncLock) {
            boolean metadata;
            long target;
            FileChannel open;
            synchronized (this) {
                if (synced >= end) {
                    return;
                }
                target = written;
                metadata = grown;
                grown = false;
                open = channel;
            }
            try {
                open.force(metadata);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot sync " + file + ": " + e.getMessage(), e);
            }
            synchronized (this) {
                synced = Math.max(synced, target);
            }
        }
    }

    /** Drops every line (once a snapshot holds what they said), durably. */
    public synchronized void clear() {
        try {
            channel.truncate(0);
            written = 0;
            allocated = 0;
            synced = 0;
            preallocateAhead();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Replaces the whole log with {@code kept} (a compaction), atomically: after a crash the file holds the old lines
     * or these, never a mix.
     */
    public synchronized void rewrite(List<String> kept) {
        try {
            List<byte[]> formatted = kept.stream().map(this::format).toList();
            long length = formatted.stream().mapToLong(line -> line.length).sum();
            new AtomicFile(file).replace(out -> {
                for (byte[] line : formatted) {
                    out.write(line);
                }
                out.write(new byte[PREALLOCATE]);
            });
            channel.close();
            channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            lines = new ArrayList<>(kept);
            badLines = 0;
            written = length;
            synced = length;
            allocated = length + PREALLOCATE;
            grown = false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rewrite " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + file + ": " + e.getMessage(), e);
        }
    }

    private byte[] format(String text) {
        if (text.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("a log line cannot hold a line break");
        }
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        byte[] line = new byte[9 + body.length + 1];
        byte[] crc = HexFormat.of().toHexDigits(checksum(body, 0, body.length)).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(crc, 0, line, 0, 8);
        line[8] = ' ';
        System.arraycopy(body, 0, line, 9, body.length);
        line[line.length - 1] = '\n';
        return line;
    }

    private int checksum(byte[] bytes, int from, int length) {
        Checksum sum = checksum.get();
        sum.update(bytes, from, length);
        return (int) sum.getValue();
    }

    /** Zeros ahead of the lines, synced with the file's new length, unless some are there already. */
    private void preallocateAhead() throws IOException {
        if (allocated - written < PREALLOCATE / 2) {
            grow(written + PREALLOCATE);
        }
        channel.force(true);
        grown = false;
    }

    private void grow(long target) throws IOException {
        zero(allocated, target);
        allocated = target;
        grown = true;
    }

    private void zero(long from, long to) throws IOException {
        for (long at = from; at < to; ) {
            ByteBuffer zeros = ZEROS.duplicate();
            zeros.limit((int) Math.min(zeros.capacity(), to - at));
            at += channel.write(zeros, at);
        }
    }

    /**
     * Adds the good lines of {@code content} to {@code lines} and counts the bad ones; returns the offset after the
     * last line break, where the next line goes (what follows it is a line torn by a crash, or zeros).
     */
    private long readLines(byte[] content, List<String> lines) {
        int at = 0;
        while (true) {
            int newline = indexOf(content, (byte) '\n', at);
            if (newline < 0) {
                return at;
            }
            String line = goodLine(content, at, newline);
            if (line != null) {
                lines.add(line);
            } else {
                badLines++;
            }
            at = newline + 1;
        }
    }

    /** The text of the line {@code content[from..newline)} if its checksum matches, else {@code null}. */
    private String goodLine(byte[] content, int from, int newline) {
        if (newline - from < 9 || content[from + 8] != ' ') {
            return null;
        }
        int expected;
        try {
            expected = HexFormat.fromHexDigits(new String(content, from, 8, StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (checksum(content, from + 9, newline - from - 9) != expected) {
            return null;
        }
        return new String(content, from + 9, newline - from - 9, StandardCharsets.UTF_8);
    }

    private static int indexOf(byte[] content, byte wanted, int from) {
        for (int i = from; i < content.length; i++) {
            if (content[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    private static boolean allZeros(byte[] content, int from, int to) {
        for (int i = from; i < to; i++) {
            if (content[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean hasDataAfter(byte[] content, long from) {
        return !allZeros(content, (int) from, content.length);
    }
}
