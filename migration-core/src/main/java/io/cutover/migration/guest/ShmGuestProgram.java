package io.cutover.migration.guest;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The shared-memory guest's program: a process that runs a synthetic workload on the memory of a
 * {@link ShmGuestFile}, marks the pages it writes in the file's dirty bitmap, and obeys the migrator's requests
 * (run, pause, stop) — answering each once it is carried out. A paused program writes nothing; it picks up
 * its workload state from the file on every resume, so a destination's program continues where the source's
 * stopped.
 *
 * <pre>
 *   java -cp cutover.jar io.cutover.migration.guest.ShmGuestProgram --file F [--create SPEC] [--incoming]
 * </pre>
 *
 * {@code --create} makes the file for a new running guest ({@code SPEC} as a synthetic guest's keys,
 * e.g. {@code size=64m,workload=hotset}); the program then removes the file when it stops. {@code --incoming}
 * marks a destination's program: until it first runs, it exits when the process that started it is gone.
 * Exit status: 0 stopped on request, 1 failed (another program took over the file, the file is wrong),
 * 2 bad usage.
 */
public final class ShmGuestProgram {
    private static final long IDLE_PARK_NANOS = 200_000;

    private final ShmGuestFile file;
    private final boolean incoming;
    private final long generation;
    private final ProcessHandle parent;
    private WorkloadDriver driver;
    private boolean everRan;

    private ShmGuestProgram(ShmGuestFile file, boolean incoming) {
        this.file = file;
        this.incoming = incoming;
        this.generation = file.attach(ProcessHandle.current().pid());
        this.parent = ProcessHandle.current().parent().orElse(null);
    }

    public static void main(String[] args) {
        System.exit(run(List.of(args), System.err));
    }

    /** Runs the program with command-line arguments until it is stopped; returns the exit status. */
    public static int run(List<String> args, PrintStream err) {
        Path path = null;
        String create = null;
        boolean incoming = false;
        List<String> rest = new ArrayList<>(args);
        try {
            while (!rest.isEmpty()) {
                String a = rest.remove(0);
                switch (a) {
                    case "--file" -> path = Path.of(value(a, rest));
                    case "--create" -> create = value(a, rest);
                    case "--incoming" -> incoming = true;
                    default -> throw new IllegalArgumentException("unknown argument " + a);
                }
            }
            if (path == null) {
                throw new IllegalArgumentException("--file is required");
            }
        } catch (IllegalArgumentException e) {
            err.println("guest: " + e.getMessage());
            err.println("usage: --file F [--create size=64m,workload=hotset,...] [--incoming]");
            return 2;
        }
        try {
            return run(path, create == null ? null : GuestSpec.parse(GuestSpec.PREFIX + create), incoming, err);
        } catch (IllegalArgumentException e) {
            err.println("guest: " + e.getMessage());
            return 2;
        }
    }

    /**
     * Runs a guest on {@code path} until it is asked to stop.
     *
     * @param create  the workload of a new guest whose file this makes, or {@code null} to attach to a file
     * @param incoming a destination's program (see the class comment)
     */
    public static int run(Path path, GuestSpec create, boolean incoming, PrintStream err) {
        ShmGuestFile file;
        if (create != null) {
            file = ShmGuestFile.create(path, create.sizeBytes() / create.pageSize(), create.pageSize(),
                    ShmGuestFile.Mode.RUNNING);
            WorkloadDriver.fill(create, file::pageView);
            file.storeSpec(create);
        } else {
            file = ShmGuestFile.open(path);
        }
        try {
            return new ShmGuestProgram(file, incoming).loop(err);
        } finally {
            file.close();
            if (create != null) {
                try {
                    Files.deleteIfExists(path);
                } catch (java.io.IOException e) {
                    err.println("guest: cannot remove " + path + ": " + e.getMessage());
                }
            }
        }
    }

    private static String value(String option, List<String> rest) {
        if (rest.isEmpty()) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return rest.remove(0);
    }

    private int loop(PrintStream err) {
        long handled = 0;
        boolean running = false;
        long lastParentCheck = System.nanoTime();
        while (true) {
            if (file.generation() != generation) {
                err.println("guest: another program took over " + file.path() + "; exiting");
                return 1;
            }
            long request = file.request();
            if (request != handled) {
                ShmGuestFile.Mode mode = ShmGuestFile.mode(request);
                if (mode == ShmGuestFile.Mode.RUNNING && !running) {
                    try {
                        driver = file.loadWorkload();
                    } catch (IllegalArgumentException e) {
                        err.println("guest: cannot run: " + e.getMessage());
                        return 1;
                    }
                    driver.restart(System.nanoTime());
                    if (!everRan) {
                        err.printf("guest: running on %s (pid %d, generation %d, %d writes so far)%n", file.path(),
                                ProcessHandle.current().pid(), generation, driver.writes());
                        err.flush();
                    }
                    everRan = true;
                } else if (mode != ShmGuestFile.Mode.RUNNING && driver != null) {
                    file.storeWorkload(driver);
                }
                running = mode == ShmGuestFile.Mode.RUNNING;
                handled = request;
                file.answer(request);
                if (mode == ShmGuestFile.Mode.STOPPED) {
                    err.printf("guest: stopped after %d writes%n", driver == null ? 0 : driver.writes());
                    err.flush();
                    return 0;
                }
            }
            if (!running) {
                if (incoming && !everRan && System.nanoTime() - lastParentCheck > 100_000_000L) {
                    lastParentCheck = System.nanoTime();
                    if (parent == null || !parent.isAlive()) {
                        err.println("guest: the destination that started this guest is gone; exiting");
                        return 1;
                    }
                }
                LockSupport.parkNanos(IDLE_PARK_NANOS);
                continue;
            }
            int batch = driver.due(System.nanoTime(), file.throttle());
            if (batch == 0) {
                LockSupport.parkNanos(100_000);
                continue;
            }
            for (int i = 0; i < batch; i++) {
                long page = driver.nextPage();
                ByteBuffer chunk = file.chunk(page);
                driver.write(chunk, file.offsetInChunk(page));
                file.markDirty(page);
            }
            driver.done(batch);
            file.storeWorkload(driver);
        }
    }
}
