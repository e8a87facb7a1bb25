package io.cutover.migration.guest;

import io.cutover.migration.IncomingMigration;
import io.cutover.migration.IntegrityCheck;
import io.cutover.migration.LiveMigration;
import io.cutover.migration.MigrationFixture;
import io.cutover.migration.MigrationOptions;
import io.cutover.migration.MigrationReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The shared-memory guest: a real guest program in its own JVM, controlled and migrated through its file. */
class ShmGuestTest {
    private Path dir;
    private Process program;

    @BeforeEach
    void makeDirectory() throws IOException {
        dir = Files.createTempDirectory(Path.of("/dev/shm"), "cutover-shm-test-");
    }

    @AfterEach
    void cleanUp() throws IOException {
        if (program != null) {
            program.destroyForcibly();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** Starts the guest program with {@code --create SPEC} and waits until it runs. */
    private ShmGuest startGuest(String spec) throws Exception {
        Path file = dir.resolve("source.mem");
        program = new ProcessBuilder(ShmGuest.programCommand("--file", file.toString(), "--create", spec))
                .redirectErrorStream(true).redirectOutput(dir.resolve("source.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (Files.exists(file)) {
                try (ShmGuestFile f = ShmGuestFile.open(file)) {
                    if (ShmGuestFile.mode(f.answer()) == ShmGuestFile.Mode.RUNNING) {
                        return ShmGuest.attach(file);
                    }
                } catch (IllegalArgumentException e) {
                    // still being created
                }
            }
            assertThat(program.isAlive()).as("guest program: " + Files.readString(dir.resolve("source.log"))).isTrue();
            Thread.sleep(50);
        }
        throw new AssertionError("the guest program did not start");
    }

    private static long writesAfter(ShmGuest guest, long millis) throws InterruptedException {
        Thread.sleep(millis);
        return guest.file().writes();
    }

    @Test
    void theProgramWritesMarksDirtyPagesPausesResumesAndStops() throws Exception {
        ShmGuest guest = startGuest("size=4m,workload=hotset,hot=64k,rate=20000");
        assertThat(guest.isRunning()).isTrue();
        assertThat(writesAfter(guest, 200)).isPositive();
        long[] dirty = new long[(int) ((guest.pageCount() + 63) / 64)];
        guest.collectDirty(dirty);
        // the hot set is the first 16 pages: every dirty bit is there, and some are set
        assertThat(dirty[0] & 0xFFFF).isNotZero();
        assertThat(dirty[0] & ~0xFFFFL).isZero();
        assertThat(java.util.Arrays.copyOfRange(dirty, 1, dirty.length)).containsOnly(0L);

        guest.pause();
        assertThat(guest.isRunning()).isFalse();
        long paused = guest.file().writes();
        java.util.Arrays.fill(dirty, 0);
        guest.collectDirty(dirty);
        assertThat(writesAfter(guest, 200)).isEqualTo(paused);
        java.util.Arrays.fill(dirty, 0);
        guest.collectDirty(dirty);
        assertThat(dirty).containsOnly(0L);

        guest.throttle(90);
        guest.resume();
        assertThat(writesAfter(guest, 200)).isGreaterThan(paused);
        assertThat(guest.throttlePercent()).isEqualTo(90);

        guest.close();
        assertThat(program.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(program.exitValue()).isZero();
        assertThat(dir.resolve("source.mem")).doesNotExist();
    }

    @Test
    void aGuestProgramMigratesToANewProgramThatContinuesItsWorkload() throws Exception {
        ShmGuest source = startGuest("size=16m,workload=hotset,hot=5%,rate=20000");
        Thread.sleep(100);
        try (MigrationFixture dst = new MigrationFixture(Guests.allocator(dir), List.of())) {
            LiveMigration m = LiveMigration.start(source, dst.address(),
                    MigrationFixture.admitted(MigrationOptions.builder().integrity(IntegrityCheck.FULL_MEMORY).build()), List.of());
            MigrationReport report = m.result().toCompletableFuture().get(120, TimeUnit.SECONDS);
            IncomingMigration in = dst.next();

            assertThat(report.succeeded()).isTrue();
            assertThat(in.activated()).as(in.failure()).isTrue();
            // the destination re-read its whole memory: byte-identical to the source's at pause
            assertThat(in.digest()).isEqualTo(report.verifiedDigest()).isNotZero();
            assertThat(source.isRunning()).isFalse();
            long atPause = source.file().writes();
            ShmGuest moved = (ShmGuest) in.guest();
            assertThat(moved.descriptor()).startsWith("shm:file=" + dir);
            assertThat(moved.isRunning()).isTrue();
            assertThat(moved.file().writes()).isGreaterThanOrEqualTo(atPause);
            assertThat(writesAfter(moved, 300)).isGreaterThan(atPause);
            assertThat(source.file().writes()).isEqualTo(atPause);

            source.close();
            assertThat(program.waitFor(10, TimeUnit.SECONDS)).isTrue();
            Path movedFile = moved.file().path();
            moved.close();
            assertThat(movedFile).doesNotExist();
        }
    }

    @Test
    void aDestinationProgramExitsWhenItsReservationIsDiscarded() throws Exception {
        Path file = dir.resolve("dest.mem");
        Process[] started = new Process[1];
        ShmGuest reserved = ShmGuest.reserve(file, 256, 4096, f -> started[0] = ShmGuest.launch(f));
        reserved.close();
        assertThat(started[0].waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(file).doesNotExist();
    }

    @Test
    void wrongFilesAndStatesAreRejectedWithAReason() throws Exception {
        Path junk = dir.resolve("junk.mem");
        Files.write(junk, new byte[8192]);
        assertThatThrownBy(() -> ShmGuestFile.open(junk)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a guest file");
        assertThatThrownBy(() -> ShmGuest.fileOf("shm:path=/x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ShmGuest.attach(dir.resolve("missing.mem"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no guest file at");
        try (ShmGuestFile f = ShmGuestFile.create(dir.resolve("g.mem"), 16, 4096, ShmGuestFile.Mode.PAUSED)) {
            assertThatThrownBy(() -> f.loadDeviceState(new byte[10])).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not a shared-memory guest's state");
            assertThatThrownBy(() -> ShmGuestFile.create(dir.resolve("g.mem"), 16, 4096, ShmGuestFile.Mode.PAUSED))
                    .hasMessageContaining("already exists");
            // a workload that does not fit the memory
            byte[] spec = "synthetic:size=1m".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            java.nio.ByteBuffer state = java.nio.ByteBuffer.allocate(8 + 24 + spec.length);
            state.putInt(0x53484d53).putLong(1).putLong(2).putLong(3).putInt(spec.length).put(spec);
            assertThatThrownBy(() -> f.loadDeviceState(state.array())).hasMessageContaining("does not fit");
        }
        Files.write(junk, new byte[10]);
        assertThatThrownBy(() -> ShmGuestFile.open(junk)).hasMessageContaining("not a guest file");
    }
}
