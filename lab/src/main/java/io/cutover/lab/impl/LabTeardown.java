package io.cutover.lab.impl;

import io.cutover.lab.LabException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Removes everything a lab's journal names, in reverse order of creation, whatever state it is in:
 * daemons first (by pid file), then every process left in the lab's namespaces, then the namespaces
 * (which takes their veths with them), then the run directory.
 */
public final class LabTeardown {
    private LabTeardown() {
    }

    /** Removes the lab; returns what could not be removed (empty when all is gone). */
    public static List<String> remove(LabLayout layout) {
        List<String> problems = new ArrayList<>();
        List<StateJournal.Entry> entries = new ArrayList<>(new StateJournal(layout.journal()).entries());
        java.util.Collections.reverse(entries);
        for (StateJournal.Entry entry : entries) {
            if (entry.kind() == StateJournal.Kind.DAEMON) {
                Daemons.stop(Path.of(entry.pidFile()), Duration.ofSeconds(3));
            }
        }
        for (StateJournal.Entry entry : entries) {
            if (entry.kind() == StateJournal.Kind.NETNS) {
                removeNamespace(entry.name(), problems);
            }
        }
        deleteTree(layout.dir(), problems);
        return problems;
    }

    /** Kills every process still inside {@code namespace}, then deletes it. */
    static void removeNamespace(String namespace, List<String> problems) {
        if (!Files.exists(Path.of("/run/netns", namespace))) {
            return;
        }
        String pids = Shell.run("ip", "netns", "pids", namespace).stdout().strip();
        if (!pids.isEmpty()) {
            for (String pid : pids.split("\\s+")) {
                ProcessHandle.of(Long.parseLong(pid)).ifPresent(p -> Daemons.stop(p, Duration.ofSeconds(2)));
            }
        }
        var result = Shell.run("ip", "netns", "del", namespace);
        if (!result.ok() && Files.exists(Path.of("/run/netns", namespace))) {
            problems.add("namespace " + namespace + ": " + result.stderr().strip());
        }
    }

    private static void deleteTree(Path dir, List<String> problems) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            problems.add("run directory " + dir + ": " + e.getMessage());
        }
    }

    /** Throws if anything was left behind. */
    public static void removeOrThrow(LabLayout layout) {
        List<String> problems = remove(layout);
        if (!problems.isEmpty()) {
            throw new LabException("lab " + layout.name() + " not fully removed: " + String.join("; ", problems));
        }
    }
}
