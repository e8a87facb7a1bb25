package io.cutover.agent.cli;

import io.cutover.lab.Lab;
import io.cutover.lab.Topology;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/**
 * {@code cutover demo}: the main job on the built-in lab. Until the agent's end-to-end cutover lands it is
 * the lab smoke test: build a lab, ping the VM from the client across the bridges, ask the lab's BIND for the
 * VM's name, remove the lab (also on Ctrl-C).
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the demonstration on a fresh lab, then remove the lab.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--wan", description = "Use the WAN topology (two sites, routers).")
    boolean wan;

    @Override
    public Integer call() {
        Topology topology = wan ? Topology.WAN : Topology.LAN;
        long start = System.nanoTime();
        Lab lab = Lab.up(null, topology);
        Thread onInterrupt = new Thread(() -> Lab.down(lab.name()), "demo-cleanup");
        Runtime.getRuntime().addShutdownHook(onInterrupt);
        try {
            System.out.printf("lab %s (%s) up in %d ms%n", lab.name(), topology.name().toLowerCase(),
                    (System.nanoTime() - start) / 1_000_000);
            return smokeTest(lab);
        } finally {
            Runtime.getRuntime().removeShutdownHook(onInterrupt);
            lab.close();
            System.out.println("lab " + lab.name() + " removed");
        }
    }

    private static int smokeTest(Lab lab) {
        String vm = lab.port(Topology.VM).ipv4Address();
        var ping = lab.exec("client", "ping", "-c", "5", "-i", "0.2", "-W", "2", vm);
        System.out.println(ping.stdout().strip());
        var answer = lab.exec("client", "dig", "+short", "+time=2", "@" + lab.dnsServer(), "vm1." + Topology.ZONE, "A");
        System.out.println("vm1." + Topology.ZONE + " A " + answer.stdout().strip() + " (from the lab's BIND)");
        if (!ping.ok() || !answer.stdout().strip().equals(vm)) {
            System.err.println("cutover: the client could not reach the VM or its name across the lab");
            return ExitCode.FAILED;
        }
        return ExitCode.OK;
    }
}
