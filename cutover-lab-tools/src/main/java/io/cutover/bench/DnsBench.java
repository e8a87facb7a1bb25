package io.cutover.bench;

import io.cutover.ddns.DdnsOptions;
import io.cutover.ddns.DnsUpdater;
import io.cutover.ddns.RrsetChange;
import io.cutover.ddns.TsigKey;
import io.cutover.ddns.UpdateResult;
import io.cutover.lab.Lab;
import io.cutover.lab.Topology;
import io.cutover.support.Netns;
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
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * {@code cutover bench dns}: the DNS updater against nsupdate, like for like, on a lab's real BIND. N records are
 * switched old -> new, then back, again and again, each change a compare-and-swap (a value-dependent prerequisite,
 * a delete of the RRset, an add). The tools take turns on the same records, chunk after chunk, so that both see the
 * shared machine alike:
 * <ol>
 *   <li>one change per UPDATE message and one message in flight, both sides: cutover's {@code apply} (its journal
 *       synced before each send, no verification; then without a journal) against one long-lived nsupdate
 *       process;</li>
 *   <li>each side at its best, with the same changes per message: cutover's {@code applyEach} (messages pipelined;
 *       journaled, then also verified on every authoritative server) against the same nsupdate process (which
 *       keeps one message in flight);</li>
 *   <li>update-and-verify latency, one change at a time; the first turns give the latency without verification,
 *       and without the journal either.</li>
 * </ol>
 * nsupdate is started, and told its server and zone, before any timer starts; it reads its commands from a pipe.
 */
@Command(name = "dns", mixinStandardHelpOptions = true,
        description = "DNS updater vs one long-lived nsupdate process: CAS updates/s, and update-and-verify latency.")
public final class DnsBench implements Callable<Integer> {
    private static final String ZONE = Topology.ZONE;
    private static final Duration TTL = Duration.ofSeconds(300);
    /** Changes per message while the records are made (not measured). */
    private static final int SETUP_BATCH = 50;
    /** Warm-up rounds per updater, each switching its own 100 records there and back. */
    private static final int WARM_UP_ROUNDS = 3;
    /** Rounds of the batched turns (each switches every record four times). */
    private static final int BATCHED_ROUNDS = 3;
    private static final String NSUPDATE = "nsupdate";
    private static final String JOURNALED = "cutover, journaled";
    private static final String BARE = "cutover, no journal";
    private static final String VERIFIED = "cutover, journaled and verified";


    @Option(names = "--quick", description = "300 records instead of 1000 (under a minute).")
    boolean quick;

    @Option(names = "--lab", paramLabel = "NAME", description = "Use this lab (default: build one and remove it after).")
    String labName;

    @Option(names = "--count", description = "Records to switch (default: 1000, 300 with --quick).")
    Integer count;

    @Option(names = "--in-flight", defaultValue = "" + DdnsOptions.DEFAULT_MAX_IN_FLIGHT,
            description = "cutover's messages in flight at once, at its best (default: ${DEFAULT-VALUE}).")
    int inFlight;

    @Option(names = "--batch", defaultValue = "" + DdnsOptions.DEFAULT_MAX_BATCH,
            description = "Changes per message, both sides, at their best (default: ${DEFAULT-VALUE}).")
    int batch;

    /** Timed updates: how many, their wall time and, when they went one at a time, each one's latency. */
    private record Timed(int updates, double seconds, double[] latenciesMs) {
        double perSecond() {
            return updates / seconds;
        }

        Timed plus(Timed other) {
            double[] both = Arrays.copyOf(latenciesMs, latenciesMs.length + other.latenciesMs.length);
            System.arraycopy(other.latenciesMs, 0, both, latenciesMs.length, other.latenciesMs.length);
            return new Timed(updates + other.updates, seconds + other.seconds, both);
        }
    }

    /** One side of a comparison: a name, and how it makes a list of changes. */
    private record Contender(String name, Function<List<RrsetChange>, Timed> run) {
    }

    @Override
    public Integer call() throws Exception {
        int n = count != null ? count : quick ? 300 : 1000;
        if (n < 1 || n > 5000) {
            throw new IllegalArgumentException("--count must be between 1 and 5000");
        }
        if (batch < 1 || batch > 500) {
            throw new IllegalArgumentException("--batch must be between 1 and 500");
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
        InetSocketAddress primary = new InetSocketAddress(lab.dnsServer(), DdnsOptions.DNS_PORT);
        TsigKey key = TsigKey.read(lab.tsigKeyFile());
        DdnsOptions journaled = options(primary, key).verify(false).journalDir(work.resolve("journal")).build();
        DdnsOptions verified = options(primary, key).journalDir(work.resolve("journal-verified")).build();
        DdnsOptions bare = options(primary, key).verify(false).build();
        List<String> nsupdateCommand = List.of("ip", "netns", "exec", lab.namespace("client"),
                "nsupdate", "-k", lab.tsigKeyFile().toString());
        List<RrsetChange> forward = changes(names, true);
        List<RrsetChange> back = changes(names, false);

        Map<String, Timed> same;
        Map<String, Timed> best;
        Timed updateVerify;
        try (Netns ns = lab.netns("client");
             DnsUpdater journaledUpdater = ns.call(() -> DnsUpdater.open(journaled));
             DnsUpdater verifyingUpdater = ns.call(() -> DnsUpdater.open(verified));
             DnsUpdater bareUpdater = ns.call(() -> DnsUpdater.open(bare));
             NsupdateProcess nsupdate = NsupdateProcess.start(nsupdateCommand, lab.dnsServer(), ZONE,
                     work.resolve("nsupdate.stderr"))) {
            createRecords(bareUpdater, names);
            warmUp(run, nsupdate, journaledUpdater, verifyingUpdater, bareUpdater);
            Contender nsupdateOne = new Contender(NSUPDATE,
                    changes -> timed(changes, () -> nsupdate.send(NsupdateProcess.script(changes, 1))));
            Contender nsupdateBatched = new Contender(NSUPDATE,
                    changes -> timed(changes, () -> nsupdate.send(NsupdateProcess.script(changes, batch))));
            Contender journaledOne = new Contender(JOURNALED, changes -> oneAtATime(journaledUpdater, changes));
            Contender bareOne = new Contender(BARE, changes -> oneAtATime(bareUpdater, changes));
            Contender journaledPipelined = new Contender(JOURNALED,
                    changes -> timed(changes, () -> requireAll(pipelined(journaledUpdater, changes), false)));
            Contender verifiedPipelined = new Contender(VERIFIED,
                    changes -> timed(changes, () -> requireAll(pipelined(verifyingUpdater, changes), true)));

            System.err.printf("%d CAS updates, one per message, one in flight: cutover and nsupdate in turns...%n", n);
            same = inTurns(List.of(journaledOne, nsupdateOne, bareOne, nsupdateOne), forward, back, quick ? 30 : 100, 1);
            System.err.printf("the same, %d per message, each at its best: cutover (%d in flight) and nsupdate in turns...%n",
                    batch, inFlight);
            best = inTurns(List.of(journaledPipelined, nsupdateBatched, verifiedPipelined, nsupdateBatched), forward, back,
                    n, BATCHED_ROUNDS);
            System.err.println("update + verify latency, one at a time...");
            updateVerify = oneAtATime(verifyingUpdater, forward);
        }
        String last = lab.exec("client", "dig", "+short", "@" + lab.dnsServer(), names.get(n - 1), "A").orThrow()
                .stdout().strip();
        if (!last.equals(newIp(n - 1))) {
            throw new IllegalStateException(names.get(n - 1) + " ends as '" + last + "', not " + newIp(n - 1));
        }

        double sameCutover = same.get(JOURNALED).perSecond();
        double sameNsupdate = same.get(NSUPDATE).perSecond();
        double bestCutover = best.get(JOURNALED).perSecond();
        double bestNsupdate = best.get(NSUPDATE).perSecond();
        double ratioSame = sameCutover / sameNsupdate;
        double ratioSameBare = same.get(BARE).perSecond() / sameNsupdate;
        double ratio = bestCutover / bestNsupdate;
        double ratioVerified = best.get(VERIFIED).perSecond() / bestNsupdate;
        double[] verifyMs = updateVerify.latenciesMs();
        double[] journalMs = same.get(JOURNALED).latenciesMs();
        double[] bareMs = same.get(BARE).latenciesMs();
        double p99 = BenchReport.percentile(verifyMs, 99);
        BenchReport report = new BenchReport("dns");
        report.row("one change per message, one in flight: cutover apply (journaled)", "updates/s", sameCutover)
                .row("one change per message, one in flight: nsupdate", "updates/s", sameNsupdate)
                .row("  ratio cutover / nsupdate (goal >= 1)", "x", ratioSame)
                .row("one change per message, one in flight: cutover apply, no journal", "updates/s", same.get(BARE).perSecond())
                .row("  ratio cutover without journal / nsupdate", "x", ratioSameBare)
                .row(batch + " per message: cutover applyEach, " + inFlight + " in flight (journaled)", "updates/s", bestCutover)
                .row(batch + " per message: nsupdate, one in flight", "updates/s", bestNsupdate)
                .row("  ratio cutover / nsupdate (goal >= 2)", "x", ratio)
                .row(batch + " per message: cutover applyEach, each message verified", "updates/s", best.get(VERIFIED).perSecond())
                .row("  ratio cutover verified / nsupdate not verified", "x", ratioVerified)
                .row("update + verify, one at a time, p50", "ms", BenchReport.percentile(verifyMs, 50))
                .row("update + verify, one at a time, p99 (goal <= 10)", "ms", p99)
                .row("update + verify, one at a time, max", "ms", BenchReport.percentile(verifyMs, 100))
                .row("update + journal (no verify), p50", "ms", BenchReport.percentile(journalMs, 50))
                .row("update + journal (no verify), p99", "ms", BenchReport.percentile(journalMs, 99))
                .row("update alone (no journal, no verify), p50", "ms", BenchReport.percentile(bareMs, 50))
                .row("update alone (no journal, no verify), p99", "ms", BenchReport.percentile(bareMs, 99))
                .row("nsupdate, one change per message: mean per message", "ms", 1000 / sameNsupdate)
                .row("nsupdate, " + batch + " per message: mean per message", "ms", 1000 * batch / bestNsupdate);
        report.key("ratio_same_batch", round(ratioSame)).key("ratio", round(ratio))
                .key("update_verify_p99_ms", round(p99))
                .key("update_verify_p50_ms", round(BenchReport.percentile(verifyMs, 50)))
                .key("ratio_same_batch_no_journal", round(ratioSameBare))
                .key("ratio_verified", round(ratioVerified))
                .key("updates_per_s", round(bestCutover)).key("nsupdate_per_s", round(bestNsupdate));
        report.detail("count", n).detail("changes_per_message", batch).detail("cutover_in_flight", inFlight)
                .detail("baseline_command", String.join(" ", nsupdateCommand))
                .detail("baseline_started", "before every timer, and told 'server " + lab.dnsServer() + "' and 'zone "
                        + ZONE + "' then; fed over stdin, each batch of commands followed by 'show', whose output"
                        + " appears once the batch's last send is answered")
                .detail("baseline_stdin_one_per_message", NsupdateProcess.script(forward.subList(0, 1), 1))
                .detail("baseline_stdin_batched_first_message",
                        NsupdateProcess.script(forward.subList(0, Math.min(n, batch)), batch))
                .detail("cutover_one_per_message", "DnsUpdater.apply(List.of(change)), one after another; journal synced"
                        + " before each send (then without a journal); verify off")
                .detail("cutover_at_best", "DnsUpdater.applyEach(changes): " + batch + " per message, " + inFlight
                        + " in flight; journal synced before each send; verify off (then on, for ratio_verified)")
                .detail("turns", "the tools take turns on the same records, back and forth, so that both see the"
                        + " machine's load alike; one change per message in chunks of " + (quick ? 30 : 100)
                        + ", batched on all records, " + BATCHED_ROUNDS + " rounds")
                .detail("seconds", Map.of("one_per_message", seconds(same), "batched", seconds(best)))
                .detail("goals", "ratio_same_batch >= 1.0, ratio >= 2.0, update_verify_p99_ms <= 10")
                .detail("loadavg_at_end", loadAverage());
        report.print(System.out);
        return 0;
    }

    private DdnsOptions.Builder options(InetSocketAddress primary, TsigKey key) {
        return DdnsOptions.builder(primary, key).zone(ZONE).maxInFlight(inFlight).maxBatch(batch);
    }

    private static void createRecords(DnsUpdater dns, List<String> names) {
        for (int i = 0; i < names.size(); i += SETUP_BATCH) {
            List<RrsetChange> create = new ArrayList<>();
            for (int j = i; j < Math.min(names.size(), i + SETUP_BATCH); j++) {
                create.add(new RrsetChange(names.get(j), "A", TTL, List.of(), List.of(oldIp(j))));
            }
            dns.apply(create).toCompletableFuture().join();
        }
    }

    /**
     * Warms both tools up on names of their own (JIT, dnsjava's tables, nsupdate's first send): each updater both one
     * change at a time and pipelined, nsupdate both one per message and batched.
     */
    private void warmUp(String run, NsupdateProcess nsupdate, DnsUpdater... updaters) {
        for (int u = 0; u < updaters.length; u++) {
            List<String> names = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                names.add("warm" + run + "-" + u + "-" + i + "." + ZONE);
            }
            createRecords(updaters[u], names);
            for (int round = 0; round < WARM_UP_ROUNDS; round++) {
                requireAll(pipelined(updaters[u], changes(names, true)), false);
                oneAtATime(updaters[u], changes(names, false));
            }
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 2 * batch; i++) {
            names.add("warm" + run + "-nsupdate-" + i + "." + ZONE);
        }
        List<RrsetChange> created = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            created.add(new RrsetChange(names.get(i), "A", TTL, List.of(), List.of(oldIp(i))));
        }
        nsupdate.send(NsupdateProcess.script(created, 1));
        nsupdate.send(NsupdateProcess.script(changes(names, true), batch));
    }

    /**
     * The contenders take turns, chunk after chunk of the records, each switching the chunk the other way (an even
     * number of turns leaves the records as they were); every other chunk, in reverse order. Each contender's
     * times and latencies are summed over its turns.
     */
    private static Map<String, Timed> inTurns(List<Contender> contenders, List<RrsetChange> forward,
                                              List<RrsetChange> back, int chunk, int rounds) {
        if (contenders.size() % 2 != 0) {
            throw new IllegalArgumentException("an odd number of turns would leave the records switched");
        }
        Map<String, Timed> tally = new LinkedHashMap<>();
        int turn = 0;
        for (int round = 0; round < rounds; round++) {
            for (int from = 0; from < forward.size(); from += chunk, turn++) {
                int to = Math.min(forward.size(), from + chunk);
                List<Contender> order = new ArrayList<>(contenders);
                if (turn % 2 == 1) {
                    Collections.reverse(order);
                }
                for (int step = 0; step < order.size(); step++) {
                    Contender contender = order.get(step);
                    Timed timed = contender.run().apply((step % 2 == 0 ? forward : back).subList(from, to));
                    tally.merge(contender.name(), timed, Timed::plus);
                }
            }
        }
        return tally;
    }

    private static Map<String, Double> seconds(Map<String, Timed> tally) {
        Map<String, Double> seconds = new LinkedHashMap<>();
        tally.forEach((name, timed) -> seconds.put(name, round(timed.seconds())));
        return seconds;
    }

    /** {@code changes} made by {@code work}, timed as a whole. */
    private static Timed timed(List<RrsetChange> changes, Runnable work) {
        long start = System.nanoTime();
        work.run();
        return new Timed(changes.size(), (System.nanoTime() - start) / 1e9, new double[0]);
    }

    /**
     * Each change in its own message, the next one sent from the completion of the last (as an asynchronous client
     * chains them, without waking a waiting thread in between); latencies from the call to the completion.
     */
    private static Timed oneAtATime(DnsUpdater dns, List<RrsetChange> changes) {
        double[] ms = new double[changes.size()];
        long start = System.nanoTime();
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (int i = 0; i < changes.size(); i++) {
            int index = i;
            chain = chain.thenCompose(previous -> {
                long called = System.nanoTime();
                return dns.apply(List.of(changes.get(index)))
                        .thenAccept(result -> ms[index] = (System.nanoTime() - called) / 1e6);
            });
        }
        chain.join();
        return new Timed(changes.size(), (System.nanoTime() - start) / 1e9, ms);
    }

    private static List<UpdateResult> pipelined(DnsUpdater dns, List<RrsetChange> changes) {
        return dns.applyEach(changes).stream().map(stage -> stage.toCompletableFuture().join()).toList();
    }

    private static void requireAll(List<UpdateResult> results, boolean verified) {
        long applied = results.stream().filter(r -> !r.alreadyApplied() && (!verified || !r.verifiedOn().isEmpty())).count();
        if (applied != results.size()) {
            throw new IllegalStateException("only " + applied + " of " + results.size() + " updates were applied"
                    + (verified ? " and verified" : ""));
        }
    }

    private static List<RrsetChange> changes(List<String> names, boolean forward) {
        List<RrsetChange> changes = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            String from = forward ? oldIp(i) : newIp(i);
            String to = forward ? newIp(i) : oldIp(i);
            changes.add(RrsetChange.switchAddress(names.get(i), ip(from), ip(to), TTL));
        }
        return changes;
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

    private static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
