package io.cutover.it.migration;

import io.cutover.it.LabExtension;
import io.cutover.it.Launcher;
import io.cutover.lab.Topology;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code cutover migrate listen} in hostB and {@code cutover migrate send} in hostA, two real processes
 * migrating a guest over the hosts' underlay cable (the migration address 198.19.0.2, two connections), and both ends
 * killed with SIGKILL in the middle.
 */
class MigrationLabIT {
    @RegisterExtension
    static final LabExtension LAB = LabExtension.of(Topology.LAN);
    private static final String MIGRATION_ADDRESS = "198.19.0.2";
    private static final Pattern LISTENING = Pattern.compile("listening on [0-9.]+:(\\d+)");

    @TempDir
    Path dir;
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        processes.forEach(p -> p.descendants().forEach(ProcessHandle::destroyForcibly));
        processes.forEach(Process::destroyForcibly);
    }

    private Process start(String log, String host, String... args) throws IOException {
        Process p = Launcher.start(dir.resolve(log), LAB.lab().namespace(host), args);
        processes.add(p);
        return p;
    }

    private int listen(String log, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Matcher m = LISTENING.matcher(read(log));
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            assertThat(p.isAlive()).as("listen died: " + read(log)).isTrue();
            Thread.sleep(100);
        }
        throw new AssertionError("the destination did not listen: " + read(log));
    }

    private String read(String log) throws IOException {
        Path file = dir.resolve(log);
        return Files.exists(file) ? Files.readString(file) : "";
    }

    /** The secret both ends share: a file the test writes, as an operator would copy it to both hosts. */
    private String secret() throws IOException {
        Path file = dir.resolve("migration.secret");
        if (!Files.exists(file)) {
            Files.writeString(file, java.util.UUID.randomUUID() + "\n");
        }
        return file.toString();
    }

    private static int exit(Process p) throws InterruptedException {
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("process ended").isTrue();
        return p.exitValue();
    }

    /** The JVM behind a launcher process (inside {@code ip netns exec}). */
    private static void killJava(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    @Test
    void twoProcessesMigrateAGuestOverTheUnderlayByteForByte() throws Exception {
        Process listen = start("listen.log", "hostB", "migrate", "listen", "--bind", MIGRATION_ADDRESS, "--port", "0",
                "--secret-file", secret());
        int port = listen("listen.log", listen);
        Path json = dir.resolve("report.json");
        Process send = start("send.log", "hostA", "migrate", "send", "--to", MIGRATION_ADDRESS + ":" + port,
                "--secret-file", secret(),
                "--guest", "synthetic:size=64m,workload=hotset,hot=5%,rate=50000", "--integrity", "full_memory",
                "--compress", "lz4", "--channels", "2", "--quiet", "--json", json.toString());
        assertThat(exit(send)).as(read("send.log")).isZero();
        assertThat(exit(listen)).as(read("listen.log")).isZero();
        assertThat(read("send.log")).contains("migrated m-").contains("converged");
        assertThat(read("listen.log")).containsPattern("activated m-\\w+: \\d+ pages").contains("over 2 connections")
                .contains("guest running");
        String report = Files.readString(json);
        assertThat(report).contains("\"outcome\":\"COMPLETED\"", "\"integrity\":\"FULL_MEMORY\"",
                "\"stage\":\"SWITCHOVER\"", "\"stage\":\"ACTIVATED\"");
        // the digest the destination verified (after re-reading its whole memory) is the source's
        Matcher digest = Pattern.compile("\"verifiedDigest\":\"([0-9a-f]+)\"").matcher(report);
        assertThat(digest.find()).isTrue();
        assertThat(read("listen.log")).contains("digest " + digest.group(1));
    }

    @Test
    void destinationKilledMidPrecopyLeavesTheSourceRunning() throws Exception {
        Process listen = start("listen.log", "hostB", "migrate", "listen", "--bind", MIGRATION_ADDRESS, "--port", "0",
                "--secret-file", secret());
        int port = listen("listen.log", listen);
        Path json = dir.resolve("report.json");
        Process send = start("send.log", "hostA", "migrate", "send", "--to", MIGRATION_ADDRESS + ":" + port,
                "--secret-file", secret(),
                "--guest", "synthetic:size=64m,workload=hotset,fill=100%", "--max-bandwidth", "8m", "--quiet",
                "--json", json.toString());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!read("listen.log").contains("reserved") && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        Thread.sleep(1500);
        killJava(listen);
        assertThat(exit(send)).as(read("send.log")).isEqualTo(1);
        assertThat(read("send.log")).contains("ITERATIVE_PRECOPY").contains("the guest runs at the source");
        assertThat(Files.readString(json)).contains("\"outcome\":\"ROLLED_BACK\"", "\"stage\":\"ROLLED_BACK\"");
    }

    @Test
    void sourceKilledMidPrecopyMakesTheDestinationDiscardAndListenOn() throws Exception {
        Process listen = start("listen.log", "hostB", "migrate", "listen", "--bind", MIGRATION_ADDRESS, "--port", "0",
                "--secret-file", secret());
        int port = listen("listen.log", listen);
        Process send = start("send.log", "hostA", "migrate", "send", "--to", MIGRATION_ADDRESS + ":" + port,
                "--secret-file", secret(),
                "--guest", "synthetic:size=64m,workload=hotset,fill=100%", "--max-bandwidth", "8m", "--quiet");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!read("listen.log").contains("reserved") && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        Thread.sleep(1500);
        killJava(send);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!read("listen.log").contains("discarded m-") && System.nanoTime() < until) {
            Thread.sleep(100);
        }
        assertThat(read("listen.log")).containsPattern("discarded m-\\w+: the connection to the source was lost");
        // a discarded migration does not end the listener: it waits for one that completes
        Thread.sleep(500);
        assertThat(listen.isAlive()).as(read("listen.log")).isTrue();
        killJava(listen);
    }

    @Test
    void badInputIsAUsageError() throws Exception {
        Process send = start("send.log", "hostA", "migrate", "send", "--to", MIGRATION_ADDRESS + ":1",
                "--secret-file", secret(),
                "--guest", "synthetic:size=64m,workload=sometimes");
        assertThat(exit(send)).isEqualTo(2);
        assertThat(read("send.log")).contains("workload must be");
    }
}
