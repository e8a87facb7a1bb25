package io.cutover.cli;

import io.cutover.bench.AnnounceBench;
import io.cutover.bench.CutoverBench;
import io.cutover.bench.DnsBench;
import io.cutover.bench.EvacuateBench;
import io.cutover.bench.MigrateBench;
import io.cutover.bench.ScaleBench;
import io.cutover.bench.SdnBench;
import io.cutover.bench.TunnelBench;
import picocli.CommandLine.Command;

/**
 * {@code cutover bench NAME [--quick]}: each benchmark compares a capability with a real baseline in the
 * same run, prints a table, writes {@code target/bench/NAME.json} and ends with one {@code BENCH} line.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure a capability against its baseline (the kernel, ovs-ofctl, nsupdate, raw TCP).",
        subcommands = {
                AnnounceBench.class,
                CutoverBench.class,
                DnsBench.class,
                EvacuateBench.class,
                MigrateBench.class,
                ScaleBench.class,
                SdnBench.class,
                TunnelBench.class,
        })
final class BenchCommand extends GroupCommand {
}
