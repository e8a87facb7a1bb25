package io.cutover.migration;

import io.cutover.migration.guest.SyntheticGuest;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/** The migrator's meters, read after real migrations between a source and a target on 127.0.0.1. */
class MigrationMetricsTest {
    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final MigrationMetrics metrics = new MigrationMetrics(registry);

    @Test
    void everyCounterIsThereAtZeroBeforeAnyMigration() {
        for (String side : List.of("source", "destination")) {
            for (String outcome : List.of("completed", "aborted", "failed")) {
                assertThat(migrations(side, outcome)).isZero();
            }
        }
        assertThat(registry.get("cutover.migration.bytes").tag("direction", "sent").counter().count()).isZero();
        assertThat(registry.get("cutover.migration.rounds").counter().count()).isZero();
        assertThat(registry.get("cutover.migration.downtime").timer().count()).isZero();
    }

    @Test
    void aCompletedMigrationCountsItsBytesPagesRoundsAndDowntimeOnBothSides() throws Exception {
        try (MigrationFixture dst = new MigrationFixture();
             SyntheticGuest guest = MigrationFixture.running("synthetic:size=8m,fill=100%,workload=hotset,rate=20000")) {
            metrics.watch(dst.target);
            LiveMigration live = LiveMigration.start(guest, dst.address(),
                    MigrationFixture.admitted(MigrationOptions.defaults()), List.of());
            metrics.follow(live);
            MigrationReport report = live.result().toCompletableFuture().get(60, TimeUnit.SECONDS);
            IncomingMigration in = dst.next();
            metrics.arrived(in);
            in.guest().close();

            await(() -> migrations("source", "completed"), 1);
            assertThat(migrations("destination", "completed")).isEqualTo(1);
            assertThat(migrations("source", "aborted") + migrations("source", "failed")).isZero();
            MigrationProgress progress = report.progress();
            assertThat(counter("cutover.migration.bytes", "direction", "sent"))
                    .isEqualTo(progress.transferredBytes()).isGreaterThan(8 << 20);
            assertThat(counter("cutover.migration.bytes", "direction", "received")).isEqualTo(in.bytesReceived());
            assertThat(counter("cutover.migration.pages", "direction", "sent"))
                    .as("every page of the 8 MiB guest at least once").isGreaterThanOrEqualTo(2048);
            assertThat(counter("cutover.migration.pages", "direction", "received")).isEqualTo(in.pagesReceived());
            assertThat(registry.get("cutover.migration.rounds").counter().count())
                    .isEqualTo(progress.round() + 1).isPositive();
            Timer downtime = registry.get("cutover.migration.downtime").timer();
            assertThat(downtime.count()).isEqualTo(1);
            assertThat(downtime.totalTime(TimeUnit.NANOSECONDS)).isEqualTo(progress.downtime().toNanos()).isPositive();
            assertThat(registry.get("cutover.migration.arriving").gauge().value()).isZero();
        }
    }

    @Test
    void aCancelledMigrationIsAbortedOnBothSidesAndRecordsNoDowntime() throws Exception {
        MigrationOptions slow = MigrationOptions.builder().maxBandwidth(20_000_000).ioTimeout(Duration.ofSeconds(5))
                .build();
        try (MigrationFixture dst = new MigrationFixture();
             SyntheticGuest guest = MigrationFixture.running("synthetic:size=32m,fill=100%,workload=hotset")) {
            LiveMigration live = LiveMigration.start(guest, dst.address(), MigrationFixture.admitted(slow), List.of());
            metrics.follow(live);
            Thread.sleep(200);
            live.cancel();
            endsInFailure(live);
            metrics.arrived(dst.next());

            await(() -> migrations("source", "aborted"), 1);
            assertThat(migrations("destination", "aborted")).isEqualTo(1);
            assertThat(migrations("source", "completed") + migrations("destination", "completed")).isZero();
            assertThat(counter("cutover.migration.bytes", "direction", "sent")).isPositive();
            assertThat(registry.get("cutover.migration.downtime").timer().count()).isZero();
        }
    }

    @Test
    void aGuestLostAfterTheCommitIsAFailureOnBothSides() throws Exception {
        GuestAllocator broken = (d, n, s) -> new ForwardingGuest(MigrationFixture.quietAllocator().allocate(d, n, s)) {
            @Override
            public void resume() {
                throw new IllegalStateException("the guest program is not running");
            }
        };
        try (MigrationFixture dst = new MigrationFixture(broken, List.of());
             SyntheticGuest guest = MigrationFixture.running("synthetic:size=4m,workload=hotset")) {
            LiveMigration live = LiveMigration.start(guest, dst.address(),
                    MigrationFixture.admitted(MigrationOptions.defaults()), List.of());
            metrics.follow(live);
            endsInFailure(live);
            IncomingMigration in = dst.next();
            assertThat(in.lost()).isTrue();
            metrics.arrived(in);

            await(() -> migrations("source", "failed"), 1);
            assertThat(migrations("destination", "failed")).isEqualTo(1);
            assertThat(migrations("source", "aborted") + migrations("destination", "aborted")).isZero();
        }
    }

    @Test
    void connectionsThePortRefusesAreCountedByReason() throws Exception {
        try (MigrationFixture dst = new MigrationFixture()) {
            metrics.watch(dst.target);
            try (Socket socket = new Socket(dst.address().getAddress(), dst.address().getPort());
                 OutputStream out = socket.getOutputStream()) {
                out.write("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                MigrationFixture.awaitRefusals(dst.target, 1);
            }
            double refused = registry.find("cutover.migration.refused").functionCounters().stream()
                    .mapToDouble(c -> c.count()).sum();
            assertThat(refused).isEqualTo(1);
            assertThat(migrations("destination", "aborted")).as("a refusal ends no migration").isZero();
        }
    }

    private double migrations(String side, String outcome) {
        return registry.get("cutover.migrations").tag("side", side).tag("outcome", outcome).counter().count();
    }

    private double counter(String name, String tag, String value) {
        return registry.get(name).tag(tag, value).counter().count();
    }

    private static void endsInFailure(LiveMigration live) throws Exception {
        try {
            live.result().toCompletableFuture().get(60, TimeUnit.SECONDS);
            fail("the migration should have failed");
        } catch (ExecutionException expected) {
            assertThat(expected.getCause()).isInstanceOf(MigrationException.class);
        }
    }

    /** Waits (5 s at most) for {@code value} to reach {@code expected}: the source's result is counted as it ends. */
    private static void await(DoubleSupplier value, double expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (value.getAsDouble() < expected && System.nanoTime() - deadline < 0) {
            Thread.sleep(10);
        }
        assertThat(value.getAsDouble()).isEqualTo(expected);
    }
}
