package io.cutover.migration;

import io.cutover.api.CutoverEvent;
import io.cutover.api.CutoverStage;
import io.cutover.migration.guest.Guests;
import io.cutover.migration.guest.SyntheticGuest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** Clark's dynamic rate limiting, end to end over loopback: its pace as the destination's side of the wire sees it. */
class DynamicRateTest {
    private static final long MIN = 4_000_000;
    private static final long STEP = 4_000_000;

    @Test
    void thePaceOnTheWireFollowsTheDirtyRatePlusTheStep() throws Exception {
        List<CutoverEvent> seen = new CopyOnWriteArrayList<>();
        AtomicReference<LiveMigration> migration = new AtomicReference<>();
        AtomicLong dirtyBeforeRound1 = new AtomicLong();
        // 3000 pages a second over 24 MiB: some 8 MB/s of distinct dirty pages over a two-second round
        try (MigrationFixture dst = new MigrationFixture();
             MeteringProxy wire = new MeteringProxy(dst.address());
             SyntheticGuest source = MigrationFixture.running("synthetic:size=24m,fill=100%,workload=uniform,rate=3000")) {
            MigrationOptions options = MigrationOptions.builder().dynamicRate(MIN, STEP).maxRounds(3)
                    .downtimeLimit(Duration.ofMillis(1)).build();
            LiveMigration m = LiveMigration.start(source, wire.address(), MigrationFixture.admitted(options),
                    List.of(e -> {
                        seen.add(e);
                        if (e.stage() == CutoverStage.PRECOPY && e.round() == 1) {
                            dirtyBeforeRound1.set(migration.get().progress().dirtyPagesPerSecond());
                        }
                        return CompletableFuture.completedFuture(null);
                    }));
            migration.set(m);
            MigrationReport report = m.result().toCompletableFuture().get(20, TimeUnit.SECONDS);
            assertThat(report.succeeded()).isTrue();

            long round1 = precopy(seen, 1);
            long round2 = precopy(seen, 2);
            double onWire = wire.bytesBetween(round1, round2) * 1e9 / (round2 - round1);
            double dirty = dirtyBeforeRound1.get() * (double) source.pageSize();
            assertThat(dirty).as("the dirty rate round 0 measured, bytes/s").isGreaterThan(2e6);
            assertThat(onWire).as("round 1's pace on the wire, bytes/s, for a dirty rate of %.0f", dirty)
                    .isBetween(0.7 * (dirty + STEP), 1.3 * (dirty + STEP));
            long round0 = precopy(seen, 0);
            assertThat(wire.bytesBetween(round0, round0 + TimeUnit.MILLISECONDS.toNanos(500)))
                    .as("the first round's first 16 MiB, the bandwidth probe, go unpaced: 8 MiB in its first 0.5 s,"
                            + " not the 2 MB of its pace").isGreaterThan(8L << 20);
            IncomingMigration in = dst.next();
            in.guest().pause();
            assertThat(Guests.firstDifference(source, in.guest())).isEqualTo(-1);
        }
    }

    @Test
    void aSmallWorkingSetConvergesOnTheUnpacedEstimateRatherThanAtTheFallbackBound() throws Exception {
        // a 1 MiB hot set: sent at the stop-and-copy's unpaced rate in well under 50 ms, but at the dynamic rate's
        // pace of a few MB/s in a quarter of a second
        try (MigrationFixture dst = new MigrationFixture();
             SyntheticGuest source = MigrationFixture.running("synthetic:size=24m,workload=hotset,hot=1m,rate=2000")) {
            MigrationOptions options = MigrationOptions.builder().dynamicRate(MIN, STEP).maxRounds(6)
                    .downtimeLimit(Duration.ofMillis(50)).build();
            MigrationReport report = LiveMigration.start(source, dst.address(), MigrationFixture.admitted(options),
                    List.of()).result().toCompletableFuture().get(20, TimeUnit.SECONDS);
            assertThat(report.reason()).isEqualTo(SwitchoverReason.CONVERGED);
            assertThat(report.progress().round()).isLessThan(5);
            IncomingMigration in = dst.next();
            in.guest().pause();
            assertThat(Guests.firstDifference(source, in.guest())).isEqualTo(-1);
        }
    }

    private static long precopy(List<CutoverEvent> seen, int round) {
        return seen.stream().filter(e -> e.stage() == CutoverStage.PRECOPY && e.round() == round).findFirst()
                .orElseThrow(() -> new AssertionError("no round " + round + ": " + seen)).nanoTime();
    }
}
