package io.cutover.bench;

import io.cutover.demo.SdnLabFabric;
import io.cutover.lab.Lab;
import io.cutover.lab.Topology;
import io.cutover.sdn.Endpoint;
import io.cutover.sdn.Move;
import io.cutover.sdn.SdnController;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.MacAddress;
import org.projectfloodlight.openflow.types.OFBufferId;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code cutover bench sdn}: (1) 10,000 flows installed by the controller into one bridge and confirmed by a
 * barrier, against the same flows installed by {@code ovs-ofctl -O OpenFlow13 add-flows} into a fresh bridge, in the
 * same run; (2) the latency of {@code commit} of a move that touches three bridges (br-a, br-tor, br-b), p50/p99.
 * Runs on a lab of its own, removed at the end.
 */
@Command(name = "sdn", mixinStandardHelpOptions = true,
        description = "Controller flow install rate vs ovs-ofctl add-flows, and move commit latency on 3 bridges.")
public final class SdnBench implements Callable<Integer> {
    private static final long BENCH_COOKIE = 0x00B0_0000_0000_0000L;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Option(names = "--quick", description = "Fewer rounds and moves (under 60 s).")
    boolean quick;

    @Option(names = "--flows", defaultValue = "10000", description = "Flows per install (default: ${DEFAULT-VALUE}).")
    int flows;

    @Option(names = "--moves", description = "Moves to commit (default: 100, 30 with --quick).")
    Integer moves;

    @Option(names = "--no-bundles", description = "Commit with ordered flow-mods and a barrier.")
    boolean noBundles;

    @Option(names = "--no-journal", description = "Keep the desired state in memory only (no fsync per change).")
    boolean noJournal;

    @Option(names = "--state-dir", description = "Where the journal goes (default: a new temporary directory).")
    Path stateDir;

    @Override
    public Integer call() throws Exception {
        if (flows < 1 || flows > 1_000_000) {
            throw new IllegalArgumentException("--flows must be within 1..1000000");
        }
        int rounds = quick ? 1 : 3;
        int moveCount = moves != null ? moves : quick ? 30 : 100;
        if (moveCount < 1 || moveCount > 10_000) {
            throw new IllegalArgumentException("--moves must be within 1..10000");
        }
        BenchReport report = new BenchReport("sdn");
        Path state = stateDir == null ? Files.createTempDirectory("cutover-sdn-bench")
                : Files.createTempDirectory(Files.createDirectories(stateDir), "cutover-sdn-bench");
        try (Lab lab = Lab.up(null, Topology.LAN).removeAtExit();
             SdnController sdn = SdnController.start(SdnLabFabric.options(lab).port(0)
                     .stateDir(noJournal ? null : state).bundles(!noBundles).build())) {
            int port = sdn.address().getPort();
            List<Double> controllerRates = new ArrayList<>();
            List<Double> ofctlRates = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                String ours = "bench-c" + round;
                String theirs = "bench-o" + round;
                addBridge(lab, ours);
                addBridge(lab, theirs);
                SdnLabFabric.attach(lab, port, List.of(ours));
                sdn.awaitSwitches(List.of(ours), WAIT).toCompletableFuture().join();
                controllerRates.add(controllerInstall(lab, sdn, ours));
                ofctlRates.add(ofctlInstall(lab, theirs));
                lab.vsctl("del-br", ours).orThrow();
                lab.vsctl("del-br", theirs).orThrow();
            }
            double rate = median(controllerRates);
            double ofctlRate = median(ofctlRates);
            report.row("controller install + barrier (" + flows + " flows)", "flows/s", rate);
            report.row("ovs-ofctl add-flows (" + flows + " flows)", "flows/s", ofctlRate);
            report.row("ratio controller / ovs-ofctl", "x", rate / ofctlRate);

            List<String> bridges = lab.topology().bridges();
            double[] durable = commitLatencies(lab, sdn, bridges, moveCount);
            sdn.close();
            double[] network;
            try (SdnController memoryOnly = SdnController.start(SdnLabFabric.options(lab).port(port)
                    .bundles(!noBundles).build())) {
                network = commitLatencies(lab, memoryOnly, bridges, moveCount);
            }
            double p50 = BenchReport.percentile(durable, 50);
            double p99 = BenchReport.percentile(durable, 99);
            report.row("commit p50 (3 bridges, journaled, " + moveCount + " moves)", "ms", p50);
            report.row("commit p99 (3 bridges, journaled)", "ms", p99);
            report.row("commit p50 (3 bridges, memory only)", "ms", BenchReport.percentile(network, 50));
            report.row("commit p99 (3 bridges, memory only)", "ms", BenchReport.percentile(network, 99));
            report.key("flows_per_s", round(rate)).key("ofctl_flows_per_s", round(ofctlRate))
                    .key("ratio", rate / ofctlRate).key("commit_p50_ms", p50).key("commit_p99_ms", p99)
                    .key("commit_nojournal_p50_ms", BenchReport.percentile(network, 50))
                    .key("commit_nojournal_p99_ms", BenchReport.percentile(network, 99));
            report.detail("flows", flows).detail("rounds", rounds).detail("controller_rates", controllerRates)
                    .detail("ofctl_rates", ofctlRates).detail("commit_ms", durable)
                    .detail("commit_nojournal_ms", network)
                    .detail("commit_mode", noBundles ? "ordered flow-mods + barrier" : "ONF bundle per bridge (atomic, ordered)")
                    .detail("load_average", loadAverage()).detail("journal_dir", noJournal ? "none" : state.toString())
                    .detail("goals", "ratio >= 1.0, commit_p99_ms <= 5");
            SdnLabFabric.detach(lab, bridges);
        } finally {
            try (var files = Files.walk(state)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        report.print(System.out);
        return 0;
    }

    /**
     * Moves an endpoint between br-a and br-b (each move touches br-a, br-tor, br-b) after a few unmeasured moves
     * (JIT, connections); the sorted commit times in ms.
     */
    private static double[] commitLatencies(Lab lab, SdnController sdn, List<String> bridges, int count) {
        SdnLabFabric.attach(lab, sdn.address().getPort(), bridges);
        sdn.awaitSwitches(bridges, WAIT).toCompletableFuture().join();
        sdn.setLinks(SdnLabFabric.links(lab)).toCompletableFuture().join();
        Endpoint vm = new Endpoint(100, "bench-vm", SdnLabFabric.NETWORK, "02:b1:00:00:00:01", List.of(), "br-a", "hostA");
        sdn.putEndpoint(vm).toCompletableFuture().join();
        int warmup = Math.max(5, count / 5);
        double[] commits = new double[count];
        for (int i = -warmup; i < count; i++) {
            boolean toB = sdn.endpoint(vm.name()).orElseThrow().switchName().equals("br-a");
            Move move = join(sdn.prepare(vm.name(), toB ? "br-b" : "br-a", toB ? "hostB" : "hostA"));
            long start = System.nanoTime();
            join(sdn.commit(move.id()));
            if (i >= 0) {
                commits[i] = (System.nanoTime() - start) / 1e6;
            }
            join(sdn.cleanup(move.id()));
        }
        Arrays.sort(commits);
        return commits;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    private static void addBridge(Lab lab, String bridge) {
        lab.vsctl("add-br", bridge, "--", "set", "bridge", bridge, "datapath_type=netdev", "fail-mode=secure",
                "protocols=OpenFlow13").orThrow();
        lab.ofctl("-O", "OpenFlow13", "del-flows", bridge).orThrow();
    }

    private double controllerInstall(Lab lab, SdnController sdn, String bridge) {
        OFFactory of = SdnController.factory();
        List<OFFlowMod> mods = new ArrayList<>(flows);
        for (int i = 0; i < flows; i++) {
            mods.add(of.buildFlowAdd().setTableId(TableId.of(0)).setPriority(1000).setCookie(U64.of(BENCH_COOKIE | i))
                    .setBufferId(OFBufferId.NO_BUFFER)
                    .setMatch(of.buildMatch().setExact(MatchField.ETH_DST, MacAddress.of(mac(i))).build())
                    .setInstructions(List.of(of.instructions().applyActions(List.of(of.actions().output(OFPort.LOCAL, 0)))))
                    .build());
        }
        long start = System.nanoTime();
        join(sdn.sendFlowMods(bridge, mods));
        double seconds = (System.nanoTime() - start) / 1e9;
        checkCount(lab, bridge);
        return flows / seconds;
    }

    private double ofctlInstall(Lab lab, String bridge) throws Exception {
        Path file = Files.createTempFile("cutover-sdn-bench", ".flows");
        try {
            StringBuilder text = new StringBuilder(flows * 80);
            for (int i = 0; i < flows; i++) {
                text.append("table=0,priority=1000,cookie=0x").append(Long.toHexString(BENCH_COOKIE | i))
                        .append(",dl_dst=").append(mac(i)).append(",actions=LOCAL\n");
            }
            Files.writeString(file, text);
            long start = System.nanoTime();
            lab.ofctl("-O", "OpenFlow13", "add-flows", bridge, file.toString()).orThrow();
            double seconds = (System.nanoTime() - start) / 1e9;
            checkCount(lab, bridge);
            return flows / seconds;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private void checkCount(Lab lab, String bridge) {
        String out = lab.ofctl("-O", "OpenFlow13", "dump-aggregate", bridge).orThrow().stdout();
        if (!out.contains("flow_count=" + flows)) {
            throw new IllegalStateException(bridge + " does not hold " + flows + " flows: " + out.strip());
        }
    }

    private static String mac(int i) {
        return String.format(Locale.ROOT, "02:b0:00:%02x:%02x:%02x", (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff);
    }

    private static <T> T join(java.util.concurrent.CompletionStage<T> stage) {
        return stage.toCompletableFuture().orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted[sorted.length / 2];
    }

    private static double round(double value) {
        return Math.round(value);
    }
}
