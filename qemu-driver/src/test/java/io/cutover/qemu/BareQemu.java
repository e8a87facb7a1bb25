package io.cutover.qemu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A QEMU with no guest kernel (its firmware finds nothing to boot and waits), enough to migrate its memory: one QMP
 * socket for the driver ({@code <name>.qmp}) and one for the test to look with ({@code <name>.probe}).
 */
final class BareQemu implements AutoCloseable {
    static final String BINARY = "qemu-system-x86_64";
    private final Process process;
    private final Path dir;
    private final String name;

    private BareQemu(Process process, Path dir, String name) {
        this.process = process;
        this.dir = dir;
        this.name = name;
    }

    static boolean installed() {
        try {
            return new ProcessBuilder(BINARY, "--version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** Starts QEMU {@code name} with its sockets in {@code dir}; {@code incoming}: waits for a migration. */
    static BareQemu start(Path dir, String name, boolean incoming) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(BINARY, "-M", "pc", "-accel", "tcg", "-nodefaults",
                "-no-user-config", "-display", "none", "-m", "64M",
                "-qmp", "unix:" + dir.resolve(name + ".qmp") + ",server=on,wait=off",
                "-qmp", "unix:" + dir.resolve(name + ".probe") + ",server=on,wait=off"));
        if (incoming) {
            command.addAll(List.of("-incoming", "defer"));
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile()).start();
        BareQemu qemu = new BareQemu(process, dir, name);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(dir.resolve(name + ".probe"))) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                qemu.close();
                throw new IOException("QEMU " + name + " did not start: " + Files.readString(dir.resolve(name + ".log")));
            }
            Thread.sleep(10);
        }
        return qemu;
    }

    /** A QMP connection on the test's own socket. */
    QmpClient probe() {
        return QmpClient.connect(dir.resolve(name + ".probe"), java.time.Duration.ofSeconds(5));
    }

    boolean isAlive() {
        return process.isAlive();
    }

    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
