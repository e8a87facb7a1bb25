package io.cutover.agent.cli;

import picocli.CommandLine.Command;

/**
 * {@code cutover bench NAME [--quick]}: each benchmark compares a capability with a real baseline in the
 * same run, prints a table, writes {@code target/bench/NAME.json} and ends with one {@code BENCH} line.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure a capability against its baseline (the kernel, ovs-ofctl, nsupdate, raw TCP).",
        subcommands = {
                io.cutover.agent.bench.TunnelBench.class,
        })
final class BenchCommand extends GroupCommand {
}
