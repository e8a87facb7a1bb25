package io.cutover.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cutover.qemu.QmpClient;
import io.cutover.qemu.QmpConnectionException;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The QEMU reference of the idle migration: QEMU's own live migration of an idle 1 GiB guest over loopback, from
 * one {@code qemu-system-x86_64} process to another started with {@code -incoming}. No guest kernel: the firmware
 * finds nothing to boot and idles, so the memory is zero but for the firmware's few pages, as in a synthetic guest
 * with {@code fill=0%}. Neither side is rate-limited: QEMU's default of 128 MiB/s is lifted.
 */
final class QemuIdleMigration {
    static final String BINARY = "qemu-system-x86_64";
    private static final Duration QMP_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration MIGRATION_TIMEOUT = Duration.ofSeconds(60);
    /** Enough for the firmware to find nothing to boot: the guest is idle when the migration starts. */
    private static final Duration SETTLE = Duration.ofSeconds(1);
    /** Bytes per second; QEMU's default limit would hold it below what loopback carries. */
    private static final long UNLIMITED_BANDWIDTH = 1L << 40;

    private final Path binary;

    private QemuIdleMigration(Path binary) {
        this.binary = binary;
    }

    /** The reference, if {@value #BINARY} is on the PATH. */
    static Optional<QemuIdleMigration> find() {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, BINARY);
            if (Files.isExecutable(candidate)) {
                return Optional.of(new QemuIdleMigration(candidate));
            }
        }
        return Optional.empty();
    }

    /** One migration's figures as {@code query-migrate} gave them at completion. */
    record Result(double totalSeconds, long downtimeMs, long transferredBytes, long normalBytes, long zeroPages) {
    }

    /** The command lines (with placeholders for the sockets and the port) and the QMP commands, for the report. */
    Map<String, Object> description() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("source", String.join(" ", command(Path.of("DIR/source.qmp"), null)));
        d.put("destination", String.join(" ", command(Path.of("DIR/destination.qmp"), "PORT")));
        d.put("qmp", List.of("{\"execute\":\"qmp_capabilities\"} (both)",
                "1 s later (the firmware idles):",
                "{\"execute\":\"migrate-set-parameters\",\"arguments\":{\"max-bandwidth\":" + UNLIMITED_BANDWIDTH
                        + "}} (source)",
                "{\"execute\":\"migrate\",\"arguments\":{\"uri\":\"tcp:127.0.0.1:PORT\"}} (source)",
                "{\"execute\":\"query-migrate\"} every 5 ms until completed (source); figure: its total-time"));
        return d;
    }

    /** Starts both processes, migrates, stops them; throws if QEMU fails or takes over a minute. */
    Result migrate() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("cutover-bench-qemu-");
        List<Process> processes = new ArrayList<>();
        try {
            String port = String.valueOf(freePort());
            Path sourceQmp = dir.resolve("source.qmp");
            Path destinationQmp = dir.resolve("destination.qmp");
            processes.add(start(command(destinationQmp, port), dir.resolve("destination.log")));
            processes.add(start(command(sourceQmp, null), dir.resolve("source.log")));
            try (QmpClient destination = connect(destinationQmp, processes.get(0), dir.resolve("destination.log"));
                 QmpClient source = connect(sourceQmp, processes.get(1), dir.resolve("source.log"))) {
                String incoming = destination.execute("query-status").path("status").asText();
                if (!incoming.equals("inmigrate")) {
                    throw new IOException("the destination QEMU is " + incoming + ", not waiting for a migration");
                }
                Thread.sleep(SETTLE.toMillis());
                ObjectNode limit = JsonNodeFactory.instance.objectNode().put("max-bandwidth", UNLIMITED_BANDWIDTH);
                source.execute("migrate-set-parameters", limit);
                source.execute("migrate", JsonNodeFactory.instance.objectNode().put("uri", "tcp:127.0.0.1:" + port));
                long deadline = System.nanoTime() + MIGRATION_TIMEOUT.toNanos();
                while (true) {
                    JsonNode status = source.execute("query-migrate");
                    String state = status.path("status").asText();
                    if (state.equals("completed")) {
                        JsonNode ram = status.path("ram");
                        return new Result(status.path("total-time").asLong() / 1e3, status.path("downtime").asLong(),
                                ram.path("transferred").asLong(), ram.path("normal-bytes").asLong(),
                                ram.path("duplicate").asLong());
                    }
                    if (state.equals("failed") || state.equals("cancelled")) {
                        throw new IOException("QEMU's migration " + state + ": " + status);
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IOException("QEMU's migration did not complete in " + MIGRATION_TIMEOUT + ": " + status);
                    }
                    Thread.sleep(5);
                }
            }
        } finally {
            for (Process p : processes) {
                stop(p);
            }
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    private List<String> command(Path qmp, String incomingPort) {
        List<String> c = new ArrayList<>(List.of(binary.toString(), "-M", "pc", "-m", "1024", "-display", "none",
                "-nodefaults", "-qmp", "unix:" + qmp + ",server=on,wait=off"));
        if (incomingPort != null) {
            c.addAll(List.of("-incoming", "tcp:127.0.0.1:" + incomingPort));
        }
        return c;
    }

    private static Process start(List<String> command, Path log) throws IOException {
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Connects once QEMU has made its QMP socket; fails with QEMU's output if it exits first. */
    private static QmpClient connect(Path socket, Process qemu, Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + QMP_TIMEOUT.toNanos();
        while (true) {
            if (!qemu.isAlive()) {
                throw new IOException("QEMU exited with " + qemu.exitValue() + ": " + Files.readString(log).strip());
            }
            if (Files.exists(socket)) {
                try {
                    return QmpClient.connect(socket, QMP_TIMEOUT);
                } catch (QmpConnectionException e) {
                    // made but not yet listening
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("QEMU made no QMP socket at " + socket + " in " + QMP_TIMEOUT);
            }
            Thread.sleep(10);
        }
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
