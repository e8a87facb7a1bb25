package io.cutover.lab.impl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/** Finds daemons by their pid files and stops them. */
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
            return handle.isPresent() && handle.get().isAlive() ? OptionalLong.of(pid) : OptionalLong.empty();
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
        long deadline = System.nanoTime() + grace.toNanos();
        while (process.isAlive() && System.nanoTime() < deadline) {
            sleep(Duration.ofMillis(10));
        }
        if (process.isAlive()) {
            process.destroyForcibly();
            long killDeadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (process.isAlive() && System.nanoTime() < killDeadline) {
                sleep(Duration.ofMillis(10));
            }
        }
    }

    public static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
