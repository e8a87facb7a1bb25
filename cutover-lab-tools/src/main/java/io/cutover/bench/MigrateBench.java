package io.cutover.bench;

import io.cutover.api.CutoverEvent;
import io.cutover.api.CutoverStage;
import io.cutover.migration.IncomingMigration;
import io.cutover.migration.LiveMigration;
import io.cutover.migration.MigrationOptions;
import io.cutover.migration.MigrationReport;
import io.cutover.migration.MigrationTarget;
import io.cutover.migration.guest.GuestSpec;
import io.cutover.migration.guest.Guests;
import io.cutover.migration.guest.SyntheticGuest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code cutover bench migrate}: live migration of a synthetic guest (1 GiB, 256 MiB with {@code --quick}) over
 * loopback — all data, idle, a 5 % hot set written at 50,000 pages/s (at least 10 times, for the downtime
 * percentiles), diabolical — against references taken in the same run: a raw TCP blast of the same bytes on as
 * many connections, timed like the migration until the receiver has them ({@link RawBlast}), and QEMU's own
 * migration of an idle 1 GiB guest where QEMU is installed ({@link QemuIdleMigration}), against an idle 1 GiB
 * synthetic guest whose memory is all zero (in {@code --quick} too).
 */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = "Live migration over loopback vs a raw TCP blast: throughput, idle time, downtime p50/p99.")
public final class MigrateBench implements Callable<Integer> {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 0);
    private static final int THROUGHPUT_RUNS = 3;
    private static final int MULTIFD_CHANNELS = 2;
    private static final int IDLE_RUNS = 5;
    /** The like of QEMU's idle guest without a kernel: 1 GiB that nothing has written. */
    private static final String IDLE_ZERO_1G = "synthetic:size=1g,workload=idle,fill=0%";

    @Option(names = "--quick", description = "256 MiB guests (the idle 1 GiB comparison with QEMU stays) and 5 hot-set runs: under 2 min.")
    boolean quick;

    @Option(names = "--runs", description = "Hot-set migrations for the downtime percentiles (default: 10, 5 with --quick).")
    Integer runs;

    @Override
    public Integer call() throws Exception {
        String size = quick ? "256m" : "1g";
        int hotRuns = runs != null ? runs : quick ? 5 : 10;
        long bytes = GuestSpec.bytes("size", size);
        BenchReport report = new BenchReport("migrate");
        report.detail("guest_size", size).detail("hotset_runs", hotRuns);

        BlockingQueue<IncomingMigration> ended = new LinkedBlockingQueue<>();
        try (MigrationTarget target = MigrationTarget.listen(LOOPBACK, Guests.syntheticAllocator(),
                MigrationTarget.DEFAULT_MAX_GUEST_BYTES, List.of(), ended::add)) {
            // warm-up (not counted): the JIT compiles the page path of both ends
            migrate(target, ended, "synthetic:size=" + size + ",workload=hotset,fill=100%", MigrationOptions.defaults());
            RawBlast.run(bytes, 1, RawBlast.Sink.REUSED_BUFFER);

            // throughput: every page holds data, nothing is written, so it all goes in round 0. Both sides are timed
            // until the receiver has the bytes (the migration until the destination activated, so every page is
            // applied and checked), on as many connections, and the figure is total bytes over total time of
            // THROUGHPUT_RUNS runs, interleaved so that the drifting load of a shared machine weighs on both alike
            MigrationOptions twoChannels = MigrationOptions.builder().channels(MULTIFD_CHANNELS).build();
            Totals migration1 = new Totals();
            Totals raw1 = new Totals();
            Totals migrationN = new Totals();
            Totals rawN = new Totals();
            Totals rawFresh = new Totals();
            Totals rawFreshFile = new Totals();
            for (int i = 0; i < THROUGHPUT_RUNS; i++) {
                Run one = migrate(target, ended, "synthetic:size=" + size + ",workload=idle,fill=100%",
                        MigrationOptions.defaults());
                migration1.add(one.receivedBytes(), one.precopyToActivationNanos());
                raw1.add(RawBlast.run(one.receivedBytes(), 1, RawBlast.Sink.REUSED_BUFFER));
                rawFresh.add(RawBlast.run(one.receivedBytes(), 1, RawBlast.Sink.FRESH_MEMORY));
                rawFreshFile.add(RawBlast.run(one.receivedBytes(), 1, RawBlast.Sink.FRESH_FILE));
                Run n = migrate(target, ended, "synthetic:size=" + size + ",workload=idle,fill=100%", twoChannels);
                migrationN.add(n.receivedBytes(), n.precopyToActivationNanos());
                rawN.add(RawBlast.run(n.receivedBytes(), MULTIFD_CHANNELS, RawBlast.Sink.REUSED_BUFFER));
            }
            double ratio = migration1.bytesPerSecond() / raw1.bytesPerSecond();
            double ratioN = migrationN.bytesPerSecond() / rawN.bytesPerSecond();
            report.row("raw TCP blast, 1 connection, until received", "MB/s", raw1.bytesPerSecond() / 1e6);
            report.row("migration 100% data, 1 connection, until activated", "MB/s",
                    migration1.bytesPerSecond() / 1e6);
            report.row("throughput ratio migration / raw, 1 vs 1", "ratio", ratio);
            // a second reference, beside the first and not instead of it: the same blast into fresh memory as large as
            // the guest, which the destination cannot avoid filling (its pages are allocated as they arrive, as QEMU's
            // are). Two ways, and the faster is the reference: read straight into a fresh mapping (each page faulted
            // in by its first write), or read into a reused buffer and written into a fresh /dev/shm file (the kernel
            // allocates each page and copies, as the destination's writes do)
            double freshMapped = rawFresh.bytesPerSecond();
            double freshFile = rawFreshFile.bytesPerSecond();
            double ratioFresh = migration1.bytesPerSecond() / Math.max(freshMapped, freshFile);
            report.row("raw TCP blast, 1 connection, into fresh mapped memory", "MB/s", freshMapped / 1e6);
            report.row("raw TCP blast, 1 connection, written into a fresh /dev/shm file", "MB/s", freshFile / 1e6);
            report.row("throughput ratio migration / raw into fresh memory (the faster)", "ratio", ratioFresh);
            report.row("raw TCP blast, " + MULTIFD_CHANNELS + " connections", "MB/s", rawN.bytesPerSecond() / 1e6);
            report.row("migration 100% data, " + MULTIFD_CHANNELS + " connections (multifd)", "MB/s",
                    migrationN.bytesPerSecond() / 1e6);
            report.row("throughput ratio migration / raw, " + MULTIFD_CHANNELS + " vs " + MULTIFD_CHANNELS, "ratio",
                    ratioN);
            report.detail("throughput_method", "bytes of " + THROUGHPUT_RUNS + " runs over their time: the migration "
                    + "from round 0's start to the destination's activation, the blast from its first byte sent to "
                    + "its last byte received; bytes as the receiver counts them (the destination's bytes read from "
                    + "the migration stream), and the blast sends as many, on as many connections; the blast's "
                    + "receiver reads into a reused 32 MiB buffer and looks at nothing ("
                    + "throughput_ratio_fresh_memory: into fresh memory as large as the guest instead)");
            report.detail("throughput_migration_1", migration1.toMap()).detail("throughput_raw_1", raw1.toMap())
                    .detail("throughput_migration_" + MULTIFD_CHANNELS, migrationN.toMap())
                    .detail("throughput_raw_" + MULTIFD_CHANNELS, rawN.toMap())
                    .detail("throughput_raw_1_fresh_memory", rawFresh.toMap())
                    .detail("throughput_raw_1_fresh_file", rawFreshFile.toMap());

            // idle 1 GiB, memory all zero, against QEMU's own migration of an idle 1 GiB guest, interleaved
            Optional<QemuIdleMigration> qemu = QemuIdleMigration.find();
            double[] idleZero = new double[IDLE_RUNS];
            double[] qemuTimes = new double[qemu.isPresent() ? IDLE_RUNS : 0];
            List<QemuIdleMigration.Result> qemuResults = new ArrayList<>();
            long idleZeroBytes = 0;
            for (int i = 0; i < IDLE_RUNS; i++) {
                if (qemu.isPresent()) {
                    QemuIdleMigration.Result q = qemu.get().migrate();
                    qemuResults.add(q);
                    qemuTimes[i] = q.totalSeconds();
                }
                Run r = migrate(target, ended, IDLE_ZERO_1G, MigrationOptions.defaults());
                idleZero[i] = r.totalSeconds();
                idleZeroBytes = r.report.progress().transferredBytes();
            }
            double idle1g = BenchReport.percentile(idleZero, 50);
            report.row("idle 1 GiB (all zero) total, median of " + IDLE_RUNS, "s", idle1g);
            report.detail("idle_1g_guest", IDLE_ZERO_1G).detail("idle_1g_totals_s", idleZero)
                    .detail("idle_1g_transferred_bytes", idleZeroBytes);
            Object qemuKey = "none";
            if (qemu.isPresent()) {
                double q = BenchReport.percentile(qemuTimes, 50);
                qemuKey = q;
                report.row("QEMU idle 1 GiB over loopback total-time, median of " + IDLE_RUNS, "s", q);
                report.row("QEMU idle 1 GiB: bytes sent (last run)", "MiB",
                        qemuResults.get(qemuResults.size() - 1).transferredBytes() / (double) (1 << 20));
                report.detail("qemu_idle_1g", qemu.get().description()).detail("qemu_idle_1g_runs", qemuResults);
            } else {
                report.detail("qemu_idle_1g", QemuIdleMigration.BINARY + " is not on the PATH");
            }

            Run idle = migrate(target, ended, "synthetic:size=" + size + ",workload=idle", MigrationOptions.defaults());
            double idleSeconds = idle.totalSeconds();
            report.row("idle " + size + " (50% data) total", "s", idleSeconds);
            report.row("idle " + size + " downtime", "ms", idle.downtimeMs());
            report.row("idle " + size + ": connect + reservation", "ms", idle.between(CutoverStage.PLANNED, CutoverStage.RESERVED));
            report.row("idle " + size + ": pre-copy", "ms", idle.between(CutoverStage.RESERVED, CutoverStage.SWITCHOVER));
            report.row("idle " + size + ": switchover to activation", "ms", idle.between(CutoverStage.SWITCHOVER, CutoverStage.ACTIVATED));

            double[] downtimes = new double[hotRuns];
            double[] totals = new double[hotRuns];
            try (SyntheticGuest hot = SyntheticGuest.create(GuestSpec.parse(
                    "synthetic:size=" + size + ",workload=hotset,hot=5%,rate=50000"))) {
                for (int i = 0; i < hotRuns; i++) {
                    hot.resume();
                    Thread.sleep(200);
                    Run r = migrate(target, ended, hot, MigrationOptions.defaults());
                    downtimes[i] = r.downtimeMs();
                    totals[i] = r.totalSeconds();
                    System.err.printf(Locale.ROOT, "hot-set run %d: downtime %.2f ms, total %.2f s, %d rounds%n", i + 1,
                            downtimes[i], totals[i], r.report.progress().round() + 1);
                }
            }
            // the same hot set with an XBZRLE cache holding it: pages sent again go as deltas
            int deltaRuns = Math.max(3, hotRuns / 2);
            double[] deltaDowntimes = new double[deltaRuns];
            long deltaSaved = 0;
            MigrationOptions xbzrle = MigrationOptions.builder().xbzrleCache(64L << 20).build();
            try (SyntheticGuest hot = SyntheticGuest.create(GuestSpec.parse(
                    "synthetic:size=" + size + ",workload=hotset,hot=5%,rate=50000"))) {
                for (int i = 0; i < deltaRuns; i++) {
                    hot.resume();
                    Thread.sleep(200);
                    Run r = migrate(target, ended, hot, xbzrle);
                    deltaDowntimes[i] = r.downtimeMs();
                    deltaSaved += r.report.progress().deltaSavedBytes();
                }
            }
            double deltaP50 = BenchReport.percentile(deltaDowntimes, 50);
            report.row("hot set with XBZRLE (64 MiB cache) downtime p50", "ms", deltaP50);
            report.row("hot set with XBZRLE: bytes saved per migration", "MiB", deltaSaved / (double) deltaRuns / (1 << 20));
            report.detail("hotset_xbzrle_downtimes_ms", deltaDowntimes);
            double p50 = BenchReport.percentile(downtimes, 50);
            double p99 = BenchReport.percentile(downtimes, 99);
            report.row("hot set 5% @ 50k pages/s downtime p50", "ms", p50);
            report.row("hot set 5% @ 50k pages/s downtime p99", "ms", p99);
            report.row("hot set 5% @ 50k pages/s total p50", "s", BenchReport.percentile(totals, 50));
            report.detail("hotset_downtimes_ms", downtimes).detail("hotset_totals_s", totals);

            // auto-converge needs rounds to raise the throttle: no bound on bytes sent here (as in QEMU)
            MigrationOptions converge = MigrationOptions.builder().autoConverge(true).maxBytesFactor(100)
                    .maxRounds(200).build();
            Run diabolical = migrate(target, ended, "synthetic:size=" + size + ",workload=diabolical", converge);
            boolean diabolicalOk = diabolical.report.succeeded()
                    && diabolical.report.progress().downtime().compareTo(converge.downtimeLimit()) <= 0;
            report.row("diabolical (256 MiB swept, auto-converge) total", "s", diabolical.totalSeconds());
            report.row("diabolical downtime", "ms", diabolical.downtimeMs());
            report.row("diabolical final throttle", "%", diabolical.report.progress().throttlePercent());
            report.detail("diabolical_reason", String.valueOf(diabolical.report.reason()));
            MigrationOptions post = MigrationOptions.builder().postCopy(true).maxRounds(5).build();
            Run postCopy = migrate(target, ended, "synthetic:size=" + size + ",workload=diabolical", post);
            report.row("diabolical with post-copy (after 5 rounds) total", "s", postCopy.totalSeconds());
            report.row("diabolical with post-copy downtime", "ms", postCopy.downtimeMs());
            report.row("diabolical with post-copy pages fetched on demand", "pages",
                    postCopy.report.postCopyFaults());
            report.detail("diabolical_postcopy_report", postCopy.report.toJson());
            report.detail("diabolical_report", diabolical.report.toJson());

            report.key("throughput_ratio", ratio)
                    .key("idle_1g_s", idle1g)
                    .key("qemu_idle_1g_s", qemuKey)
                    .key("downtime_p50_ms", p50)
                    .key("downtime_p99_ms", p99)
                    .key("diabolical", diabolicalOk ? "ok" : "fail")
                    .key("multifd" + MULTIFD_CHANNELS + "_ratio", ratioN)
                    .key("idle_data50_" + size + "_s", idleSeconds)
                    .key("xbzrle_downtime_p50_ms", deltaP50)
                    .key("throughput_ratio_fresh_memory", ratioFresh);
        }
        report.print(System.out);
        return 0;
    }

    /** Bytes and time summed over runs. */
    private static final class Totals {
        private long bytes;
        private long nanos;
        private final List<Double> secondsPerRun = new ArrayList<>();

        void add(long runBytes, long runNanos) {
            bytes += runBytes;
            nanos += runNanos;
            secondsPerRun.add(runNanos / 1e9);
        }

        void add(RawBlast.Transfer t) {
            add(t.bytes(), t.nanos());
        }

        double bytesPerSecond() {
            return bytes / (nanos / 1e9);
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("bytes", bytes);
            m.put("seconds", nanos / 1e9);
            m.put("seconds_per_run", secondsPerRun);
            return m;
        }
    }

    /** A migration's report, with the bytes its destination read from the migration stream. */
    private record Run(MigrationReport report, long receivedBytes) {
        double totalSeconds() {
            return report.progress().totalTime().toNanos() / 1e9;
        }

        double downtimeMs() {
            return report.progress().downtime().toNanos() / 1e6;
        }

        /** From the first page sent to the destination's activation: it then holds and has checked every byte. */
        long precopyToActivationNanos() {
            return at(CutoverStage.ACTIVATED) - at(CutoverStage.PRECOPY);
        }

        double between(CutoverStage from, CutoverStage to) {
            return (at(to) - at(from)) / 1e6;
        }

        private long at(CutoverStage stage) {
            return report.events().stream().filter(e -> e.stage() == stage).mapToLong(CutoverEvent::nanoTime)
                    .min().orElseThrow();
        }
    }

    private static Run migrate(MigrationTarget target, BlockingQueue<IncomingMigration> ended, String descriptor,
                               MigrationOptions options) throws Exception {
        try (SyntheticGuest guest = SyntheticGuest.create(GuestSpec.parse(descriptor))) {
            guest.resume();
            Thread.sleep(200);
            return migrate(target, ended, guest, options);
        }
    }

    private static Run migrate(MigrationTarget target, BlockingQueue<IncomingMigration> ended, SyntheticGuest guest,
                               MigrationOptions options) throws Exception {
        String secret = target.expect(guest.sizeBytes(), java.time.Duration.ofMinutes(1));
        CompletableFuture<MigrationReport> result = LiveMigration.start(guest, target.localAddress(),
                options.toBuilder().secret(secret).build(), List.of()).result().toCompletableFuture();
        MigrationReport report = result.get(10, TimeUnit.MINUTES);
        IncomingMigration in = ended.poll(30, TimeUnit.SECONDS);
        if (in == null || !in.activated()) {
            throw new IllegalStateException("the destination did not activate: " + (in == null ? "nothing" : in.failure()));
        }
        in.guest().close();
        return new Run(report, in.bytesReceived());
    }
}
