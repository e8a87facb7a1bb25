package io.cutover.support;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The changes a journal made since it last wrote its state whole, numbered, one line each ({@link AppendLog}). The
 * whole state carries the number of the last change it holds ({@link #next()} when it is written); on start
 * {@link #replay} gives the changes numbered after it, in order, and passes over those it already holds (a crash after
 * the whole state was written, before {@link #snapshotTaken} emptied the log). A missing number is an error: a state
 * is never rebuilt from part of its changes. The file is opened when first needed.
 */
public final class ChangeLog implements AutoCloseable {
    private final Path file;
    private AppendLog log;
    /** The number of the last change logged, or of the whole state when none was logged since. */
    private long last;

    public ChangeLog(Path file) {
        this.file = file;
    }

    public Path path() {
        return file;
    }

    /**
     * The changes logged after change {@code snapshot} (the number the whole state carries), in order; numbering goes
     * on from the last of them.
     *
     * @throws IllegalStateException when a change between is missing
     * @throws java.io.UncheckedIOException when the file cannot be read
     */
    public synchronized List<String> replay(long snapshot) {
        List<String> changes = new ArrayList<>();
        long at = snapshot;
        for (String line : log().lines()) {
            int space = line.indexOf(' ');
            long number = space > 0 ? parse(line.substring(0, space)) : -1;
            if (number < 0) {
                throw new IllegalStateException(file + " holds a line that is no numbered change");
            }
            if (number <= at) {
                continue;
            }
            if (number != at + 1) {
                throw new IllegalStateException(file + " goes from change " + at + " to " + number
                        + ": changes are missing, the state cannot be rebuilt");
            }
            changes.add(line.substring(space + 1));
            at = number;
        }
        last = at;
        return changes;
    }

    /** Appends {@code change} as the next number and returns once it is on disk. */
    public synchronized void append(String change) {
        log().append((last + 1) + " " + change);
        last++;
    }

    /** The number the whole state written now carries. */
    public synchronized long next() {
        return last + 1;
    }

    /** Once the whole state numbered {@code number} is on disk: the changes it holds are dropped. */
    public synchronized void snapshotTaken(long number) {
        log().clear();
        last = number;
    }

    /** The bytes of changes logged since the last whole state. */
    public synchronized long size() {
        return log().size();
    }

    @Override
    public synchronized void close() {
        if (log != null) {
            log.close();
            log = null;
        }
    }

    private AppendLog log() {
        if (log == null) {
            log = AppendLog.open(file);
        }
        return log;
    }

    private static long parse(String number) {
        try {
            return Long.parseLong(number);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
