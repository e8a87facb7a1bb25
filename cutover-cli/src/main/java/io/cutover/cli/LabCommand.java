package io.cutover.cli;

import io.cutover.lab.Lab;
import io.cutover.lab.Libvirtd;
import io.cutover.lab.LabException;
import io.cutover.lab.Topology;
import io.cutover.lab.impl.LabInfo;
import io.cutover.lab.impl.LabLayout;
import io.cutover.lab.impl.StatusReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code cutover lab up|down|status}: the network lab on real parts. */
@Command(name = "lab", mixinStandardHelpOptions = true,
        description = "Build, inspect or remove a network lab: namespaces, Open vSwitch, BIND 9.",
        subcommands = {LabCommand.Up.class, LabCommand.Down.class, LabCommand.Status.class})
final class LabCommand extends GroupCommand {

    @Command(name = "up", mixinStandardHelpOptions = true,
            description = "Build a lab and print its name. A failure half way removes what was made.")
    static final class Up implements Callable<Integer> {
        @Option(names = "--name", description = "Lab name (default: a new unique one).")
        String name;

        @Option(names = "--topology", defaultValue = "lan", description = "lan or wan (default: ${DEFAULT-VALUE}).")
        String topology;

        @Option(names = "--libvirt", description = "Also run a libvirtd on each hypervisor host (hostA, hostB), in the "
                + "host's namespace, reachable over the underlay at qemu+tcp://ADDRESS:" + Libvirtd.PORT + "/system; "
                + "the lab's agents then follow its guests' lifecycle events.")
        boolean libvirt;

        @Option(names = "--store", description = "Also run the replicated store: a three-member ZooKeeper ensemble, one "
                + "member a namespace (zk1..zk3), reachable from the fabric and the hypervisor hosts at "
                + "198.19.3.2:2181,198.19.3.6:2181,198.19.3.10:2181; waits until it has a leader.")
        boolean store;

        @Override
        public Integer call() {
            Topology shape = Topology.parse(topology);
            Lab lab = Lab.up(name, shape);
            if (libvirt) {
                try {
                    Libvirtd.startOnEveryHost(lab).forEach(daemon -> System.err.println("lab " + lab.name() + ": "
                            + daemon));
                } catch (RuntimeException e) {
                    Lab.down(lab.name());
                    throw e;
                }
            }
            if (store) {
                try {
                    var ensemble = lab.startStore();
                    System.err.println("lab " + lab.name() + ": store " + ensemble.connectString() + " (leader "
                            + ensemble.awaitLeader(java.time.Duration.ofSeconds(5)) + ")");
                } catch (RuntimeException e) {
                    Lab.down(lab.name());
                    throw e;
                }
            }
            System.out.println(lab.name());
            System.err.println("lab " + lab.name() + " (" + topology + (libvirt ? ", libvirt" : "") + (store ? ", store" : "")
                    + ") is up; remove it with: cutover lab down --name " + lab.name());
            return ExitCode.OK;
        }
    }

    @Command(name = "down", mixinStandardHelpOptions = true,
            description = "Remove a lab and everything it made, also after a crash.")
    static final class Down implements Callable<Integer> {
        @Option(names = "--name", description = "Lab name (default: the only lab on this machine).")
        String name;

        @Option(names = "--all", description = "Remove every lab this user made on this machine.")
        boolean all;

        @Option(names = "--force", description = "With --all or without --name: also the labs other users made.")
        boolean force;

        @Override
        public Integer call() {
            List<String> labs = Lab.list();
            if (name != null && !labs.contains(name)) {
                throw new LabException("no lab named " + name + " on this machine"
                        + (labs.isEmpty() ? "" : " (there are: " + String.join(", ", labs) + ")"));
            }
            List<String> mine = force ? labs : labs.stream().filter(Down::mine).toList();
            if (!force && mine.size() < labs.size() && (all || name == null)) {
                System.err.println("left the labs other users made (--force removes them too): "
                        + String.join(", ", labs.stream().filter(lab -> !mine.contains(lab)).toList()));
            }
            List<String> names = all ? mine : List.of(name != null ? name : only(mine));
            for (String lab : names) {
                Lab.down(lab);
                System.err.println("lab " + lab + " removed");
            }
            return ExitCode.OK;
        }

        /** Whether this user made the lab (a lab whose maker was not recorded is nobody's). */
        private static boolean mine(String lab) {
            try {
                return LabInfo.currentUser().equals(LabInfo.read(new LabLayout(lab)).owner());
            } catch (LabException e) {
                return false;
            }
        }

        private static String only(List<String> labs) {
            if (labs.size() == 1) {
                return labs.get(0);
            }
            throw new LabException(labs.isEmpty() ? "no lab of yours is up (--force for the others')"
                    : "several labs of yours are up (" + String.join(", ", labs) + "): choose one with --name");
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Show a lab: namespaces, bridges and ports, daemons and pids, addresses.")
    static final class Status implements Callable<Integer> {
        @Option(names = "--name", description = "Lab name (default: every lab on this machine).")
        String name;

        @Option(names = "--json", description = "Print a JSON array, one object a lab, for scripts.")
        boolean json;

        @Override
        public Integer call() {
            List<String> names = name == null ? Lab.list() : List.of(name);
            if (json) {
                System.out.println(names.stream().map(lab -> StatusReport.of(new LabLayout(lab)).json())
                        .collect(java.util.stream.Collectors.joining(",\n", "[", "]")));
                return ExitCode.OK;
            }
            if (names.isEmpty()) {
                System.out.println("no lab is up");
            }
            for (String lab : names) {
                System.out.print(StatusReport.of(new LabLayout(lab)).text());
            }
            return ExitCode.OK;
        }
    }
}
