package io.cutover.cli;

import io.cutover.demo.DemoPrinter;
import io.cutover.demo.DemoReport;
import io.cutover.demo.CutoverDemo;
import io.cutover.demo.LabAgents;
import io.cutover.demo.QemuCutoverDemo;
import io.cutover.lab.Lab;
import io.cutover.lab.Libvirtd;
import io.cutover.migration.guest.GuestSpec;
import io.cutover.lab.Topology;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code cutover demo}: the main job on the built-in lab. Builds a lab, moves the VM from host A to host B with
 * the whole cutover (migration, tunnel, announcements) while a client probes it, prints the report, removes
 * the lab (also on Ctrl-C).
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Live-migrate the lab's VM while a client probes it; print the cutover report.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--wan", description = "Move the VM between two sites (subnets, routers): it gets a new address, "
            + "the old one keeps working through the tunnel, DNS follows.")
    boolean wan;

    @Option(names = "--rate", defaultValue = "1000", description = "Client probes per second (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--vm",
            description = "What moves: 'qemu' (a real QEMU guest under TCG on host A's br-int, migrated over the "
                    + "underlay) or 'namespace' (a namespace with a guest program, fast; its kernel answers while it "
                    + "is paused) (default: qemu).")
    String vm;

    @Option(names = "--orchestrator", defaultValue = "qmp", description = "Who moves the QEMU guest: 'qmp' (the agents "
            + "drive QEMU over QMP) or 'libvirt' (a libvirtd per host runs it, 'virsh migrate --live' moves it, the "
            + "agents follow libvirt's lifecycle events; LAN only) (default: ${DEFAULT-VALUE}).")
    String orchestrator;

    @Option(names = "--guest", defaultValue = "size=64m,workload=hotset,hot=5%,rate=20000",
            description = "The VM's guest program: its memory and workload, as the keys of a synthetic guest "
                    + "(default: ${DEFAULT-VALUE}).")
    String guest;

    @Option(names = "--report", defaultValue = "target/demo/report.json",
            description = "Where to save the JSON report (default: ${DEFAULT-VALUE}).")
    Path reportFile;

    @Override
    public Integer call() throws Exception {
        if (rate < 1 || rate > 10_000) {
            throw new IllegalArgumentException("--rate must be 1..10000 probes per second");
        }
        try {
            GuestSpec.parse(GuestSpec.PREFIX + guest);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--guest: " + e.getMessage(), e);
        }
        boolean qemu = switch (vm == null ? "qemu" : vm) {
            case "qemu" -> true;
            case "namespace" -> false;
            default -> throw new IllegalArgumentException("--vm: expected namespace or qemu, not '" + vm + "'");
        };
        QemuCutoverDemo.Orchestrator mover = QemuCutoverDemo.Orchestrator.parse(orchestrator);
        boolean libvirt = mover == QemuCutoverDemo.Orchestrator.LIBVIRT;
        if (libvirt && (!qemu || wan)) {
            throw new IllegalArgumentException("--orchestrator libvirt moves a QEMU guest on the LAN: not with "
                    + (wan ? "--wan" : "--vm namespace"));
        }
        Topology topology = wan ? Topology.WAN : Topology.LAN;
        long start = System.nanoTime();
        Lab lab = Lab.up(null, topology).removeAtExit();
        try {
            if (libvirt) {
                Libvirtd.startOnEveryHost(lab).forEach(System.out::println);
            }
            System.out.printf("lab %s (%s) up in %d ms%n", lab.name(), topology.name().toLowerCase(),
                    (System.nanoTime() - start) / 1_000_000);
            DemoReport report;
            Path logs = reportFile.toAbsolutePath().getParent().resolve("daemons-" + lab.name());
            try (LabAgents agents = LabAgents.start(lab, logs, qemu ? LabAgents.GuestPorts.HOST_SWITCHES
                    : LabAgents.GuestPorts.SITE_BRIDGES)) {
                System.out.println("controller, tunnel daemons and agents up (logs in " + agents.dir() + ")");
                report = qemu ? new QemuCutoverDemo(lab, agents, rate, Duration.ofSeconds(1), mover).run()
                        : new CutoverDemo(lab, agents, rate, Duration.ofSeconds(1), guest).run();
            }
            DemoPrinter.print(report, System.out);
            System.out.println("report: " + DemoPrinter.save(report, reportFile));
            boolean clean = report.clean();
            if (!clean) {
                System.err.println("cutover: the move was not clean (probes lost, TCP broken or memory differs)");
            }
            return clean ? ExitCode.OK : ExitCode.FAILED;
        } finally {
            lab.close();
            System.out.println("lab " + lab.name() + " removed");
        }
    }
}
