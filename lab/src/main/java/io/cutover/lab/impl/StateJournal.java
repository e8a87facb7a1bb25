package io.cutover.lab.impl;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.lab.LabException;
import io.cutover.support.AtomicFile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The record of everything a lab has created, one JSON object a line, replaced durably ({@link AtomicFile}) with
 * one more line <em>before</em> each object is created. Whatever kills the process that builds a lab, {@code down}
 * finds in this file everything that might exist, and removes it.
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
    private final AtomicFile file;
    private boolean closed;

    public StateJournal(Path file) {
        this.file = new AtomicFile(file);
    }

    public Path file() {
        return file.path();
    }

    public void recordNamespace(String namespace) {
        append(new Entry(Kind.NETNS, namespace, null));
    }

    public void recordDaemon(String program, Path pidFile) {
        append(new Entry(Kind.DAEMON, program, pidFile.toString()));
    }

    /** Records nothing more: whatever would be made next fails before it is made (the lab is being taken down). */
    public synchronized void close() {
        closed = true;
    }

    private synchronized void append(Entry entry) {
        if (closed) {
            throw new LabException("the lab is being taken down: " + entry.name() + " is not made");
        }
        List<Entry> entries = new ArrayList<>(entries());
        entries.add(entry);
        try {
            file.replace(out -> {
                for (Entry e : entries) {
                    out.write((JSON.writeValueAsString(e) + "\n").getBytes(StandardCharsets.UTF_8));
                }
            });
        } catch (IOException e) {
            throw new LabException("cannot write the lab state " + file.path() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Every entry written so far, in order; a line that cannot be read (torn by a crash of a version that appended
     * in place) is skipped.
     */
    public List<Entry> entries() {
        String text;
        try {
            text = new String(file.read(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new LabException("cannot read the lab state " + file.path() + ": " + e.getMessage(), e);
        }
        List<Entry> entries = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            try {
                entries.add(JSON.readValue(line, Entry.class));
            } catch (IOException torn) {
                // what a torn line named was not yet created
            }
        }
        return entries;
    }
}
