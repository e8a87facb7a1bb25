package io.cutover.migration;

import io.cutover.api.CutoverStage;
import io.cutover.api.CutoverEvent;
import io.cutover.api.CutoverListener;

import io.cutover.migration.guest.SyntheticGuest;
import io.cutover.migration.transport.FrameType;
import io.cutover.migration.transport.Frames;
import io.cutover.migration.transport.Hello;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FailureModesTest {
    /** Slow enough (20 MB/s over a 32 MiB guest) that the test can act during pre-copy. */
    private static final MigrationOptions SLOW = MigrationOptions.builder().maxBandwidth(20_000_000)
            .ioTimeout(Duration.ofSeconds(5)).build();
    private final List<CutoverEvent> seen = new CopyOnWriteArrayList<>();

    @AfterEach
    void nothingLeaks() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && migrationThreads() > 0) {
            Thread.sleep(50);
        }
        assertThat(migrationThreads()).as("migration threads left running").isZero();
    }

    private static long migrationThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("migration-m-")).count();
    }

    private CutoverListener recorder(CutoverStage on, Runnable action) {
        return e -> {
            seen.add(e);
            if (e.stage() == on) {
                action.run();
            }
            return CompletableFuture.completedFuture(null);
        };
    }

    private static MigrationException failure(LiveMigration m) throws InterruptedException {
        try {
            m.result().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(MigrationException.class);
            return (MigrationException) e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the migration did not end", e);
        }
        throw new AssertionError("the migration should have failed");
    }

    private void assertRolledBack(MigrationException e, SyntheticGuest source) throws InterruptedException {
        assertThat(e.sourceResumed()).isTrue();
        assertThat(source.isRunning()).isTrue();
        assertThat(source.throttlePercent()).isZero();
        long before = source.writes();
        Thread.sleep(50);
        assertThat(source.writes()).as("the source guest runs again").isGreaterThan(before);
        assertThat(seen).extracting(CutoverEvent::stage).endsWith(CutoverStage.FAILED, CutoverStage.ROLLED_BACK)
                .doesNotContain(CutoverStage.COMMITTED, CutoverStage.ACTIVATED);
        assertThat(e.report()).isPresent();
        assertThat(e.report().orElseThrow().progress().state()).isEqualTo(MigrationState.ROLLED_BACK);
    }

    @Test
    void destinationKilledMidPrecopyLeavesTheSourceRunning() throws Exception {
        try (MigrationFixture dst = new MigrationFixture();
             SyntheticGuest source = MigrationFixture.running("synthetic:size=32m,fill=100%,workload=hotset,rate=5000")) {
            LiveMigration m = LiveMigration.start(source, dst.address(), MigrationFixture.admitted(SLOW),
                    List.of(recorder(CutoverStage.PRECOPY, () -> { })));
            while (m.progress().transferredBytes() < 4_000_000) {
                Thread.sleep(20);
            }
            dst.target.close();
            MigrationException e = failure(m);
            assertThat(e.state()).isEqualTo(MigrationState.ITERATIVE_PRECOPY);
            assertRolledBack(e, source);
            IncomingMigration in = dst.next();
            assertThat(in.activated()).isFalse();
            assertThat(in.failure()).contains("lost");
        }
    }

    @Test
    void connectionCutInStopAndCopyResumesTheSource() throws Exception {
        try (MigrationFixture dst = new MigrationFixture();
             SyntheticGuest source = MigrationFixture.running("synthetic:size=16m,workload=hotset,rate=5000")) {
            LiveMigration m = LiveMigration.start(source, dst.address(),
                    MigrationFixture.admitted(MigrationOptions.defaults()),
                    List.of(recorder(CutoverStage.SWITCHOVER, dst.target::close)));
            MigrationException e = failure(m);
            assertThat(e.state()).isIn(MigrationState.STOP_AND_COPY, MigrationState.COMMITMENT);
            assertRolledBack(e, source);
            assertThat(seen).extracting(CutoverEvent::stage).contains(CutoverStage.SWITCHOVER);
            assertThat(dst.next().activated()).isFalse();
        }
    }

    @Test
    void aWriteLostAtTheDestinationIsCaughtBeforeActivation() throws Exception {
        GuestAllocator lossy = (d, n, s) -> new ForwardingGuest(MigrationFixture.quietAllocator().allocate(d, n, s)) {
            @Override
            public ByteBuffer pageView(long index) {
                return index == 5 ? ByteBuffer.allocateDirect(pageSize()) : delegate.pageView(index);
            }
        };
        try (MigrationFixture dst = new MigrationFixture(lossy, List.of());
             SyntheticGuest source = MigrationFixture.running("synthetic:size=8m,fill=100%,workload=hotset")) {
            LiveMigration m = LiveMigration.start(source, dst.address(),
                    MigrationFixture.admitted(MigrationOptions.builder().integrity(IntegrityCheck.FULL_MEMORY).build()),
                    List.of(recorder(null, () -> { })));
            MigrationException e = failure(m);
            assertThat(e).hasMessageContaining("digest mismatch");
            assertThat(e.state()).isEqualTo(MigrationState.COMMITMENT);
            assertRolledBack(e, source);
            assertThat(dst.next().failure()).contains("digest mismatch");
        }
    }

    @Test
    void aGuestThatCannotResumeAtTheDestinationIsReportedLostOnBothSides() throws Exception {
        GuestAllocator broken = (d, n, s) -> new ForwardingGuest(MigrationFixture.quietAllocator().allocate(d, n, s)) {
            @Override
            public void resume() {
                throw new IllegalStateException("the guest program is not running");
            }
        };
        try (MigrationFixture dst = new MigrationFixture(broken, List.of());
             SyntheticGuest source = MigrationFixture.running("synthetic:size=4m,workload=hotset")) {
            MigrationException e = failure(LiveMigration.start(source, dst.address(),
                    MigrationFixture.admitted(MigrationOptions.defaults()),
                    List.of()));
            assertThat(e.sourceResumed()).as("after the commit the source does not resume").isFalse();
            assertThat(e).hasMessageContaining("did not resume");
            assertThat(source.isRunning()).isFalse();
            IncomingMigration in = dst.next();
            assertThat(in.activated()).isFalse();
            assertThat(in.failure()).contains("the guest did not resume here: the guest program is not running");
        }
    }

    @Test
    void aWriteThatEscapesTheDirtyLogIsCaughtAtTheSource() throws Exception {
        try (MigrationFixture dst = new MigrationFixture();
             SyntheticGuest real = MigrationFixture.running("synthetic:size=8m,workload=uniform,rate=20000")) {
            Guest blind = new ForwardingGuest(real) {
                @Override
                public void collectDirty(long[] bitmap) {
                    delegate.collectDirty(new long[bitmap.length]);
                }
            };
            Thread.sleep(20);
            LiveMigration m = LiveMigration.start(blind, dst.address(),
                    MigrationFixture.admitted(MigrationOptions.builder().integrity(IntegrityCheck.FULL_MEMORY).build()),
                    List.of(recorder(null, () -> { })));
            MigrationException e = failure(m);
            assertThat(e).hasMessageContaining("escaped the dirty log");
            assertRolledBack(e, real);
            assertThat(dst.next().activated()).isFalse();
        }
    }

    @Test
    void switchoverWaitsForPlannedListenersAndGivesUpAfterTheTimeout() throws Exception {
        try (MigrationFixture dst = new MigrationFixture();
             SyntheticGuest source = MigrationFixture.running("synthetic:size=8m,workload=hotset")) {
            CompletableFuture<Void> networkReady = new CompletableFuture<>();
            long[] readyAt = new long[1];
            CutoverListener network = e -> {
                seen.add(e);
                if (e.stage() == CutoverStage.PLANNED) {
                    CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS).execute(() -> {
                        readyAt[0] = System.nanoTime();
                        networkReady.complete(null);
                    });
                    return networkReady;
                }
                return CompletableFuture.completedFuture(null);
            };
            MigrationReport report = LiveMigration.start(source, dst.address(),
                    MigrationFixture.admitted(MigrationOptions.defaults()),
                    List.of(network)).result().toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertThat(report.succeeded()).isTrue();
            CutoverEvent switchover = seen.stream().filter(e -> e.stage() == CutoverStage.SWITCHOVER).findFirst()
                    .orElseThrow();
            assertThat(switchover.nanoTime()).isGreaterThanOrEqualTo(readyAt[0]);
            dst.next().guest().close();
        }
        seen.clear();
        try (MigrationFixture dst = new MigrationFixture();
             SyntheticGuest source = MigrationFixture.running("synthetic:size=8m,workload=hotset")) {
            CutoverListener never = e -> {
                seen.add(e);
                return e.stage() == CutoverStage.PLANNED ? new CompletableFuture<Void>()
                        : CompletableFuture.completedFuture(null);
            };
            LiveMigration m = LiveMigration.start(source, dst.address(),
                    MigrationFixture.admitted(MigrationOptions.builder().listenerTimeout(Duration.ofMillis(300)).build()), List.of(never));
            MigrationException e = failure(m);
            assertThat(e).hasMessageContaining("did not complete");
            assertRolledBack(e, source);
            assertThat(seen).extracting(CutoverEvent::stage).doesNotContain(CutoverStage.SWITCHOVER);
        }
    }

    @Test
    void cancelBeforeCommitRollsBack() throws Exception {
        try (MigrationFixture dst = new MigrationFixture();
             SyntheticGuest source = MigrationFixture.running("synthetic:size=32m,fill=100%,workload=hotset")) {
            LiveMigration m = LiveMigration.start(source, dst.address(), MigrationFixture.admitted(SLOW),
                    List.of(recorder(null, () -> { })));
            Thread.sleep(200);
            m.cancel();
            MigrationException e = failure(m);
            assertThat(e).hasMessageContaining("cancelled");
            assertRolledBack(e, source);
            assertThat(dst.next().failure()).contains("source aborted");
        }
    }

    @Test
    void aDestinationThatStopsReadingMidPrecopyEndsTheMigrationAtTheProgressTimeout() throws Exception {
        try (SyntheticGuest source = MigrationFixture.running("synthetic:size=32m,fill=100%,workload=hotset");
             StalledDestination dst = StalledDestination.stopsAfterReserving(source.pageCount())) {
            long start = System.nanoTime();
            LiveMigration m = LiveMigration.start(source, dst.address(),
                    MigrationOptions.builder().progressTimeout(Duration.ofSeconds(1)).build(),
                    List.of(recorder(null, () -> { })));
            MigrationException e = failure(m);
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(e).isInstanceOf(MigrationStalledException.class)
                    .hasMessageContaining("the destination took no bytes for 1 s");
            assertThat(((MigrationStalledException) e).stalledFor()).isEqualTo(Duration.ofSeconds(1));
            assertThat(e.state()).isEqualTo(MigrationState.ITERATIVE_PRECOPY);
            assertThat(tookMs).as("ms to give up on a destination that stopped reading").isLessThan(2_500);
            assertRolledBack(e, source);
        }
    }

    @Test
    void aDestinationThatReadsOnSlowlyIsNotTakenForStalled() throws Exception {
        // 1.6 MB/s: the source's buffer takes 4 s to drain from its high water mark to its low one, twice the
        // progress timeout, but the destination takes bytes all along
        try (SyntheticGuest source = MigrationFixture.running("synthetic:size=64m,fill=100%,workload=hotset");
             StalledDestination dst = StalledDestination.trickling(source.pageCount(), 80 * 1024)) {
            LiveMigration m = LiveMigration.start(source, dst.address(),
                    MigrationOptions.builder().progressTimeout(Duration.ofSeconds(2)).build(),
                    List.of(recorder(null, () -> { })));
            Thread.sleep(5_000);
            assertThat(m.result().toCompletableFuture()).as("a slow destination, not a stalled one").isNotDone();
            assertThat(m.progress().state()).isEqualTo(MigrationState.ITERATIVE_PRECOPY);
            m.cancel();
            assertRolledBack(failure(m), source);
        }
    }

    @Test
    void aDestinationThatNeverAnswersEndsTheMigrationAtTheProgressTimeout() throws Exception {
        try (SyntheticGuest source = MigrationFixture.running("synthetic:size=4m,workload=hotset");
             StalledDestination dst = StalledDestination.silent()) {
            long start = System.nanoTime();
            LiveMigration m = LiveMigration.start(source, dst.address(),
                    MigrationOptions.builder().progressTimeout(Duration.ofMillis(1500)).build(),
                    List.of(recorder(null, () -> { })));
            MigrationException e = failure(m);
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(e).isInstanceOf(MigrationStalledException.class)
                    .hasMessageContaining("no RESERVED from the destination for 1.5 s");
            assertThat(e.state()).isEqualTo(MigrationState.RESERVATION);
            assertThat(tookMs).as("ms to give up on a destination that never answered").isLessThan(3_000);
            assertRolledBack(e, source);
        }
    }

    @Test
    void cancelEndsAStalledMigrationAtOnce() throws Exception {
        try (SyntheticGuest source = MigrationFixture.running("synthetic:size=32m,fill=100%,workload=hotset");
             StalledDestination dst = StalledDestination.stopsAfterReserving(source.pageCount())) {
            LiveMigration m = LiveMigration.start(source, dst.address(), MigrationOptions.defaults(),
                    List.of(recorder(null, () -> { })));
            long sent = -1;
            while (m.progress().transferredBytes() != sent || m.progress().transferredBytes() == 0) {
                sent = m.progress().transferredBytes();
                Thread.sleep(300);
            }
            long cancelledAt = System.nanoTime();
            m.cancel();
            MigrationException e = failure(m);
            long tookMs = (System.nanoTime() - cancelledAt) / 1_000_000;
            assertThat(e).isNotInstanceOf(MigrationStalledException.class).hasMessageContaining("cancelled");
            assertThat(e.state()).isEqualTo(MigrationState.ITERATIVE_PRECOPY);
            assertThat(tookMs).as("ms from the cancel to the end of a stalled migration").isLessThan(1_000);
            assertRolledBack(e, source);
        }
    }

    @Test
    void unreachableDestinationFailsFastAndTheGuestKeepsRunning() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (SyntheticGuest source = MigrationFixture.running("synthetic:size=4m,workload=hotset")) {
            LiveMigration m = LiveMigration.start(source, new java.net.InetSocketAddress("127.0.0.1", port),
                    MigrationFixture.admitted(MigrationOptions.defaults()), List.of(recorder(null, () -> { })));
            MigrationException e = failure(m);
            assertThat(e.state()).isEqualTo(MigrationState.PRE_MIGRATION);
            assertThat(e).hasMessageContaining("cannot connect");
            assertRolledBack(e, source);
        }
    }

    // --- the destination against a misbehaving peer on a real socket ---

    private static final class CountingAllocator implements GuestAllocator {
        final AtomicInteger allocated = new AtomicInteger();
        final List<ForwardingGuest> guests = new CopyOnWriteArrayList<>();

        @Override
        public Guest allocate(String descriptor, long pageCount, int pageSize) {
            allocated.incrementAndGet();
            ForwardingGuest g = new ForwardingGuest(MigrationFixture.quietAllocator().allocate(descriptor, pageCount,
                    pageSize));
            guests.add(g);
            return g;
        }
    }

    private static byte[] bytes(ByteBuf b) {
        byte[] out = new byte[b.readableBytes()];
        b.readBytes(out);
        b.release();
        return out;
    }

    private static byte[] hello() {
        ByteBuf b = Unpooled.buffer();
        new Hello("m-raw", "synthetic:size=1m", 4096, 256, false, MigrationFixture.SECRET).writeFrame(b);
        return bytes(b);
    }

    private static byte[] hello(int channels, int channel) {
        ByteBuf b = Unpooled.buffer();
        new Hello("m-raw", "synthetic:size=1m", 4096, 256, false, channels, channel, MigrationFixture.SECRET)
                .writeFrame(b);
        return bytes(b);
    }

    /** Reads frames until ABORT and returns its reason. */
    private static String abortReason(Socket s) throws Exception {
        DataInputStream in = new DataInputStream(s.getInputStream());
        while (true) {
            byte[] h = new byte[Frames.HEADER_BYTES];
            in.readFully(h);
            ByteBuffer header = ByteBuffer.wrap(h);
            int type = header.get() & 0xff;
            header.get();
            header.getShort();
            byte[] payload = new byte[header.getInt()];
            in.readFully(payload);
            if (type == FrameType.ABORT.code()) {
                return new String(payload, StandardCharsets.UTF_8);
            }
        }
    }

    @Test
    void multifdDataConnectionsThatDoNotBelongAreTurnedAwayAndAPageOnTheWrongOneDiscards() throws Exception {
        CountingAllocator allocator = new CountingAllocator();
        try (MigrationFixture dst = new MigrationFixture(allocator, List.of())) {
            // a data connection of a migration that does not exist
            assertThat(abortReasonFor(dst, hello(2, 1))).contains("no migration m-raw over several connections");
            assertThat(allocator.allocated).hasValue(0);

            try (Socket control = new Socket("127.0.0.1", dst.address().getPort());
                 Socket data = new Socket("127.0.0.1", dst.address().getPort())) {
                control.setSoTimeout(10_000);
                data.setSoTimeout(10_000);
                control.getOutputStream().write(hello(2, 0));
                control.getOutputStream().write(header(FrameType.SYNC, 0, 0, 1));
                control.getOutputStream().flush();
                byte[] reserved = new byte[Frames.HEADER_BYTES];
                new DataInputStream(control.getInputStream()).readFully(reserved);
                assertThat(reserved[0] & 0xff).isEqualTo(FrameType.RESERVED.code());
                // page 0 belongs to connection 0 (pages are sharded 64 at a time)
                data.getOutputStream().write(hello(2, 1));
                data.getOutputStream().write(header(FrameType.PAGE, 0, 4096, 0));
                data.getOutputStream().write(new byte[4096]);
                data.getOutputStream().flush();
                assertThat(abortReason(control)).contains("PAGE 0 on connection 1, it belongs to 0");
            }
            assertThat(dst.next().failure()).contains("PAGE 0 on connection 1");
            assertThat(allocator.guests).allMatch(g -> g.closed);
        }
    }

    @Test
    void aLostDataConnectionDiscardsTheMigration() throws Exception {
        try (MigrationFixture dst = new MigrationFixture()) {
            try (Socket control = new Socket("127.0.0.1", dst.address().getPort())) {
                control.setSoTimeout(10_000);
                control.getOutputStream().write(hello(3, 0));
                control.getOutputStream().flush();
                byte[] reserved = new byte[Frames.HEADER_BYTES];
                new DataInputStream(control.getInputStream()).readFully(reserved);
                try (Socket data = new Socket("127.0.0.1", dst.address().getPort())) {
                    data.getOutputStream().write(hello(3, 2));
                    data.getOutputStream().write(header(FrameType.PAGE, 0, 4096, 128));
                    data.getOutputStream().write(new byte[4096]);
                    data.getOutputStream().flush();
                    Thread.sleep(200);
                }
                assertThat(abortReason(control)).contains("data connection 2 to the source was lost");
            }
            assertThat(dst.next().activated()).isFalse();
        }
    }

    private static byte[] header(FrameType type, int flags, int length, long arg) {
        ByteBuf b = Unpooled.buffer();
        Frames.writeHeader(b, type, flags, length, arg);
        return bytes(b);
    }

    /** Sends {@code chunks} and returns the ABORT reason the target answers with before closing. */
    private static String abortReasonFor(MigrationFixture dst, byte[]... chunks) throws Exception {
        try (Socket s = new Socket("127.0.0.1", dst.address().getPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            for (byte[] c : chunks) {
                out.write(c);
            }
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            while (true) {
                byte[] h = new byte[Frames.HEADER_BYTES];
                in.readFully(h);
                ByteBuffer header = ByteBuffer.wrap(h);
                int type = header.get() & 0xff;
                header.get();
                header.getShort();
                int length = header.getInt();
                byte[] payload = new byte[length];
                in.readFully(payload);
                if (type == FrameType.ABORT.code()) {
                    assertThat(readToEnd(s.getInputStream())).as("closed after the reason").isTrue();
                    return new String(payload, StandardCharsets.UTF_8);
                }
            }
        }
    }

    private static boolean readToEnd(InputStream in) throws Exception {
        try {
            return in.read() == -1;
        } catch (EOFException e) {
            return true;
        }
    }

    @Test
    void garbageOnTheMigrationPortIsRejectedWithAClearErrorAndNoGuestIsMade() throws Exception {
        CountingAllocator allocator = new CountingAllocator();
        try (MigrationFixture dst = new MigrationFixture(allocator, List.of())) {
            assertThat(abortReasonFor(dst, "GET / HTTP/1.1\r\nHost: cutover\r\n\r\n".getBytes(StandardCharsets.US_ASCII)))
                    .startsWith("protocol error: not a migration frame: magic");
            assertThat(abortReasonFor(dst, header(FrameType.PAGE, 0, 4096, 0), new byte[4096]))
                    .contains("PAGE before HELLO");
            assertThat(MigrationFixture.awaitRefusals(dst.target, 2).refused(Refusal.NOT_A_MIGRATION)).isEqualTo(2);
            assertThat(dst.ended).as("nothing was admitted, so no migration ended").isEmpty();
            assertThat(allocator.allocated).hasValue(0);
        }
    }

    @Test
    void outOfRangeOversizedAndTruncatedFramesDiscardTheReservedGuest() throws Exception {
        CountingAllocator allocator = new CountingAllocator();
        try (MigrationFixture dst = new MigrationFixture(allocator, List.of())) {
            assertThat(abortReasonFor(dst, hello(), header(FrameType.PAGE, 0, 4096, 256), new byte[4096]))
                    .contains("index 256 out of range [0, 256)");
            assertThat(dst.next().activated()).isFalse();
            assertThat(abortReasonFor(dst, hello(), header(FrameType.PAGE, Frames.PAGE_XBZRLE, 2, 3), new byte[]{0, 0}))
                    .contains("PAGE 3: XBZRLE: run of 0 bytes");
            assertThat(dst.next().failure()).contains("XBZRLE");
            assertThat(abortReasonFor(dst, hello(), header(FrameType.DEVICE_STATE, 0, 64 << 20, 0)))
                    .contains("exceeds");
            dst.next();
            assertThat(abortReasonFor(dst, hello(), header(FrameType.PAGE, Frames.PAGE_LZ4, 100, 3), new byte[100]))
                    .contains("bad LZ4 data");
            dst.next();
            // truncated: half a page, then the source goes away
            try (Socket s = new Socket("127.0.0.1", dst.address().getPort())) {
                s.getOutputStream().write(hello());
                s.getOutputStream().write(header(FrameType.PAGE, 0, 4096, 1));
                s.getOutputStream().write(new byte[2000]);
                s.getOutputStream().flush();
                Thread.sleep(100);
            }
            IncomingMigration truncated = dst.next();
            assertThat(truncated.failure()).contains("lost");
            assertThat(allocator.allocated).hasValue(5);
            assertThat(allocator.guests).allMatch(g -> g.closed, "every reserved guest is freed");
        }
    }

    @Test
    void theDestinationRaisesItsOwnEventsInOrder() throws Exception {
        CountingAllocator allocator = new CountingAllocator();
        List<CutoverEvent> destinationEvents = new CopyOnWriteArrayList<>();
        CutoverListener listener = e -> {
            destinationEvents.add(e);
            return CompletableFuture.completedFuture(null);
        };
        try (MigrationFixture dst = new MigrationFixture(allocator, List.of(listener));
             SyntheticGuest source = MigrationFixture.running("synthetic:size=4m,workload=hotset")) {
            LiveMigration m = LiveMigration.start(source, dst.address(),
                    MigrationFixture.admitted(MigrationOptions.defaults()), List.of());
            m.result().toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertThat(dst.next().activated()).isTrue();
            assertThat(destinationEvents).extracting(CutoverEvent::migrationId).containsOnly(m.id());
        }
        assertThat(destinationEvents).extracting(CutoverEvent::stage)
                .containsExactly(CutoverStage.RESERVED, CutoverStage.COMMITTED, CutoverStage.ACTIVATED);
    }
}
