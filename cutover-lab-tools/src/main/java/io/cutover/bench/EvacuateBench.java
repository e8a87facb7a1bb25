package io.cutover.bench;

import io.cutover.demo.LabAgents;
import io.cutover.demo.QemuCutoverDemo;
import io.cutover.demo.QemuEvacuationDemo;
import io.cutover.lab.Lab;
import io.cutover.lab.Topology;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code cutover bench evacuate}: host A's real QEMU guests evacuated to host B by host A's agent, a bounded number at
 * once, with the whole stack, while the client probes every guest; the baseline is the same guests moved by QEMU
 * alone over QMP, as many at once, on a fresh lab of learning bridges without controller or agents. Issue 18's goal:
 * 8 guests evacuated with 0 probes lost.
 */
@Command(name = "evacuate", mixinStandardHelpOptions = true,
        description = "Evacuate host A's QEMU guests to host B under probes: time and lost probes vs QEMU alone.")
public final class EvacuateBench implements Callable<Integer> {
    /** Client probes a second, to each guest. */
    static final int PROBE_RATE = 200;
    /** How long the client probes before the evacuation starts and after it ends. */
    private static final Duration SETTLE = Duration.ofSeconds(1);

    @Option(names = "--quick", description = "3 guests, 2 at once, instead of 8 and 4; about a minute.")
    boolean quick;

    @Option(names = "--guests", description = "Guests on host A, 1 to " + QemuEvacuationDemo.MAX_GUESTS
            + " (default: 8, or 3 with --quick).")
    Integer guests;

    @Option(names = "--parallel", description = "Moves at once, in the evacuation and in the baseline "
            + "(default: 4, or 2 with --quick).")
    Integer parallel;

    @Override
    public Integer call() throws Exception {
        int count = guests != null ? guests : quick ? 3 : 8;
        int atOnce = parallel != null ? parallel : quick ? 2 : 4;
        if (count < 1 || count > QemuEvacuationDemo.MAX_GUESTS || atOnce < 1 || atOnce > count) {
            throw new IllegalArgumentException("--guests must be 1.." + QemuEvacuationDemo.MAX_GUESTS
                    + " and --parallel 1..guests, not " + count + " and " + atOnce);
        }
        QemuEvacuationDemo.Report evacuation;
        try (Lab lab = Lab.up(null, Topology.LAN).removeAtExit();
             LabAgents agents = LabAgents.start(lab, LabAgents.GuestPorts.HOST_SWITCHES)) {
            evacuation = new QemuEvacuationDemo(lab, agents, count, atOnce, PROBE_RATE, SETTLE).run();
        }
        print("evacuation", evacuation);
        QemuEvacuationDemo.Report baseline;
        try (Lab lab = Lab.up(null, Topology.LAN).removeAtExit()) {
            baseline = QemuEvacuationDemo.withoutNetworkSteps(lab, count, atOnce, PROBE_RATE, SETTLE).run();
        }
        print("baseline (QEMU alone)", baseline);
        BenchReport report = new BenchReport("evacuate")
                .row("guests evacuated from host A to host B", "", count)
                .row("moves at once", "", atOnce)
                .row("evacuation (agent, all moves)", "s", evacuation.durationMs() / 1000.0)
                .row("  until the last guest ran at host B", "s", evacuation.lastRunningMs() / 1000.0)
                .row("  probes lost, all guests", "", evacuation.lost())
                .row("  moves completed", "", evacuation.completed())
                .row("  guests crashed", "", evacuation.crashed())
                .row("baseline: the same moves by QEMU alone on learning bridges", "s", baseline.durationMs() / 1000.0)
                .row("  until the last guest ran at host B", "s", baseline.lastRunningMs() / 1000.0)
                .row("  probes lost, all guests", "", baseline.lost())
                .row("  moves completed", "", baseline.completed())
                .row("  guests crashed", "", baseline.crashed())
                .detail("probes_per_s_per_guest", PROBE_RATE)
                .detail("guest", "qemu tcg, " + QemuEvacuationDemo.MEMORY_MIB + " MiB, the lab's guest image; its "
                        + "incoming QEMU (-incoming defer) waiting on host B's br-int")
                .detail("evacuation", "POST /v1/evacuations at host A's agent (source hostA, destinations [hostB], "
                        + "parallel " + atOnce + "), every VM with migrator qemu; the agents drive QEMU over QMP")
                .detail("vms", evacuation.vms().stream().map(EvacuateBench::detail).toList())
                .detail("baseline_procedure", "a fresh LAN lab without controller and agents (learning bridges), "
                        + "the same guests; at most " + atOnce + " moves at once, each: "
                        + QemuCutoverDemo.QEMU_ALONE_PROCEDURE)
                .detail("baseline_vms", baseline.vms().stream().map(EvacuateBench::detail).toList());
        keys(count, atOnce, evacuation, baseline).forEach(report::key);
        report.print(System.out);
        return 0;
    }

    /**
     * The figures of the BENCH line: the evacuation's time under its guest count's name ({@code evacuate_8_s} for 8),
     * its lost probes (issue 18's goal: 0), the baseline's and their ratio (evacuation time / baseline time).
     */
    static Map<String, Object> keys(int guests, int parallel, QemuEvacuationDemo.Report evacuation,
                                    QemuEvacuationDemo.Report baseline) {
        double seconds = evacuation.durationMs() / 1000.0;
        double baselineSeconds = baseline.durationMs() / 1000.0;
        Map<String, Object> keys = new LinkedHashMap<>();
        keys.put("guests", guests);
        keys.put("parallel", parallel);
        keys.put("evacuate_" + guests + "_s", seconds);
        keys.put("last_running_s", evacuation.lastRunningMs() / 1000.0);
        keys.put("evacuate_lost", evacuation.lost());
        keys.put("vms_completed", evacuation.completed());
        keys.put("guests_crashed", evacuation.crashed());
        keys.put("baseline_evacuate_s", baselineSeconds);
        keys.put("baseline_last_running_s", baseline.lastRunningMs() / 1000.0);
        keys.put("baseline_lost", baseline.lost());
        keys.put("baseline_vms_completed", baseline.completed());
        keys.put("baseline_guests_crashed", baseline.crashed());
        keys.put("ratio", baselineSeconds > 0 ? seconds / baselineSeconds : Double.NaN);
        return keys;
    }

    private static Map<String, Object> detail(QemuEvacuationDemo.VmReport vm) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("vm", vm.vm());
        detail.put("destination", vm.destination());
        detail.put("outcome", vm.outcome());
        detail.put("failure", vm.failure());
        detail.put("durationMs", vm.durationMs());
        detail.put("downtimeMs", vm.downtimeMs());
        detail.put("runningAfterMs", vm.runningAfterMs());
        detail.put("probesSent", vm.udp().sent());
        detail.put("lost", vm.udp().lost());
        detail.put("lostRanges", vm.udp().lostRanges());
        detail.put("gapMs", vm.udp().gapMillis());
        detail.put("tcpSurvived", vm.tcpSurvived());
        detail.put("runsThere", vm.runsThere());
        detail.put("crashed", vm.crashed());
        detail.put("kernelLog", vm.kernelLog());
        detail.put("timeline", vm.timeline());
        return detail;
    }

    private static void print(String what, QemuEvacuationDemo.Report report) {
        System.out.printf(Locale.ROOT, "%s %s: %d guests in %.1f s, %d completed, %d probes lost, %d crashed%n", what,
                report.id(), report.vms().size(), report.durationMs() / 1000.0, report.completed(), report.lost(),
                report.crashed());
        report.vms().forEach(vm -> System.out.printf(Locale.ROOT, "  %s -> %s %s in %d ms (running there at %d ms), "
                        + "downtime %d ms, %d of %d probes lost %s, gap %.1f ms, tcp %s%s%n", vm.vm(), vm.destination(),
                vm.outcome(), vm.durationMs(), vm.runningAfterMs(), vm.downtimeMs(), vm.udp().lost(), vm.udp().sent(), vm.udp().lostRanges(),
                vm.udp().gapMillis(), vm.tcpSurvived() ? "alive" : "broken", vm.crashed() ? ", CRASHED" : ""));
    }
}
