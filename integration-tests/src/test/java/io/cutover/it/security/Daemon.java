package io.cutover.it.security;

import io.cutover.it.Launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A daemon under attack: the {@code cutover} launcher jar as a separate process (optionally inside a lab namespace),
 * its output in a log, stopped by {@link #close()} (SIGTERM, then SIGKILL).
 */
final class Daemon implements AutoCloseable {
    private static final Duration READY_WITHIN = Duration.ofSeconds(60);

    private final Process process;
    private final Path log;

    private Daemon(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code cutover ARGS...} in {@code namespace} (or the root one), its output in {@code log}. */
    static Daemon start(Path log, String namespace, String... args) throws IOException {
        return new Daemon(Launcher.start(log, namespace, args), log);
    }

    /** Waits until the log has a line matching {@code ready}; returns its first group (or the whole match). */
    String awaitLine(Pattern ready) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + READY_WITHIN.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = ready.matcher(log());
            if (m.find()) {
                return m.groupCount() > 0 ? m.group(1) : m.group();
            }
            if (!process.isAlive()) {
                throw new AssertionError("exited with " + process.exitValue() + " before it was ready: " + log());
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not ready within " + READY_WITHIN + ": " + log());
    }

    /** The JVM's process id ({@code ip netns exec} execs into it). */
    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    Process process() {
        return process;
    }

    /** What the daemon wrote so far. */
    String log() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** How many of its log's lines contain every one of {@code parts}. */
    long logLines(String... parts) throws IOException {
        return HostilePeer.logLines(log, parts);
    }

    /** Its footprint now. */
    HostilePeer.Footprint footprint() throws IOException {
        return HostilePeer.Footprint.of(pid());
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}
