package io.cutover.bench;

import io.cutover.demo.DemoReport;
import io.cutover.demo.CutoverDemo;
import io.cutover.demo.LabAgents;
import io.cutover.demo.QemuCutoverDemo;
import io.cutover.lab.Lab;
import io.cutover.lab.Libvirtd;
import io.cutover.lab.Topology;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code cutover bench cutover}: LAN moves of a real QEMU guest from host A's br-int to host B's by QEMU's own
 * migration, with the whole stack, while a client probes it at 1,000 packets a second, then WAN moves of it to the
 * other site and back (its old address kept through the tunnel, its name switched); the baseline is the same LAN moves
 * on learning switches without network steps (QEMU alone has no way to keep a WAN move reachable), and the guest's
 * blackout is QEMU's downtime. With {@code --vm namespace}
 * the lab's namespace VM moves back and forth and then across the WAN, its blackout measured by the migrator: the
 * client's network gap should exceed it by only a few milliseconds.
 */
@Command(name = "cutover", mixinStandardHelpOptions = true,
        description = "LAN moves back and forth and a WAN move under 1,000 probes/s: network gap at the client vs the blackout.")
public final class CutoverBench implements Callable<Integer> {
    /** The guest moved in every run: small, with a hot set, so that moves are quick. */
    static final String GUEST = "size=32m,workload=hotset,hot=5%,rate=5000";
    /** The longest a load worker spins, should the bench not end it. */
    private static final Duration LOAD_LIMIT = Duration.ofHours(1);

    @Option(names = "--quick", description = "2 LAN moves (3 with --vm namespace) instead of 20, and no WAN move with "
            + "--vm qemu; about a minute.")
    boolean quick;

    @Option(names = "--moves", description = "LAN moves to make (default: 20, or 2 with --quick; 3 with --quick "
            + "--vm namespace).")
    Integer moves;

    @Option(names = "--wan-moves", description = "WAN moves to make after them (default: 5 with --vm qemu, 0 with "
            + "--quick; 1 with --vm namespace; none with --orchestrator libvirt, which moves LAN guests only).")
    Integer wanMoves;

    @Option(names = "--load", defaultValue = "0", description = "Busy-loop workers on the host during every move (the "
            + "baseline's too), at nice " + BusyLoad.NICENESS + " like tenants' VMs; each ends by itself after an hour at the "
            + "latest (default: ${DEFAULT-VALUE}; the issue's busy host: 2).")
    int load;

    @Option(names = "--vm", defaultValue = "qemu",
            description = "What moves: 'qemu' (a real QEMU guest on the hosts' br-int) or 'namespace' (the lab's "
                    + "namespace VM) (default: ${DEFAULT-VALUE}).")
    String vm;

    @Option(names = "--orchestrator", defaultValue = "qmp", description = "Who moves the QEMU guest: 'qmp' (the "
            + "agents drive QEMU and hold it paused at pre-switchover for the network's steps) or 'libvirt' (a libvirtd "
            + "on each host runs the guest, 'virsh migrate --live' moves it, the agents follow libvirt's lifecycle "
            + "events; the baseline moves by libvirt too) (default: ${DEFAULT-VALUE}).")
    String orchestrator;

    private QemuCutoverDemo.Orchestrator mover;
    /** Moves that could not be made, with why; the moves after one on its lab are not made. */
    private final List<String> failures = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (!vm.equals("namespace") && !vm.equals("qemu")) {
            throw new IllegalArgumentException("--vm: expected namespace or qemu, not '" + vm + "'");
        }
        boolean qemu = vm.equals("qemu");
        mover = QemuCutoverDemo.Orchestrator.parse(orchestrator);
        if (!qemu && mover != QemuCutoverDemo.Orchestrator.QMP) {
            throw new IllegalArgumentException("--orchestrator libvirt moves QEMU guests: not with --vm namespace");
        }
        int lanMoves = moves != null ? moves : !quick ? 20 : qemu ? 2 : 3;
        boolean libvirt = mover == QemuCutoverDemo.Orchestrator.LIBVIRT;
        int wan = wanMoves != null ? wanMoves : !qemu ? 1 : quick || libvirt ? 0 : 5;
        if (lanMoves < 0 || lanMoves > 200 || wan < 0 || wan > 20 || lanMoves + wan == 0 || libvirt && wan > 0) {
            throw new IllegalArgumentException("--moves must be 0..200 and --wan-moves 0..20 (0 with --orchestrator "
                    + "libvirt), not both 0");
        }
        if (load < 0 || load > 16) {
            throw new IllegalArgumentException("--load must be 0..16 workers, not " + load);
        }
        List<DemoReport> reports = new ArrayList<>();
        List<DemoReport> baseline;
        try (BusyLoad busy = BusyLoad.start(load, LOAD_LIMIT)) {
            reports.addAll(move(Topology.LAN, lanMoves, qemu));
            reports.addAll(move(Topology.WAN, wan, qemu));
            baseline = qemu ? withoutNetworkSteps(lanMoves) : List.of();
        }
        double[] gaps = reports.stream().mapToDouble(DemoReport::gapMillis).sorted().toArray();
        double[] blackouts = reports.stream().mapToDouble(DemoReport::blackoutMillis).sorted().toArray();
        double[] excess = reports.stream().mapToDouble(r -> r.gapMillis() - r.blackoutMillis()).sorted().toArray();
        double[] heldDelays = reports.stream().mapToDouble(DemoReport::heldDelayMillis).sorted().toArray();
        long lost = reports.stream().mapToLong(r -> r.udp().lost()).sum();
        long lostInCutover = reports.stream().mapToLong(DemoReport::lostInCutover).sum();
        long tcpBroken = reports.stream().filter(r -> !r.tcpSurvived()).count();
        long guestDropped = reports.stream().mapToLong(r -> r.guestDropped() == null ? 0 : r.guestDropped()).sum();
        long guestsCrashed = reports.stream().filter(DemoReport::guestCrashed).count();
        BenchReport report = new BenchReport("cutover")
                .row("LAN moves", "", lanMoves)
                .row("WAN moves", "", wan)
                .row("blackout p50 (migrator)", "ms", BenchReport.percentile(blackouts, 50))
                .row("blackout p99 (migrator)", "ms", BenchReport.percentile(blackouts, 99))
                .row("network gap p50 (client)", "ms", BenchReport.percentile(gaps, 50))
                .row("network gap p99 (client)", "ms", BenchReport.percentile(gaps, 99))
                .row("gap minus blackout p50", "ms", BenchReport.percentile(excess, 50))
                .row("gap minus blackout p99", "ms", BenchReport.percentile(excess, 99))
                .row("held probes answered after the resume, p99", "ms", BenchReport.percentile(heldDelays, 99))
                .row("probes lost, all moves", "", lost)
                .row("  of them sent during a cutover", "", lostInCutover)
                .row("TCP connections broken", "", tcpBroken)
                .row("frames the guests did not read (their taps dropped them)", "", guestDropped)
                .row("guests crashed after their move", "", guestsCrashed)
                .row("busy-loop workers on the host", "", load)
                .detail("moves", reports.stream().map(r -> Map.of("mode", r.mode(), "gapMs", r.gapMillis(),
                        "blackoutMs", r.blackoutMillis(), "heldDelayMs", r.heldDelayMillis(), "lost", r.udp().lost(), "lostInCutover", r.lostInCutover(), "switchDrops", r.switchDrops(),
                        "guestDropped", r.guestDropped() == null ? "not counted" : r.guestDropped(),
                        "tunnel", r.tunnel(), "timeline", r.timeline()))
                        .toList())
                .detail("guest", qemu && !reports.isEmpty() ? reports.get(0).guest() : qemu ? "qemu" : GUEST);
        report.key("guest", qemu ? "qemu" : "namespace");
        if (qemu) {
            report.key("orchestrator", mover.name().toLowerCase(Locale.ROOT));
        }
        long wanLost = reports.stream().filter(r -> r.mode().equals("wan")).mapToLong(r -> r.udp().lost()).sum();
        long unverified = reports.stream().filter(r -> r.timeline().stream()
                .anyMatch(e -> e.what().equals("UNVERIFIED") && e.event().equals("stage"))).count();
        report.row("probes lost in WAN moves", "", wanLost)
                .row("cutovers ended UNVERIFIED (the VM not heard at its new port)", "", unverified);
        report.row("moves that failed (the rest of their lab's moves not made)", "", failures.size());
        if (!failures.isEmpty()) {
            report.detail("failed_moves", failures);
        }
        report.key("moves", reports.size()).key("failed_moves", failures.size()).key("lan_moves", lanMoves).key("wan_moves", wan).key("wan_lost", wanLost)
                .key("unverified", unverified).key("lost", lost).key("lost_in_cutover", lostInCutover)
                .key("gap_p50_ms", BenchReport.percentile(gaps, 50)).key("gap_p99_ms", BenchReport.percentile(gaps, 99))
                .key(qemu ? "downtime_p99_ms" : "blackout_p99_ms", BenchReport.percentile(blackouts, 99))
                .key("excess_p99_ms", BenchReport.percentile(excess, 99))
                .key("held_delay_p99_ms", BenchReport.percentile(heldDelays, 99)).key("tcp_broken", tcpBroken)
                .key("load", load);
        if (qemu) {
            report.key("guest_dropped", guestDropped).key("guests_crashed", guestsCrashed);
            long baselineLost = baseline.stream().mapToLong(r -> r.udp().lost()).sum();
            long baselineCrashed = baseline.stream().filter(DemoReport::guestCrashed).count();
            double[] baselineGaps = baseline.stream().mapToDouble(DemoReport::gapMillis).sorted().toArray();
            double[] baselineDowntimes = baseline.stream().mapToDouble(DemoReport::blackoutMillis).sorted().toArray();
            // the guest's own share of the gap: how long the same guest, moved by QEMU alone, takes to answer again
            double[] baselineExcess = baseline.stream().mapToDouble(r -> r.gapMillis() - r.blackoutMillis()).sorted()
                    .toArray();
            report.row("baseline: the same moves without network steps (learning bridges, QEMU's RARPs)", "", baseline.size())
                    .row("  probes lost", "", baselineLost)
                    .row("  guests crashed after their move", "", baselineCrashed)
                    .row("  network gap p50", "ms", BenchReport.percentile(baselineGaps, 50))
                    .row("  downtime p99 (QEMU)", "ms", BenchReport.percentile(baselineDowntimes, 99))
                    .row("  gap minus downtime p50", "ms", BenchReport.percentile(baselineExcess, 50))
                    .row("  gap minus downtime p99", "ms", BenchReport.percentile(baselineExcess, 99))
                    .detail("baseline", baseline.stream().map(r -> Map.of("gapMs", r.gapMillis(),
                            "downtimeMs", r.blackoutMillis(), "lost", r.udp().lost(), "tcpSurvived", r.tcpSurvived(),
                            "guestCrashed", r.guestCrashed(), "timeline", r.timeline()))
                            .toList());
            report.key("baseline_lost", baselineLost).key("baseline_guests_crashed", baselineCrashed)
                    .key("baseline_gap_p50_ms", BenchReport.percentile(baselineGaps, 50))
                    .key("baseline_downtime_p99_ms", BenchReport.percentile(baselineDowntimes, 99))
                    .key("excess_p50_ms", BenchReport.percentile(excess, 50))
                    .key("baseline_excess_p50_ms", BenchReport.percentile(baselineExcess, 50))
                    .key("baseline_excess_p99_ms", BenchReport.percentile(baselineExcess, 99))
                    // QEMU's downtime with the network's steps at pre-switchover against without them
                    .key("network_added_p99_ms", BenchReport.percentile(blackouts, 99)
                            - BenchReport.percentile(baselineDowntimes, 99));
        }
        if (mover == QemuCutoverDemo.Orchestrator.LIBVIRT) {
            double[] lags = reports.stream().mapToDouble(CutoverBench::eventLagMillis).sorted().toArray();
            report.row("libvirt's Suspended event at the agent after QEMU's STOP, p99", "ms",
                    BenchReport.percentile(lags, 99));
            report.key("event_lag_p99_ms", BenchReport.percentile(lags, 99));
        }
        report.print(System.out);
        return failures.isEmpty() ? 0 : 1;
    }

    /**
     * How late libvirt's {@code Suspended Migrated} reached the source's agent, after QEMU's own STOP: the demo's {@code
     * qemu.stop} against the agent's {@code vm.pause}.
     */
    private static double eventLagMillis(DemoReport report) {
        long stop = -1;
        long pause = -1;
        for (io.cutover.agent.plan.TimelineEntry entry : report.timeline()) {
            if (entry.what().equals("qemu.stop")) {
                stop = entry.atMicros();
            } else if (entry.what().equals("vm.pause") && entry.event().equals("done")) {
                pause = entry.atMicros();
            }
        }
        return stop < 0 || pause < 0 ? Double.NaN : (pause - stop) / 1000.0;
    }

    /** {@code count} QEMU moves on a fresh LAN lab with no controller and no agents: the baseline. */
    private List<DemoReport> withoutNetworkSteps(int count) throws Exception {
        List<DemoReport> reports = new ArrayList<>();
        try (Lab lab = Lab.up(null, Topology.LAN).removeAtExit(); Libvirtds libvirt = Libvirtds.start(lab, mover)) {
            for (int i = 0; i < count; i++) {
                DemoReport report;
                try {
                    report = QemuCutoverDemo.withoutNetworkSteps(lab, 1000, Duration.ofMillis(500), mover).run();
                } catch (RuntimeException e) {
                    failed("baseline move " + (i + 1), e, count - i - 1);
                    break;
                }
                reports.add(report);
                System.out.printf(Locale.ROOT, "baseline move %2d: downtime %6.1f ms, gap %6.1f ms, lost %d%n", i + 1,
                        report.blackoutMillis(), report.gapMillis(), report.udp().lost());
            }
        }
        return reports;
    }

    /** {@code count} moves back and forth on a fresh lab of {@code topology}, each printed as it ends. */
    private List<DemoReport> move(Topology topology, int count, boolean qemu) throws Exception {
        List<DemoReport> reports = new ArrayList<>();
        if (count == 0) {
            return reports;
        }
        try (Lab lab = Lab.up(null, topology).removeAtExit(); Libvirtds libvirt = Libvirtds.start(lab, mover);
             LabAgents agents = LabAgents.start(lab,
                qemu ? LabAgents.GuestPorts.HOST_SWITCHES : LabAgents.GuestPorts.SITE_BRIDGES)) {
            for (int i = 0; i < count; i++) {
                DemoReport report;
                try {
                    report = qemu ? new QemuCutoverDemo(lab, agents, 1000, Duration.ofMillis(500), mover).run()
                            : new CutoverDemo(lab, agents, 1000, Duration.ofMillis(500), GUEST).run();
                } catch (RuntimeException e) {
                    failed(topology.name().toLowerCase(Locale.ROOT) + " move " + (i + 1), e, count - i - 1);
                    break;
                }
                reports.add(report);
                System.out.printf(Locale.ROOT, "%s move %2d: blackout %6.1f ms, gap %6.1f ms, lost %d (%d in the cutover, "
                                + "%s on the way to the VM, %d dropped by the switches' tables, %s unread by the guest), tunnel held %d, "
                                + "injected %d, held probes answered %.1f ms after the resume (p99)%n",
                        report.mode(), i + 1, report.blackoutMillis(), report.gapMillis(), report.udp().lost(),
                        report.lostInCutover(), report.vmReceived() == null ? "?" : String.valueOf(report.udp().sent() - report.vmReceived()),
                        report.switchDrops(), report.guestDropped() == null ? "?" : String.valueOf(report.guestDropped()),
                        report.tunnel().getOrDefault("source.held", 0L),
                        report.tunnel().getOrDefault("destination.injected", 0L), report.heldDelayMillis());
                if (report.udp().lost() > 0) {
                    report.timeline().stream().filter(e -> e.what().equals("switch.sockets"))
                            .forEach(e -> System.out.println("         " + e.detail()));
                }
            }
        }
        return reports;
    }

    /**
     * Notes a move that could not be made: its lab is in a state no later move can start from, so the {@code left}
     * moves after it are not made, and the figures so far are reported.
     */
    private void failed(String move, RuntimeException why, int left) {
        String failure = move + ": " + why.getMessage();
        failures.add(failure);
        System.out.println(failure + " (the " + left + " moves after it not made)");
    }

    /** The lab hosts' libvirtd, started when libvirt moves the guest (before the agents, which then follow them). */
    private record Libvirtds(List<Libvirtd> daemons) implements AutoCloseable {
        static Libvirtds start(Lab lab, QemuCutoverDemo.Orchestrator mover) {
            return new Libvirtds(mover == QemuCutoverDemo.Orchestrator.LIBVIRT ? Libvirtd.startOnEveryHost(lab)
                    : List.of());
        }

        @Override
        public void close() {
            daemons.forEach(Libvirtd::close);
        }
    }
}
