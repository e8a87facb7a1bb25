package io.cutover.bench;

import io.cutover.ddns.DdnsOptions;
import io.cutover.ddns.DnsUpdater;
import io.cutover.ddns.RrsetChange;
import io.cutover.ddns.TsigKey;
import io.cutover.ddns.UpdateResult;
import io.cutover.lab.Lab;
import io.cutover.support.Netns;
import io.cutover.lab.Topology;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * {@code cutover bench dns}: switch N VM records old -> new with compare-and-swap, each verified on the
 * authoritative server, through the DNS updater's {@code applyEach} (journal synced before each send; up to
 * {@code maxBatch} changes per UPDATE message, each with its own prerequisite); then back, one message per
 * update; then the same N updates through one {@code nsupdate -k} process (one {@code send} per update,
 * same prerequisites, no verification); then single update-and-verify latency, one update at a time. All on
 * a lab's real BIND.
 */
@Command(name = "dns", mixinStandardHelpOptions = true,
        description = "DNS updater vs one nsupdate process: CAS updates/s, and update-and-verify latency.")
public final class DnsBench implements Callable<Integer> {
    private static final String ZONE = Topology.ZONE;

    @Option(names = "--quick", description = "300 records instead of 1000 (under a minute).")
    boolean quick;

    @Option(names = "--lab", paramLabel = "NAME", description = "Use this lab (default: build one and remove it after).")
    String labName;

    @Option(names = "--count", description = "Records to switch (default: 1000, 300 with --quick).")
    Integer count;

    @Option(names = "--in-flight", defaultValue = "" + DdnsOptions.DEFAULT_MAX_IN_FLIGHT,
            description = "Updates in flight at once (default: ${DEFAULT-VALUE}).")
    int inFlight;

    @Override
    public Integer call() throws Exception {
        int n = count != null ? count : quick ? 300 : 1000;
        if (n < 1 || n > 5000) {
            throw new IllegalArgumentException("--count must be between 1 and 5000");
        }
        Lab lab = labName != null ? Lab.attach(labName) : Lab.up(null, Topology.LAN).removeAtExit();
        System.err.println("lab " + lab.name() + (labName == null ? " (built for this run)" : ""));
        Path work = Files.createTempDirectory("cutover-bench-dns");
        try {
            return run(lab, n, work);
        } finally {
            if (labName == null) {
                lab.close();
            }
            deleteTree(work);
        }
    }

    private int run(Lab lab, int n, Path work) throws Exception {
        String run = Long.toHexString(System.nanoTime() & 0xffffff);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            names.add("bench" + run + "-" + i + "." + ZONE);
        }
        DdnsOptions options = DdnsOptions.builder(new InetSocketAddress(lab.dnsServer(), DdnsOptions.DNS_PORT),
                        TsigKey.read(lab.tsigKeyFile()))
                .zone(ZONE).journalDir(work.resolve("journal")).maxInFlight(inFlight).build();
        BenchReport report = new BenchReport("dns");
        double oursPerS;
        double singlePerS;
        double[] latencies;
        try (Netns ns = lab.netns("client")) {
            DnsUpdater dns = ns.call(() -> DnsUpdater.open(options));
            try {
                // the records, 50 names per update
                for (int i = 0; i < n; i += 50) {
                    List<RrsetChange> create = new ArrayList<>();
                    for (int j = i; j < Math.min(n, i + 50); j++) {
                        create.add(new RrsetChange(names.get(j), "A", Duration.ofSeconds(300), List.of(), List.of(oldIp(j))));
                    }
                    ns.call(() -> dns.apply(create).toCompletableFuture().join());
                }
                // warm-up (JIT, dnsjava tables), on other names
                warmUp(ns, dns, run);
                System.err.printf("switching %d records with CAS + verification (applyEach)...%n", n);
                long start = System.nanoTime();
                List<UpdateResult> results = ns.call(() -> dns.applyEach(changes(names, n, true)).stream()
                        .map(stage -> stage.toCompletableFuture().join()).toList());
                double seconds = (System.nanoTime() - start) / 1e9;
                oursPerS = n / seconds;
                requireVerified(results, n);
                report.row("cutover applyEach: CAS updates, each verified", "updates/s", oursPerS);
                report.row("cutover applyEach: " + n + " updates", "s", seconds);
                System.err.printf("and back, one UPDATE message per change, %d in flight...%n", inFlight);
                start = System.nanoTime();
                List<UpdateResult> singles = ns.call(() -> switchAll(dns, names, n, inFlight));
                double singleSeconds = (System.nanoTime() - start) / 1e9;
                requireVerified(singles, n);
                singlePerS = n / singleSeconds;
                report.row("cutover apply, one message per update, each verified", "updates/s", singlePerS);
            } finally {
                dns.close();
            }
        }
        // the baseline: the same updates (old -> new) through one nsupdate process
        Path script = work.resolve("nsupdate.txt");
        StringBuilder text = new StringBuilder("server " + lab.dnsServer() + "\nzone " + ZONE + "\n");
        for (int i = 0; i < n; i++) {
            text.append("prereq yxrrset ").append(names.get(i)).append(" A ").append(oldIp(i)).append('\n')
                    .append("update delete ").append(names.get(i)).append(" A\n")
                    .append("update add ").append(names.get(i)).append(" 300 A ").append(newIp(i)).append('\n')
                    .append("send\n");
        }
        Files.writeString(script, text);
        System.err.printf("the same %d updates through one nsupdate -k process...%n", n);
        long start = System.nanoTime();
        var result = lab.exec("client", "nsupdate", "-k", lab.tsigKeyFile().toString(), script.toString());
        double nsSeconds = (System.nanoTime() - start) / 1e9;
        if (!result.ok()) {
            throw new IllegalStateException("nsupdate failed: " + result.stderr().strip());
        }
        String check = lab.exec("client", "dig", "+short", "@" + lab.dnsServer(), names.get(n - 1), "A").orThrow().stdout().strip();
        if (!check.equals(newIp(n - 1))) {
            throw new IllegalStateException("nsupdate did not apply its updates: " + names.get(n - 1) + " is " + check);
        }
        double nsPerS = n / nsSeconds;
        report.row("nsupdate -k: CAS updates, not verified", "updates/s", nsPerS);
        report.row("nsupdate -k: " + n + " updates", "s", nsSeconds);
        report.row("nsupdate -k: mean time per update (no verification)", "ms", nsSeconds * 1000 / n);

        // single update-and-verify latency, one at a time
        int m = Math.min(n, quick ? 200 : 500);
        try (Netns ns = lab.netns("client")) {
            latencies = ns.call(() -> {
                try (DnsUpdater dns = DnsUpdater.open(options)) {
                    double[] ms = new double[m];
                    for (int i = 0; i < m; i++) {
                        UpdateResult r = dns.apply(List.of(change(names.get(i), i, false))).toCompletableFuture().join();
                        ms[i] = r.elapsed().toNanos() / 1e6;
                    }
                    return ms;
                }
            });
        }
        // where the time goes: the same single updates with the journal but no verification, then with neither
        DdnsOptions journaled = DdnsOptions.builder(options.primary(), options.key()).zone(ZONE).verify(false)
                .journalDir(work.resolve("journal")).build();
        double[] noVerify = singles(lab, journaled, names, m, true);
        DdnsOptions bare = DdnsOptions.builder(options.primary(), options.key()).zone(ZONE).verify(false).build();
        double[] floor = singles(lab, bare, names, m, false);
        Arrays.sort(latencies);
        double p50 = BenchReport.percentile(latencies, 50);
        double p99 = BenchReport.percentile(latencies, 99);
        report.row("cutover: update + verify, one at a time, p50", "ms", p50);
        report.row("cutover: update + verify, one at a time, p99", "ms", p99);
        report.row("cutover: update + verify, one at a time, max", "ms", latencies[latencies.length - 1]);
        report.row("update + journal (no verify), p50", "ms", BenchReport.percentile(noVerify, 50));
        report.row("update + journal (no verify), p99", "ms", BenchReport.percentile(noVerify, 99));
        report.row("update alone (no journal, no verify), p50", "ms", BenchReport.percentile(floor, 50));
        report.row("update alone (no journal, no verify), p99", "ms", BenchReport.percentile(floor, 99));
        double ratio = oursPerS / nsPerS;
        report.row("ratio cutover applyEach / nsupdate (goal >= 2)", "x", ratio);
        report.row("ratio cutover one message per update / nsupdate", "x", singlePerS / nsPerS);
        report.detail("single_message_updates_per_s", round(singlePerS)).detail("max_batch", options.maxBatch())
                .detail("loadavg_at_end", loadAverage())
                .detail("count", n).detail("in_flight", inFlight).detail("latency_samples", m)
                .detail("journal_fsync", true)
                .detail("update_only_p50_ms", round(BenchReport.percentile(floor, 50))).detail("update_only_p99_ms", round(BenchReport.percentile(floor, 99))).detail("verified_on_authoritative", true);
        report.key("updates_per_s", round(oursPerS)).key("nsupdate_per_s", round(nsPerS)).key("ratio", round(ratio))
                .key("update_verify_p99_ms", round(p99));
        report.print(System.out);
        return 0;
    }

    /** Latencies (sorted, ms) of {@code m} single updates, one at a time. */
    private static double[] singles(Lab lab, DdnsOptions options, List<String> names, int m, boolean forward) {
        try (Netns ns = lab.netns("client")) {
            double[] ms = ns.call(() -> {
                try (DnsUpdater dns = DnsUpdater.open(options)) {
                    double[] samples = new double[m];
                    for (int i = 0; i < m; i++) {
                        UpdateResult r = dns.apply(List.of(change(names.get(i), i, forward))).toCompletableFuture().join();
                        samples[i] = r.elapsed().toNanos() / 1e6;
                    }
                    return samples;
                }
            });
            Arrays.sort(ms);
            return ms;
        }
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static void warmUp(Netns ns, DnsUpdater dns, String run) {
        ns.call(() -> {
            for (int round = 0; round < 2; round++) {
                List<CompletableFuture<UpdateResult>> all = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    String name = "warm" + run + "-" + i + "." + ZONE;
                    List<String> before = round == 0 ? List.of() : List.of("198.18.40." + (i + 1));
                    all.add(dns.apply(List.of(new RrsetChange(name, "A", Duration.ofSeconds(300), before,
                            List.of("198.18.4" + (round == 0 ? 0 : 1) + "." + (i + 1))))).toCompletableFuture());
                }
                all.forEach(CompletableFuture::join);
            }
            return null;
        });
    }

    private static List<UpdateResult> switchAll(DnsUpdater dns, List<String> names, int n, int inFlight)
            throws InterruptedException {
        Semaphore window = new Semaphore(inFlight);
        List<CompletableFuture<UpdateResult>> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            window.acquire();
            CompletableFuture<UpdateResult> f = dns.apply(List.of(change(names.get(i), i, false))).toCompletableFuture();
            f.whenComplete((r, e) -> window.release());
            all.add(f);
        }
        return all.stream().map(CompletableFuture::join).toList();
    }

    private static RrsetChange change(String name, int i, boolean forward) {
        String from = forward ? oldIp(i) : newIp(i);
        String to = forward ? newIp(i) : oldIp(i);
        return RrsetChange.switchAddress(name, ip(from), ip(to), Duration.ofSeconds(300));
    }

    private static List<RrsetChange> changes(List<String> names, int n, boolean forward) {
        List<RrsetChange> changes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            changes.add(change(names.get(i), i, forward));
        }
        return changes;
    }

    private static void requireVerified(List<UpdateResult> results, int n) {
        long verified = results.stream().filter(r -> !r.verifiedOn().isEmpty()).count();
        if (verified != n) {
            throw new IllegalStateException("only " + verified + " of " + n + " updates were verified");
        }
    }

    private static String oldIp(int i) {
        return "198.18." + (20 + i / 250) + "." + (i % 250 + 1);
    }

    private static String newIp(int i) {
        return "198.18." + (60 + i / 250) + "." + (i % 250 + 1);
    }

    private static InetAddress ip(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
