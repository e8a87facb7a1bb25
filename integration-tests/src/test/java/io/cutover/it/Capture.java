package io.cutover.it;

import io.cutover.lab.CommandResult;
import io.cutover.lab.Lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A tcpdump capture inside a lab host, into a pcap file, read back with tshark. */
public final class Capture implements AutoCloseable {
    private final Process process;
    private final Path file;
    private final Path log;

    private Capture(Process process, Path file, Path log) {
        this.process = process;
        this.file = file;
        this.log = log;
    }

    /** Starts capturing on {@code iface} of {@code node} and returns once tcpdump listens. */
    public static Capture start(Lab lab, String node, String iface, Path dir, String filter) throws Exception {
        Path file = dir.resolve(node + "-" + System.nanoTime() + ".pcap");
        Path log = dir.resolve(node + "-" + System.nanoTime() + ".log");
        List<String> command = new ArrayList<>(List.of("tcpdump", "-i", iface, "--immediate-mode", "-U", "-n", "-s", "256",
                "--time-stamp-precision=nano", "-w", file.toString()));
        command.addAll(List.of(filter.split(" ")));
        Process process = lab.spawn(node, command, log);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!Files.readString(log).contains("listening on")) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException("tcpdump did not start: " + Files.readString(log));
            }
            Thread.sleep(20);
        }
        return new Capture(process, file, log);
    }

    /** Stops tcpdump (it flushes the file on SIGTERM) and returns the pcap file. */
    public Path stop() throws Exception {
        Thread.sleep(200);
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        return file;
    }

    /** {@code tshark -r FILE args...}, which must succeed. */
    public static String tshark(Lab lab, Path file, String... args) {
        List<String> command = new ArrayList<>(List.of("tshark", "-n", "-r", file.toString()));
        command.addAll(List.of(args));
        CommandResult result = lab.exec("client", command.toArray(String[]::new));
        if (!result.ok()) {
            throw new IllegalStateException("tshark failed: " + result.stderr());
        }
        return result.stdout();
    }

    @Override
    public void close() throws IOException {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
