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

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code cutover bench migrate}: live migration of a 1 GiB synthetic guest over loopback — idle, a 5 % hot
 * set written at 50,000 pages/s (at least 10 times, for the downtime percentiles), diabolical — against a raw
 * TCP blast of the same bytes over the same path in the same run.
 */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = "Live migration over loopback vs a raw TCP blast: throughput, idle time, downtime p50/p99.")
public final class MigrateBench implements Callable<Integer> {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 0);

    @Option(names = "--quick", description = "256 MiB guests and 5 hot-set runs: under 60 s.")
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

        double raw = rawBlast(bytes);

        BlockingQueue<IncomingMigration> ended = new LinkedBlockingQueue<>();
        try (MigrationTarget target = MigrationTarget.listen(LOOPBACK, Guests.syntheticAllocator(),
                MigrationTarget.DEFAULT_MAX_GUEST_BYTES, List.of(), ended::add)) {
            // warm-up (not counted): the JIT compiles the page path of both ends
            migrate(target, ended, "synthetic:size=" + size + ",workload=hotset,fill=100%", MigrationOptions.defaults());
            // throughput: every page holds data, nothing is written: round 0 is a pure copy
            // the load of a shared machine drifts: best of 2 for both, interleaved
            double throughput = 0;
            double multifd = 0;
            MigrationOptions twoChannels = MigrationOptions.builder().channels(2).build();
            for (int i = 0; i < 2; i++) {
                Run full = migrate(target, ended, "synthetic:size=" + size + ",workload=idle,fill=100%",
                        MigrationOptions.defaults());
                throughput = Math.max(throughput, full.report.progress().transferredBytes() / full.round0Seconds());
                Run two = migrate(target, ended, "synthetic:size=" + size + ",workload=idle,fill=100%", twoChannels);
                multifd = Math.max(multifd, two.report.progress().transferredBytes() / two.round0Seconds());
                raw = Math.max(raw, rawBlast(bytes));
            }
            double ratio = throughput / raw;
            report.row("raw TCP blast over loopback (best of 3)", "MB/s", raw / 1e6);
            report.row("migration round 0 (idle, 100% data)", "MB/s", throughput / 1e6);
            report.row("migration round 0, 2 connections (multifd)", "MB/s", multifd / 1e6);
            report.row("throughput ratio migration / raw", "ratio", ratio);
            report.row("throughput ratio 2 connections / raw", "ratio", multifd / raw);

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
                    .key("idle_" + (quick ? "256m" : "1g") + "_s", idleSeconds)
                    .key("downtime_p50_ms", p50)
                    .key("downtime_p99_ms", p99)
                    .key("diabolical", diabolicalOk ? "ok" : "fail")
                    .key("multifd2_ratio", multifd / raw)
                    .key("xbzrle_downtime_p50_ms", deltaP50);
        }
        report.print(System.out);
        return 0;
    }

    private record Run(MigrationReport report) {
        double totalSeconds() {
            return report.progress().totalTime().toNanos() / 1e9;
        }

        double downtimeMs() {
            return report.progress().downtime().toNanos() / 1e6;
        }

        double round0Seconds() {
            long start = at(CutoverStage.PRECOPY);
            long end = report.events().stream().filter(e -> e.stage() == CutoverStage.SWITCHOVER
                            || (e.stage() == CutoverStage.PRECOPY && e.round() == 1))
                    .mapToLong(CutoverEvent::nanoTime).min().orElseThrow();
            return (end - start) / 1e9;
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
        return new Run(report);
    }

    /** Sends {@code bytes} from one direct memory region to another over a plain loopback TCP connection. */
    private static double rawBlast(long bytes) throws Exception {
        int chunk = 1 << 20;
        ByteBuffer source = ByteBuffer.allocateDirect(chunk * 64);
        ByteBuffer sink = ByteBuffer.allocateDirect(chunk * 64);
        for (int i = 0; i < source.capacity(); i += 8) {
            source.putLong(i, i * 0x9E3779B97F4A7C15L);
        }
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(LOOPBACK)) {
            CompletableFuture<Long> received = CompletableFuture.supplyAsync(() -> {
                try (SocketChannel in = server.accept()) {
                    long total = 0;
                    while (total < bytes) {
                        if (!sink.hasRemaining()) {
                            sink.clear();
                        }
                        int n = in.read(sink);
                        if (n < 0) {
                            break;
                        }
                        total += n;
                    }
                    return total;
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            long start = System.nanoTime();
            try (SocketChannel out = SocketChannel.open(server.getLocalAddress())) {
                out.socket().setTcpNoDelay(true);
                long sent = 0;
                while (sent < bytes) {
                    ByteBuffer b = source.duplicate();
                    b.limit((int) Math.min(b.capacity(), bytes - sent));
                    while (b.hasRemaining()) {
                        sent += out.write(b);
                    }
                }
            }
            long got = received.get(2, TimeUnit.MINUTES);
            double seconds = (System.nanoTime() - start) / 1e9;
            return got / seconds;
        }
    }
}
