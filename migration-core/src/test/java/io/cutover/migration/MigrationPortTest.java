package io.cutover.migration;

import io.cutover.migration.guest.Guests;
import io.cutover.migration.guest.SyntheticGuest;
import io.cutover.migration.transport.FrameType;
import io.cutover.migration.transport.Frames;
import io.cutover.migration.transport.Hello;
import io.cutover.migration.transport.Resolve;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The migration port as a hostile peer sees it: each attack is refused before anything is reserved (or cut at its
 * deadline), leaves the target's state as it was, and a valid migration is served right after.
 */
class MigrationPortTest {
    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    /** Counts the guests it makes. */
    private static final class CountingAllocator implements GuestAllocator {
        final AtomicInteger allocated = new AtomicInteger();
        final List<Guest> guests = new ArrayList<>();

        @Override
        public synchronized Guest allocate(String descriptor, long pageCount, int pageSize) {
            allocated.incrementAndGet();
            Guest g = MigrationFixture.quietAllocator().allocate(descriptor, pageCount, pageSize);
            guests.add(g);
            return g;
        }
    }

    private static TargetOptions.Builder quick() {
        return TargetOptions.builder().helloTimeout(Duration.ofMillis(800)).idleTimeout(Duration.ofSeconds(2));
    }

    private static byte[] hello(String id, String descriptor, int pageSize, long pages, String secret) {
        return hello(new Hello(id, descriptor, pageSize, pages, false, secret));
    }

    private static byte[] hello(Hello h) {
        ByteBuf b = Unpooled.buffer();
        h.writeFrame(b);
        return bytes(b);
    }

    private static byte[] resolve(String id, String secret) {
        ByteBuf b = Unpooled.buffer();
        new Resolve(id, secret).writeFrame(b);
        return bytes(b);
    }

    private static byte[] header(FrameType type, int flags, int length, long arg) {
        ByteBuf b = Unpooled.buffer();
        Frames.writeHeader(b, type, flags, length, arg);
        return bytes(b);
    }

    private static byte[] bytes(ByteBuf b) {
        byte[] out = new byte[b.readableBytes()];
        b.readBytes(out);
        b.release();
        return out;
    }

    /** A frame the target sent: its type, argument and text. */
    private record Answer(int type, long arg, String text) {
    }

    private static Answer read(Socket s) throws IOException {
        DataInputStream in = new DataInputStream(s.getInputStream());
        byte[] h = new byte[Frames.HEADER_BYTES];
        in.readFully(h);
        ByteBuffer header = ByteBuffer.wrap(h);
        int type = header.get() & 0xff;
        header.get();
        header.getShort();
        byte[] payload = new byte[header.getInt()];
        long arg = header.getLong();
        in.readFully(payload);
        return new Answer(type, arg, new String(payload, StandardCharsets.UTF_8));
    }

    private static Socket connect(MigrationFixture dst) throws IOException {
        Socket s = new Socket("127.0.0.1", dst.address().getPort());
        s.setSoTimeout(10_000);
        return s;
    }

    /** Sends {@code bytes} on a new connection; the target's ABORT reason, after which it closed. */
    private static String refusal(MigrationFixture dst, byte[]... chunks) throws IOException {
        try (Socket s = connect(dst)) {
            OutputStream out = s.getOutputStream();
            for (byte[] c : chunks) {
                out.write(c);
            }
            out.flush();
            Answer a = read(s);
            assertThat(a.type()).as("answered %s", a).isEqualTo(FrameType.ABORT.code());
            assertThat(closed(s.getInputStream())).as("closed after the reason").isTrue();
            return a.text();
        }
    }

    private static boolean closed(InputStream in) throws IOException {
        try {
            return in.read() == -1;
        } catch (EOFException | SocketException e) {
            return true;
        }
    }

    /** A valid migration, presenting {@code secret}, is served and activated. */
    private static void servesAValidMigration(MigrationFixture dst, String secret) throws Exception {
        try (SyntheticGuest source = MigrationFixture.running("synthetic:size=4m,workload=hotset")) {
            MigrationReport report = LiveMigration.start(source, dst.address(),
                    MigrationOptions.builder().secret(secret).build(), List.of())
                    .result().toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertThat(report.succeeded()).isTrue();
            IncomingMigration in = dst.next();
            assertThat(in.activated()).isTrue();
            in.guest().close();
        }
        awaitIdle(dst);
    }

    /** Waits until the target holds no connection, migration or reservation. */
    private static void awaitIdle(MigrationFixture dst) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        TargetStats stats = dst.target.stats();
        while ((stats.connections() > 0 || stats.migrations() > 0 || stats.pendingBytes() > 0)
                && System.nanoTime() - deadline < 0) {
            Thread.sleep(10);
            stats = dst.target.stats();
        }
        assertThat(stats.connections()).as("connections left: %s", stats).isZero();
        assertThat(stats.migrations()).as("migrations left: %s", stats).isZero();
        assertThat(stats.pendingBytes()).as("bytes still reserved: %s", stats).isZero();
    }

    @Test
    void aHelloWithoutTheSecretIsRefusedBeforeAnythingIsReserved() throws Exception {
        CountingAllocator allocator = new CountingAllocator();
        try (MigrationFixture dst = new MigrationFixture(allocator, List.of(), quick().build())) {
            assertThat(refusal(dst, hello("m-00000001", "synthetic:size=1g", 4096, 1 << 18, "")))
                    .contains("not expected here: no secret presented");
            assertThat(refusal(dst, hello("m-00000002", "synthetic:size=1g", 4096, 1 << 18, "guessed-secret-0000")))
                    .contains("not expected here");
            TargetStats stats = MigrationFixture.awaitRefusals(dst.target, 2);
            assertThat(stats.refused(Refusal.UNEXPECTED)).isEqualTo(2);
            assertThat(allocator.allocated).as("no guest reserved for a stranger").hasValue(0);
            assertThat(dst.ended).as("no migration ended: none was admitted").isEmpty();
            awaitIdle(dst);

            servesAValidMigration(dst, MigrationFixture.SECRET);
        }
    }

    @Test
    void aOneTimeSecretAdmitsOneMigrationNoLargerThanExpected() throws Exception {
        CountingAllocator allocator = new CountingAllocator();
        try (MigrationFixture dst = new MigrationFixture(allocator, List.of(), quick().build())) {
            String secret = dst.target.expect(8 * MIB, Duration.ofMinutes(1));
            assertThat(dst.target.stats().expected()).isEqualTo(2);
            // size=64g,page=512: 128 Mi pages, whose per-page arrays alone would take over 500 MiB
            assertThat(refusal(dst, hello("m-00000003", "synthetic:size=64g,page=512", 512, 1L << 27, secret)))
                    .contains("larger than expected");
            assertThat(MigrationFixture.awaitRefusals(dst.target, 1).refused(Refusal.TOO_LARGE)).isEqualTo(1);
            assertThat(allocator.allocated).hasValue(0);
            awaitIdle(dst);

            servesAValidMigration(dst, secret);
            assertThat(dst.target.stats().expected()).as("the one-time secret is spent").isEqualTo(1);
            try (SyntheticGuest source = MigrationFixture.running("synthetic:size=4m,workload=hotset")) {
                LiveMigration again = LiveMigration.start(source, dst.address(),
                        MigrationOptions.builder().secret(secret).ioTimeout(Duration.ofSeconds(2)).build(), List.of());
                try {
                    again.result().toCompletableFuture().get(60, TimeUnit.SECONDS);
                    throw new AssertionError("a spent secret must be refused");
                } catch (ExecutionException e) {
                    assertThat(e.getCause()).hasMessageContaining("not expected here");
                    assertThat(((MigrationException) e.getCause()).sourceResumed()).isTrue();
                }
                assertThat(source.isRunning()).isTrue();
            }
            assertThat(allocator.allocated).hasValue(1);
            assertThat(dst.target.withdraw(secret)).isFalse();
        }
    }

    @Test
    void aSenderTricklingItsHelloIsCutAtTheHelloDeadline() throws Exception {
        try (MigrationFixture dst = new MigrationFixture(new CountingAllocator(), List.of(), quick().build());
             Socket s = connect(dst)) {
            byte[] hello = hello("m-00000004", "synthetic:size=1m", 4096, 256, MigrationFixture.SECRET);
            long start = System.nanoTime();
            boolean cut = false;
            // a byte every 100 ms: the whole HELLO would take longer than 10 s; the deadline is 800 ms after connect
            for (int i = 0; i < hello.length - 1 && !cut; i++) {
                try {
                    s.getOutputStream().write(hello[i]);
                    s.getOutputStream().flush();
                } catch (IOException e) {
                    cut = true;
                }
                Thread.sleep(100);
                cut |= s.getInputStream().available() > 0;
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertThat(read(s).text()).contains("no complete HELLO within 800 ms");
            assertThat(ms).as("cut at the deadline, not restarted by each byte").isLessThan(hello.length * 100L - 500);
            assertThat(MigrationFixture.awaitRefusals(dst.target, 1).refused(Refusal.HELLO_TIMEOUT)).isEqualTo(1);
            awaitIdle(dst);
            servesAValidMigration(dst, MigrationFixture.SECRET);
        }
    }

    @Test
    void anAdmittedSourceTricklingAPageIsCutAtTheIdleDeadlineAndItsReservationFreed() throws Exception {
        CountingAllocator allocator = new CountingAllocator();
        try (MigrationFixture dst = new MigrationFixture(allocator, List.of(), quick().build());
             Socket s = connect(dst)) {
            s.getOutputStream().write(hello("m-00000005", "synthetic:size=1m", 4096, 256, MigrationFixture.SECRET));
            s.getOutputStream().write(header(FrameType.PAGE, Frames.PAGE_RAW, 4096, 1));
            s.getOutputStream().flush();
            assertThat(read(s).type()).isEqualTo(FrameType.RESERVED.code());
            assertThat(dst.target.stats().pendingBytes()).isEqualTo(MIB);
            long start = System.nanoTime();
            for (int i = 0; i < 100 && s.getInputStream().available() == 0; i++) {
                try {
                    s.getOutputStream().write(0);
                    s.getOutputStream().flush();
                } catch (IOException e) {
                    break;
                }
                Thread.sleep(100);
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertThat(ms).as("a byte every 100 ms does not keep the connection").isLessThan(6_000);
            IncomingMigration in = dst.next();
            assertThat(in.activated()).isFalse();
            assertThat(in.failure()).contains("fell silent");
            awaitIdle(dst);
            assertThat(allocator.guests).hasSize(1);
            servesAValidMigration(dst, MigrationFixture.SECRET);
        }
    }

    @Test
    void shmGuestsComeFromThisHostsConfigurationNeverFromAPeer() throws Exception {
        Path guests = Files.createDirectories(dir.resolve("guests"));
        // a target that reserves synthetic guests only: an admitted source asking for shm gets no program
        try (MigrationFixture dst = new MigrationFixture(Guests.syntheticAllocator(), List.of(), quick().build())) {
            try (Socket s = connect(dst)) {
                s.getOutputStream().write(hello("m-00000006", "shm:file=/dev/shm/x", 4096, 256, MigrationFixture.SECRET));
                Answer a = read(s);
                assertThat(a.text()).contains("cannot reserve the guest");
            }
            assertThat(dst.next().activated()).isFalse();
            awaitIdle(dst);
        }
        // a target that may make shm guests: a stranger's shm HELLO starts nothing
        try (MigrationFixture dst = new MigrationFixture(Guests.allocator(guests), List.of(), quick().build())) {
            for (int i = 0; i < 5; i++) {
                assertThat(refusal(dst, hello("m-0000000" + i, "shm:file=/dev/shm/x", 4096, 256, "")))
                        .contains("not expected");
            }
            assertThat(MigrationFixture.awaitRefusals(dst.target, 5).refused(Refusal.UNEXPECTED)).isEqualTo(5);
            try (var files = Files.list(guests)) {
                assertThat(files).as("no guest file, no guest program").isEmpty();
            }
            assertThat(dst.ended).isEmpty();
        }
    }

    @Test
    void migrationsAndReservedBytesInProgressAreBounded() throws Exception {
        CountingAllocator allocator = new CountingAllocator();
        try (MigrationFixture dst = new MigrationFixture(allocator, List.of(), quick().maxMigrations(1)
                .idleTimeout(Duration.ofSeconds(30)).build());
             Socket first = connect(dst)) {
            first.getOutputStream().write(hello("m-00000007", "synthetic:size=1m", 4096, 256, MigrationFixture.SECRET));
            assertThat(read(first).type()).isEqualTo(FrameType.RESERVED.code());
            assertThat(refusal(dst, hello("m-00000008", "synthetic:size=1m", 4096, 256, MigrationFixture.SECRET)))
                    .contains("busy");
            assertThat(MigrationFixture.awaitRefusals(dst.target, 1).refused(Refusal.BUSY)).isEqualTo(1);
            assertThat(allocator.allocated).hasValue(1);
            first.close();
            assertThat(dst.next().activated()).isFalse();
            awaitIdle(dst);
            servesAValidMigration(dst, MigrationFixture.SECRET);
        }
    }

    @Test
    void connectionsAreBoundedPerPeer() throws Exception {
        try (MigrationFixture dst = new MigrationFixture(new CountingAllocator(), List.of(),
                quick().maxConnections(8, 2).helloTimeout(Duration.ofSeconds(30)).build())) {
            try (Socket a = connect(dst); Socket b = connect(dst); Socket c = connect(dst)) {
                assertThat(closed(c.getInputStream())).as("the third connection is cut at once").isTrue();
                assertThat(MigrationFixture.awaitRefusals(dst.target, 1).refused(Refusal.CONNECTION_LIMIT))
                        .isEqualTo(1);
                assertThat(dst.target.stats().connections()).isEqualTo(2);
            }
            MigrationFixture.awaitRefusals(dst.target, 3);
            awaitIdle(dst);
            servesAValidMigration(dst, MigrationFixture.SECRET);
        }
    }

    @Test
    void aPortScanEndsNoMigration() throws Exception {
        try (MigrationFixture dst = new MigrationFixture(new CountingAllocator(), List.of(), quick().build())) {
            for (int i = 0; i < 20; i++) {
                connect(dst).close();
            }
            assertThat(MigrationFixture.awaitRefusals(dst.target, 20).refused(Refusal.CLOSED_BEFORE_HELLO))
                    .isEqualTo(20);
            assertThat(dst.ended).as("a connect-and-close is no migration").isEmpty();
            awaitIdle(dst);
            servesAValidMigration(dst, MigrationFixture.SECRET);
        }
    }

    @Test
    void resolveWithoutTheMigrationsSecretDecidesNothing() throws Exception {
        CountingAllocator allocator = new CountingAllocator();
        try (MigrationFixture dst = new MigrationFixture(allocator, List.of(), quick()
                .idleTimeout(Duration.ofSeconds(30)).build());
             Socket source = connect(dst)) {
            source.getOutputStream().write(hello("m-0000000a", "synthetic:size=1m", 4096, 256, MigrationFixture.SECRET));
            assertThat(read(source).type()).isEqualTo(FrameType.RESERVED.code());

            assertThat(refusal(dst, resolve("m-0000000a", ""))).contains("without its secret");
            assertThat(refusal(dst, resolve("m-0000000a", "guessed-secret-0000"))).contains("without its secret");
            // nor can a stranger join the migration as one of its connections
            assertThat(refusal(dst, hello(new Hello("m-0000000a", "synthetic:size=1m", 4096, 256, false, 2, 1,
                    "guessed-secret-0000")))).contains("no migration m-0000000a");
            TargetStats stats = MigrationFixture.awaitRefusals(dst.target, 3);
            assertThat(stats.refused(Refusal.RESOLVE_REFUSED)).isEqualTo(2);
            assertThat(stats.migrations()).as("the migration goes on").isEqualTo(1);
            assertThat(stats.pendingBytes()).isEqualTo(MIB);
            assertThat(dst.ended).isEmpty();

            // the source itself, presenting the secret, is answered: not committed, and the migration is discarded
            try (Socket ask = connect(dst)) {
                ask.getOutputStream().write(resolve("m-0000000a", MigrationFixture.SECRET));
                Answer a = read(ask);
                assertThat(a.type()).isEqualTo(FrameType.RESOLVED.code());
                assertThat(a.arg()).isZero();
            }
            assertThat(dst.next().activated()).isFalse();
            awaitIdle(dst);
            assertThat(allocator.allocated).hasValue(1);
        }
    }
}
