package io.cutover.it.migration;

import io.cutover.it.LabExtension;
import io.cutover.it.Launcher;
import io.cutover.lab.Topology;
import io.cutover.migration.guest.ShmGuestFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real guest program, in the VM's namespace, writing its memory in a /dev/shm file: {@code migrate send} in
 * hostA migrates it to {@code migrate listen} in hostB over the underlay (two connections, XBZRLE on); the
 * destination's memory is byte-identical, a new guest program continues the workload at the destination, and
 * the source's has stopped.
 */
class ShmGuestLabIT {
    @RegisterExtension
    static final LabExtension LAB = LabExtension.of(Topology.LAN);
    private static final String MIGRATION_ADDRESS = "198.19.0.2";
    private static final Pattern LISTENING = Pattern.compile("listening on [0-9.]+:(\\d+)");
    private static final Pattern ACTIVATED = Pattern.compile(
            "activated (m-\\w+): .* over 2 connections, digest ([0-9a-f]+), guest running shm:file=(\\S+)");
    private static final Pattern STOPPED = Pattern.compile("guest: stopped after (\\d+) writes");

    @TempDir
    Path logs;
    private Path shm;
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void makeSharedMemoryDirectory() throws IOException {
        shm = Files.createTempDirectory(Path.of("/dev/shm"), "cutover-it-");
    }

    @AfterEach
    void cleanUp() throws IOException {
        processes.forEach(p -> p.descendants().forEach(ProcessHandle::destroyForcibly));
        processes.forEach(Process::destroyForcibly);
        try (Stream<Path> files = Files.walk(shm)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private Process start(String log, String node, String... args) throws IOException {
        Process p = Launcher.start(logs.resolve(log), LAB.lab().namespace(node), args);
        processes.add(p);
        return p;
    }

    private String read(String log) throws IOException {
        Path file = logs.resolve(log);
        return Files.exists(file) ? Files.readString(file) : "";
    }

    private Matcher await(String log, Pattern pattern, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            Matcher m = pattern.matcher(read(log));
            if (m.find()) {
                return m;
            }
            assertThat(p.isAlive()).as(log + ": " + read(log)).isTrue();
            Thread.sleep(50);
        }
        throw new AssertionError("no " + pattern + " in " + log + ": " + read(log));
    }

    /** The secret both ends share: a file the test writes, as an operator would copy it to both hosts. */
    private String secret() throws IOException {
        Path file = logs.resolve("migration.secret");
        if (!Files.exists(file)) {
            Files.writeString(file, java.util.UUID.randomUUID() + "\n");
        }
        return file.toString();
    }

    private static int exit(Process p) throws InterruptedException {
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("process ended").isTrue();
        return p.exitValue();
    }

    @Test
    void aGuestProgramMovesFromHostAToHostBAndKeepsRunningThere() throws Exception {
        Path memory = shm.resolve("vm1.mem");
        Process guest = start("guest.log", Topology.VM, "migrate", "guest", "--file", memory.toString(),
                "--create", "size=64m,workload=hotset,hot=5%,rate=20000");
        await("guest.log", Pattern.compile("guest: running on"), guest);
        Process listen = start("listen.log", "hostB", "migrate", "listen", "--bind", MIGRATION_ADDRESS, "--port", "0",
                "--secret-file", secret(), "--shm-guests", "--guest-dir", shm.toString(), "--run-for", "6s");
        int port = Integer.parseInt(await("listen.log", LISTENING, listen).group(1));
        Path json = logs.resolve("report.json");
        Process send = start("send.log", "hostA", "migrate", "send", "--to", MIGRATION_ADDRESS + ":" + port,
                "--secret-file", secret(),
                "--guest", "shm:file=" + memory, "--integrity", "full_memory", "--channels", "2",
                "--xbzrle-cache", "16m", "--quiet", "--json", json.toString());

        Matcher activated = await("listen.log", ACTIVATED, listen);
        Path moved = Path.of(activated.group(3));
        assertThat(exit(send)).as(read("send.log")).isZero();
        // the source's program stopped when the migration completed, and its writes stopped with it
        assertThat(exit(guest)).as(read("guest.log")).isZero();
        Matcher stopped = STOPPED.matcher(read("guest.log"));
        assertThat(stopped.find()).as(read("guest.log")).isTrue();
        long sourceWrites = Long.parseLong(stopped.group(1));
        assertThat(sourceWrites).isPositive();
        assertThat(memory).as("the source program removed its memory").doesNotExist();

        // the destination's program runs on: its counter starts where the source's stopped, and advances
        try (ShmGuestFile file = ShmGuestFile.open(moved)) {
            long first = file.writes();
            assertThat(first).isGreaterThanOrEqualTo(sourceWrites);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (file.writes() <= Math.max(first, sourceWrites) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(file.writes()).as("the destination's guest writes").isGreaterThan(Math.max(first, sourceWrites));
            assertThat(ShmGuestFile.mode(file.answer())).isEqualTo(ShmGuestFile.Mode.RUNNING);
            assertThat(ProcessHandle.of(file.pid())).as("the destination's guest program").isPresent();
        }

        // byte-identical: the destination re-read its whole memory and found the source's digest at pause
        String report = Files.readString(json);
        assertThat(report).contains("\"outcome\":\"COMPLETED\"", "\"integrity\":\"FULL_MEMORY\"");
        Matcher digest = Pattern.compile("\"verifiedDigest\":\"([0-9a-f]+)\"").matcher(report);
        assertThat(digest.find()).isTrue();
        assertThat(activated.group(2)).isEqualTo(digest.group(1));

        assertThat(exit(listen)).as(read("listen.log")).isZero();
        assertThat(moved).as("the destination freed the guest after --run-for").doesNotExist();
    }
}
