package io.cutover.migration.guest;

import io.cutover.migration.Guest;
import io.cutover.support.JavaCommand;
import io.cutover.support.Processes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * A guest run by a separate process ({@link ShmGuestProgram}) on the memory of a {@link ShmGuestFile}, as the
 * migrator sees it: the pages and the dirty bitmap are read from the file, pause, resume and the throttle are
 * requests in the file's header that the program answers. Described as {@code shm:file=/dev/shm/NAME}.
 *
 * <p>At the source, {@link #attach} opens the file of a running program. At the destination, {@link #reserve}
 * makes a new file and starts a paused program on it, so activation only has to ask it to run.
 */
public final class ShmGuest implements Guest {
    public static final String PREFIX = "shm:";
    /** How long the program may take to answer a request: {@code 30 s} (a destination's JVM may be starting). */
    public static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(30);

    private final ShmGuestFile file;
    private final Process program;
    private final boolean ownsFile;
    private volatile boolean closed;

    private ShmGuest(ShmGuestFile file, Process program, boolean ownsFile) {
        this.file = file;
        this.program = program;
        this.ownsFile = ownsFile;
    }

    /** The guest whose program runs on {@code file} (the source side). */
    public static ShmGuest attach(Path file) {
        return new ShmGuest(ShmGuestFile.open(file), null, false);
    }

    /**
     * A destination's reservation: a new file of zeroed memory at {@code file} and a paused program on it,
     * started by {@code launcher}. Closing the guest stops the program and removes the file.
     */
    public static ShmGuest reserve(Path file, long pageCount, int pageSize, Function<Path, Process> launcher) {
        ShmGuestFile f = ShmGuestFile.create(file, pageCount, pageSize, ShmGuestFile.Mode.PAUSED);
        Process program;
        try {
            program = launcher.apply(file);
        } catch (RuntimeException e) {
            f.close();
            delete(file);
            throw e;
        }
        return new ShmGuest(f, program, true);
    }

    /** Starts {@link ShmGuestProgram} in a new JVM, with this JVM's class path, as a destination's program. */
    public static Process launch(Path file) {
        ProcessBuilder pb = new ProcessBuilder(programCommand("--file", file.toString(), "--incoming"));
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT);
        try {
            return pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the guest program: " + e.getMessage(), e);
        }
    }

    /** The command line that runs {@link ShmGuestProgram} with {@code args} in a new JVM with this JVM's class path. */
    public static List<String> programCommand(String... args) {
        return JavaCommand.mainClass(ShmGuestProgram.class.getName())
                .withJvmOptions("-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")
                .withArgs(args)
                .toList();
    }

    /**
     * The file of an {@code shm:file=PATH} descriptor.
     *
     * @throws IllegalArgumentException if it is not one
     */
    public static Path fileOf(String descriptor) {
        if (descriptor == null || !descriptor.startsWith(PREFIX + "file=") || descriptor.length() == 9) {
            throw new IllegalArgumentException("guest must be shm:file=PATH, was " + descriptor);
        }
        return Path.of(descriptor.substring((PREFIX + "file=").length()));
    }

    /** The file, for tools that watch the guest (its write counter). */
    public ShmGuestFile file() {
        return file;
    }

    @Override
    public int pageSize() {
        return file.pageSize();
    }

    @Override
    public long pageCount() {
        return file.pageCount();
    }

    @Override
    public ByteBuffer pageView(long index) {
        return file.pageView(index);
    }

    @Override
    public void collectDirty(long[] bitmap) {
        file.collectDirty(bitmap);
    }

    @Override
    public void pause() {
        ask(ShmGuestFile.Mode.PAUSED);
    }

    @Override
    public void resume() {
        if (closed) {
            throw new IllegalStateException("the guest is closed");
        }
        ask(ShmGuestFile.Mode.RUNNING);
    }

    @Override
    public boolean isRunning() {
        return !closed && ShmGuestFile.mode(file.answer()) == ShmGuestFile.Mode.RUNNING && programAlive();
    }

    private boolean programAlive() {
        if (program != null) {
            return program.isAlive();
        }
        long pid = file.pid();
        return pid != 0 && ProcessHandle.of(pid).map(Processes::running).orElse(false);
    }

    /** Asks the program for {@code mode} and waits for its answer. */
    private void ask(ShmGuestFile.Mode mode) {
        long request = file.request(mode);
        long deadline = System.nanoTime() + ANSWER_TIMEOUT.toNanos();
        long spins = 0;
        long nextAliveCheck = System.nanoTime() + 100_000_000L;
        while (!file.answered(request)) {
            long now = System.nanoTime();
            if (now - nextAliveCheck > 0) {
                nextAliveCheck = now + 100_000_000L;
                if (!programAlive() && !file.answered(request)) {
                    throw new IllegalStateException("the guest program of " + file.path() + " is not running");
                }
            }
            if (now - deadline > 0) {
                throw new IllegalStateException(String.format(Locale.ROOT,
                        "the guest program of %s did not answer %s within %d s", file.path(), mode,
                        ANSWER_TIMEOUT.toSeconds()));
            }
            if (++spins < 1000) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(20_000);
            }
        }
    }

    @Override
    public byte[] saveState() {
        return file.deviceState();
    }

    @Override
    public void loadState(byte[] state) {
        file.loadDeviceState(state);
    }

    @Override
    public void throttle(int percent) {
        if (percent < 0 || percent > 99) {
            throw new IllegalArgumentException("throttle must be 0-99 %, was " + percent);
        }
        file.throttle(percent);
    }

    @Override
    public int throttlePercent() {
        return file.throttle();
    }

    @Override
    public String descriptor() {
        return PREFIX + "file=" + file.path();
    }

    /** Stops the program (waiting a little for it), unmaps the file and, at a destination, removes it. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        long request = file.request(ShmGuestFile.Mode.STOPPED);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!file.answered(request) && programAlive() && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(1_000_000);
        }
        if (program != null) {
            try {
                if (!program.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                    program.destroyForcibly();
                }
            } catch (InterruptedException e) {
                program.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        file.close();
        if (ownsFile) {
            delete(file.path());
        }
    }

    private static void delete(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // a leftover file in /dev/shm: nothing runs on it
        }
    }
}
