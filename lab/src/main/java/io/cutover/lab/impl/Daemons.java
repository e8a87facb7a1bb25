package io.cutover.lab.impl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Finds daemons by their pid files and stops them. A daemon that detached is reaped by init, and the JDK counts a
 * process that exited and was not reaped yet (a zombie) as alive; init on this kind of machine reaps 1.5-2 s late, which
 * every stop used to wait out. A zombie holds nothing any more (its sockets, files and memory are gone), so here it
 * counts as stopped: {@link #running}.
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
            return handle.isPresent() && running(handle.get()) ? OptionalLong.of(pid) : OptionalLong.empty();
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

    /** Waits up to {@code timeout} for {@code process} to stop {@link #running}; returns whether it did. */
    public static boolean awaitExit(ProcessHandle process, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (running(process)) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            sleep(Duration.ofMillis(10));
        }
        return true;
    }

    /** Whether {@code process} still runs: alive and not a zombie (exited, waiting for its parent to reap it). */
    public static boolean running(ProcessHandle process) {
        if (!process.isAlive()) {
            return false;
        }
        try {
            // pid (comm) state ...: the command may hold spaces and parentheses, the state follows the last ')'
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException | IndexOutOfBoundsException gone) {
            return process.isAlive();
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
