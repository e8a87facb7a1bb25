package io.cutover.agent.bench;

import io.cutover.agent.demo.DemoReport;
import io.cutover.agent.demo.CutoverDemo;
import io.cutover.lab.Lab;
import io.cutover.lab.Topology;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code cutover bench cutover}: LAN moves of the lab's VM back and forth with the whole stack, while a client
 * probes it at 1,000 packets a second. The baseline is the VM's own blackout, measured by the migrator in the
 * same moves: the client's network gap should exceed it by only a few milliseconds.
 */
@Command(name = "cutover", mixinStandardHelpOptions = true,
        description = "LAN moves back and forth under 1,000 probes/s: network gap at the client vs the blackout.")
public final class CutoverBench implements Callable<Integer> {
    /** The guest moved in every run: small, with a hot set, so that moves are quick. */
    static final String GUEST = "synthetic:size=32m,workload=hotset,hot=5%,rate=5000";

    @Option(names = "--quick", description = "4 moves instead of 20; finishes in under a minute.")
    boolean quick;

    @Option(names = "--moves", description = "Moves to make (default: 20, or 4 with --quick).")
    Integer moves;

    @Override
    public Integer call() throws Exception {
        int count = moves != null ? moves : quick ? 4 : 20;
        if (count < 1 || count > 200) {
            throw new IllegalArgumentException("--moves must be 1..200");
        }
        List<DemoReport> reports = new ArrayList<>();
        try (Lab lab = Lab.up(null, Topology.LAN).removeAtExit()) {
            for (int i = 0; i < count; i++) {
                DemoReport report = new CutoverDemo(lab, 1000, Duration.ofMillis(500), GUEST).run();
                reports.add(report);
                System.out.printf("move %2d: blackout %6.1f ms, gap %6.1f ms, lost %d (%d in the cutover)%n", i + 1,
                        report.blackoutMillis(), report.gapMillis(), report.udp().lost(),
                        report.lostInCutover());
            }
        }
        double[] gaps = reports.stream().mapToDouble(r -> r.gapMillis()).sorted().toArray();
        double[] blackouts = reports.stream().mapToDouble(DemoReport::blackoutMillis).sorted().toArray();
        double[] excess = reports.stream().mapToDouble(r -> r.gapMillis() - r.blackoutMillis()).sorted().toArray();
        long lost = reports.stream().mapToLong(r -> r.udp().lost()).sum();
        long lostInCutover = reports.stream().mapToLong(DemoReport::lostInCutover).sum();
        long tcpBroken = reports.stream().filter(r -> !r.tcpSurvived()).count();
        BenchReport report = new BenchReport("cutover")
                .row("moves", "", count)
                .row("blackout p50 (migrator)", "ms", BenchReport.percentile(blackouts, 50))
                .row("blackout p99 (migrator)", "ms", BenchReport.percentile(blackouts, 99))
                .row("network gap p50 (client)", "ms", BenchReport.percentile(gaps, 50))
                .row("network gap p99 (client)", "ms", BenchReport.percentile(gaps, 99))
                .row("gap minus blackout p99", "ms", BenchReport.percentile(excess, 99))
                .row("probes lost, all moves", "", lost)
                .row("  of them sent during a cutover", "", lostInCutover)
                .row("TCP connections broken", "", tcpBroken)
                .detail("gapsMs", Arrays.stream(gaps).boxed().toList())
                .detail("blackoutsMs", Arrays.stream(blackouts).boxed().toList())
                .detail("guest", GUEST);
        report.key("moves", count).key("lost", lost).key("lost_in_cutover", lostInCutover)
                .key("gap_p50_ms", BenchReport.percentile(gaps, 50)).key("gap_p99_ms", BenchReport.percentile(gaps, 99))
                .key("blackout_p99_ms", BenchReport.percentile(blackouts, 99)).key("tcp_broken", tcpBroken);
        report.print(System.out);
        return 0;
    }
}
