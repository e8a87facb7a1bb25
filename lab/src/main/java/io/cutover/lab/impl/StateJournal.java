package io.cutover.lab.impl;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.lab.LabException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The record of everything a lab has created, one JSON object a line, written and synced <em>before</em>
 * each object is created. Whatever kills the process that builds a lab, {@code down} finds in this file
 * everything that might exist, and removes it.
 */
public final class StateJournal {
    /** The kinds of object a lab creates. */
    public enum Kind { NETNS, DAEMON }

    /**
     * One created object.
     *
     * @param kind    what it is
     * @param name    the namespace's name, or the daemon's program
     * @param pidFile for a daemon, the file holding its pid
     */
    public record Entry(Kind kind, String name, String pidFile) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;

    public StateJournal(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    public void recordNamespace(String namespace) {
        append(new Entry(Kind.NETNS, namespace, null));
    }

    public void recordDaemon(String program, Path pidFile) {
        append(new Entry(Kind.DAEMON, program, pidFile.toString()));
    }

    private synchronized void append(Entry entry) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            byte[] line = (JSON.writeValueAsString(entry) + "\n").getBytes(StandardCharsets.UTF_8);
            channel.write(ByteBuffer.wrap(line));
            channel.force(true);
        } catch (IOException e) {
            throw new LabException("cannot write the lab state " + file + ": " + e.getMessage(), e);
        }
    }

    /** Every entry written so far, in order; a torn last line (a crash mid-write) is skipped. */
    public List<Entry> entries() {
        List<Entry> entries = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    entries.add(JSON.readValue(line, Entry.class));
                } catch (IOException torn) {
                    // only the last line can be torn, and what it named was not yet created
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new LabException("cannot read the lab state " + file + ": " + e.getMessage(), e);
        }
        return entries;
    }
}
