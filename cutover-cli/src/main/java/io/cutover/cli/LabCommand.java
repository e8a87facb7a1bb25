package io.cutover.cli;

import io.cutover.lab.Lab;
import io.cutover.lab.LabException;
import io.cutover.lab.Topology;
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

        @Override
        public Integer call() {
            Topology shape = Topology.parse(topology);
            Lab lab = Lab.up(name, shape);
            System.out.println(lab.name());
            System.err.println("lab " + lab.name() + " (" + topology + ") is up; remove it with: cutover lab down --name "
                    + lab.name());
            return ExitCode.OK;
        }
    }

    @Command(name = "down", mixinStandardHelpOptions = true,
            description = "Remove a lab and everything it made, also after a crash.")
    static final class Down implements Callable<Integer> {
        @Option(names = "--name", description = "Lab name (default: the only lab on this machine).")
        String name;

        @Option(names = "--all", description = "Remove every lab on this machine.")
        boolean all;

        @Override
        public Integer call() {
            List<String> names = all ? Lab.list() : List.of(chosen(name));
            for (String lab : names) {
                Lab.down(lab);
                System.err.println("lab " + lab + " removed");
            }
            return ExitCode.OK;
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

    /** {@code name}, or the only lab when it is {@code null}. */
    static String chosen(String name) {
        if (name != null) {
            return name;
        }
        List<String> labs = Lab.list();
        if (labs.size() == 1) {
            return labs.get(0);
        }
        throw new LabException(labs.isEmpty() ? "no lab is up"
                : "several labs are up (" + String.join(", ", labs) + "): choose one with --name");
    }
}
