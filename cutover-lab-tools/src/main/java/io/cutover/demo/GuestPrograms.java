package io.cutover.demo;

import io.cutover.lab.Lab;
import io.cutover.lab.Topology;
import io.cutover.migration.GuestAllocator;
import io.cutover.migration.guest.ShmGuest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The VM's guest: a program in the VM's namespace that writes its memory in a {@code /dev/shm} file, which the
 * migrator reads and pauses through the file ({@link ShmGuest}). The source's program is started with a workload;
 * the destination's is started paused on a new file when the migration arrives, and runs on from where the
 * source's stopped. {@link #close()} stops both and removes their files.
 */
final class GuestPrograms implements AutoCloseable {
    private static final Duration START_WITHIN = Duration.ofSeconds(60);

    private final Lab lab;
    private final Path dir;
    private final List<Process> programs = new ArrayList<>();
    private final List<ShmGuest> guests = new ArrayList<>();
    private final AtomicInteger logs = new AtomicInteger();

    GuestPrograms(Lab lab) {
        this.lab = lab;
        try {
            this.dir = Files.createTempDirectory(Path.of("/dev/shm"), "cutover-" + lab.name() + "-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a directory for the guest's memory in /dev/shm", e);
        }
    }

    /**
     * Starts the source's program with {@code workload} (such as {@code size=64m,workload=hotset,hot=5%}), waits
     * until it runs, and attaches to it.
     */
    ShmGuest start(String workload) throws InterruptedException {
        Path memory = dir.resolve(Topology.VM + ".mem");
        Path log = dir.resolve("guest-" + logs.incrementAndGet() + ".log");
        Process program = spawn(log, "--file", memory.toString(), "--create", workload);
        long deadline = System.nanoTime() + START_WITHIN.toNanos();
        while (!read(log).contains("guest: running on")) {
            if (!program.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("the guest program did not start: " + read(log).strip());
            }
            Thread.sleep(20);
        }
        ShmGuest guest = ShmGuest.attach(memory);
        guests.add(guest);
        return guest;
    }

    /** The destination's reservations: a new file, and a paused program on it in the VM's namespace. */
    GuestAllocator destination() {
        return (descriptor, pageCount, pageSize) -> {
            if (!descriptor.startsWith(ShmGuest.PREFIX)) {
                throw new IllegalArgumentException("the demo's destination takes shm guests, not " + descriptor);
            }
            Path memory = dir.resolve(Topology.VM + "-moved-" + logs.incrementAndGet() + ".mem");
            ShmGuest guest = ShmGuest.reserve(memory, pageCount, pageSize, file -> spawn(
                    dir.resolve("guest-" + logs.get() + ".log"), "--file", file.toString(), "--incoming"));
            synchronized (guests) {
                guests.add(guest);
            }
            return guest;
        };
    }

    private Process spawn(Path log, String... args) {
        Process program = lab.spawn(Topology.VM, ShmGuest.programCommand(args), log);
        synchronized (programs) {
            programs.add(program);
        }
        return program;
    }

    private static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** Stops the programs (each guest asks its own first) and removes the memory files. */
    @Override
    public void close() {
        synchronized (guests) {
            guests.forEach(ShmGuest::close);
        }
        synchronized (programs) {
            programs.forEach(Process::destroyForcibly);
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            // /dev/shm is emptied at boot
        }
    }
}
