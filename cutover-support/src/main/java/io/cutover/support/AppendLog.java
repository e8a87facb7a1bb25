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
import java.util.zip.CRC32C;

/**
 * A file of lines that only grows, each line durable once {@link #append} returns: a journal's cheap write, beside a
 * snapshot replaced whole ({@link AtomicFile}) now and then.
 * <p>
 * Each line carries a CRC-32C of its text ({@code crc text\n}), so that a line torn by a crash is recognised: reading
 * stops at the first line that is not whole. The file is preallocated with zeros, {@value #PREALLOCATE} bytes at a
 * time, and lines overwrite the zeros: a sync then writes the data alone ({@code fdatasync}), without a file-system
 * metadata commit for the file's growing length; only a sync after the file grew forces its metadata too.
 * Not thread-safe: one writer.
 */
public final class AppendLog implements AutoCloseable {
    /** Bytes the file grows by when its lines reach its end. */
    public static final int PREALLOCATE = 1 << 20;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 * 1024).asReadOnlyBuffer();

    private final Path file;
    private final FileChannel channel;
    private final List<String> lines;
    private long written;
    private long allocated;
    private boolean grown;

    private AppendLog(Path file) throws IOException {
        this.file = file;
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        byte[] content = Files.readAllBytes(file);
        this.lines = new ArrayList<>();
        this.written = readLines(content, lines);
        this.allocated = content.length;
        if (hasDataAfter(content, written)) {
            // a torn line: zeros over it, so that nothing of it is read after the next line
            zero(written, allocated);
            channel.force(false);
        }
    }

    /** Opens {@code file}, creating it if absent; the whole lines it holds are read at once ({@link #lines()}). */
    public static AppendLog open(Path file) {
        try {
            return new AppendLog(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file + ": " + e.getMessage(), e);
        }
    }

    /** The whole lines the file held when opened, in order (a torn last line and the zeros after it left out). */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    /** The bytes of lines written so far. */
    public long size() {
        return written;
    }

    public Path path() {
        return file;
    }

    /** Appends {@code text} (one line: no line break in it) and returns once it is on disk. */
    public void append(String text) {
        if (text.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("a log line cannot hold a line break");
        }
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        CRC32C crc = new CRC32C();
        crc.update(body);
        ByteBuffer line = ByteBuffer.allocate(9 + body.length + 1);
        line.put(HexFormat.of().toHexDigits((int) crc.getValue()).getBytes(StandardCharsets.US_ASCII))
                .put((byte) ' ').put(body).put((byte) '\n').flip();
        try {
            if (written + line.remaining() > allocated) {
                long target = Math.max(allocated + PREALLOCATE, written + line.remaining());
                zero(allocated, target);
                allocated = target;
                grown = true;
            }
            while (line.hasRemaining()) {
                written += channel.write(line, written);
            }
            channel.force(grown);
            grown = false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file + ": " + e.getMessage(), e);
        }
    }

    /** Drops every line (once a snapshot holds what they said), durably. */
    public void clear() {
        try {
            channel.truncate(0);
            written = 0;
            allocated = 0;
            channel.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + file + ": " + e.getMessage(), e);
        }
    }

    private void zero(long from, long to) throws IOException {
        for (long at = from; at < to; ) {
            ByteBuffer zeros = ZEROS.duplicate();
            zeros.limit((int) Math.min(zeros.capacity(), to - at));
            at += channel.write(zeros, at);
        }
    }

    /** Adds the whole lines of {@code content} to {@code lines}; returns the offset after the last of them. */
    static long readLines(byte[] content, List<String> lines) {
        int at = 0;
        while (true) {
            int end = indexOf(content, (byte) '\n', at);
            if (end < 0 || end - at < 9 || content[at + 8] != ' ') {
                return at;
            }
            int crcValue;
            try {
                crcValue = HexFormat.fromHexDigits(new String(content, at, 8, StandardCharsets.US_ASCII));
            } catch (IllegalArgumentException e) {
                return at;
            }
            CRC32C crc = new CRC32C();
            crc.update(content, at + 9, end - at - 9);
            if ((int) crc.getValue() != crcValue) {
                return at;
            }
            lines.add(new String(content, at + 9, end - at - 9, StandardCharsets.UTF_8));
            at = end + 1;
        }
    }

    private static int indexOf(byte[] content, byte wanted, int from) {
        for (int i = from; i < content.length; i++) {
            if (content[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    private static boolean hasDataAfter(byte[] content, long from) {
        for (int i = (int) from; i < content.length; i++) {
            if (content[i] != 0) {
                return true;
            }
        }
        return false;
    }
}
