package io.cutover.lab.impl;

import io.cutover.support.Processes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Finds daemons by their pid files and stops them. A daemon that exited counts as stopped before init reaps it
 * ({@link Processes#running}): init on this kind of machine reaps 1.5-2 s late, which every stop used to wait out.
 */
public final class Daemons {
    private Daemons() {
    }

    /** The pid in {@code pidFile}, if the file exists and that process is alive. */
    public static OptionalLong alivePid(Path pidFile) {
        try {
            if (!Files.exists(pidFile)) {
                return OptionalLong.empty();
            }
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            Optional<ProcessHandle> handle = ProcessHandle.of(pid);
            return handle.isPresent() && Processes.running(handle.get()) ? OptionalLong.of(pid) : OptionalLong.empty();
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** Stops the daemon of {@code pidFile}: SIGTERM, then SIGKILL after {@code grace}. */
    public static void stop(Path pidFile, Duration grace) {
        OptionalLong pid = alivePid(pidFile);
        if (pid.isEmpty()) {
            return;
        }
        ProcessHandle.of(pid.getAsLong()).ifPresent(handle -> stop(handle, grace));
    }

    /** Stops {@code process}: SIGTERM, then SIGKILL after {@code grace}. */
    public static void stop(ProcessHandle process, Duration grace) {
        process.destroy();
        if (!awaitExit(process, grace)) {
            process.destroyForcibly();
            awaitExit(process, Duration.ofSeconds(2));
        }
    }

    /**
     * Waits up to {@code timeout} for {@code process} to stop {@link Processes#running running}; returns whether it
     * did.
     */
    public static boolean awaitExit(ProcessHandle process, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (Processes.running(process)) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            sleep(Duration.ofMillis(10));
        }
        return true;
    }

    public static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
