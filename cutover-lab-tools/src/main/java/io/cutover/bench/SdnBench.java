package io.cutover.bench;

import io.cutover.demo.SdnLabFabric;
import io.cutover.lab.Lab;
import io.cutover.lab.Topology;
import io.cutover.sdn.Cookie;
import io.cutover.sdn.Dpid;
import io.cutover.sdn.Endpoint;
import io.cutover.sdn.FlowView;
import io.cutover.sdn.Link;
import io.cutover.sdn.Move;
import io.cutover.sdn.SdnController;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.MacAddress;
import org.projectfloodlight.openflow.types.OFBufferId;
import org.projectfloodlight.openflow.types.OFMetadata;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code cutover bench sdn}, on a lab of its own (removed at the end):
 * <ol>
 *   <li>installing N flows through the controller's real path: {@code putEndpoints} of N endpoints that sit behind
 *       a link, so that each gives the bridge one flow (model check, journal write and fsync, planner, diff,
 *       flow-mods, barrier), against the very same flows installed by {@code ovs-ofctl add-flows BRIDGE FILE} (one
 *       process, flows from a file) and by {@code ovs-ofctl --bundle add-flows BRIDGE FILE}, each into a fresh
 *       bridge; and, to show where the controller's time goes, the same flow-mods pushed raw with
 *       {@code sendFlowMods}; after an untimed warm-up, in rounds, the four taking turns in an order that changes
 *       from round to round (the medians are reported);</li>
 *   <li>the real move path between two bridges, N times: {@code prepare} (the destination's flows),
 *       {@code redirectToForwarder} (the source sends the endpoint's frames to a forwarder port), {@code commit}
 *       (br-b, br-tor and br-a, nearest the destination first, each confirmed), {@code cleanup}; each step's
 *       latency, p50 and p99;</li>
 *   <li>the same moves among {@code --networks} networks, defined one by one through the controller's API
 *       ({@code addNetwork}, each journaled), with an endpoint of each network on br-a and one on br-b, each on a
 *       port of its own: how many flows each endpoint costs the switches, and the commit's latency among them.</li>
 * </ol>
 */
@Command(name = "sdn", mixinStandardHelpOptions = true,
        description = "Controller flow install (its real path) vs ovs-ofctl add-flows, and the latency of a move's steps.")
public final class SdnBench implements Callable<Integer> {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** The switch the install's endpoints sit behind: named by a link, never connected. */
    /** A switch the bench's links lead to and that never connects: the endpoints sit behind it. */
    private static final Dpid FAR_SWITCH = Dpid.of(0xbe7cfa7L);
    private static final Dpid OTHER_FAR_SWITCH = Dpid.of(0xbe7cfa8L);
    /** The port number of each install bridge's uplink, the same on all of them. */
    private static final int UPLINK = 1;
    private static final String MOVING = "bench-vm";
    /** The first id of the networks run's endpoints, above the install's and the moving endpoint's (100). */
    private static final int NETWORK_ENDPOINT_IDS = 1_000_000;
    /** The networks run's VNIs: network N is carried by VNI_BASE + N, apart from its id as an overlay's would be. */
    private static final int VNI_BASE = 10_000;
    /** An endpoint's flow as {@link FlowView} shows it: its MAC and network (the metadata), then its port. */
    private static final Pattern UNICAST = Pattern.compile(
            "eth_dst=([0-9a-f:]{17})(?:,metadata=0x([0-9a-f]+))? output:(\\d+)");

    @Option(names = "--quick", description = "Three install rounds instead of five, and 30 moves (under 60 s).")
    boolean quick;

    @Option(names = "--flows", defaultValue = "10000", description = "Flows per install (default: ${DEFAULT-VALUE}).")
    int flows;

    @Option(names = "--moves", description = "Moves to time (default: 100, 30 with --quick).")
    Integer moves;

    @Option(names = "--networks", defaultValue = "100", description = "Networks of the networks run, each with an "
            + "endpoint on br-a and one on br-b (default: ${DEFAULT-VALUE}; 0 skips the run).")
    int networks;

    @Option(names = "--no-bundles", description = "Commit with ordered flow-mods and a barrier.")
    boolean noBundles;

    @Option(names = "--no-journal", description = "Keep the controller's desired state in memory only (no fsync).")
    boolean noJournal;

    @Option(names = "--state-dir", description = "Where the journal goes (default: a new temporary directory).")
    Path stateDir;

    /** The last command line of each ovs-ofctl baseline, as run (its flow file is removed afterwards). */
    private final Map<String, String> baselineCommands = new LinkedHashMap<>();

    /** One install round's rates, flows per second. */
    private record InstallRates(double controller, double ofctl, double ofctlBundle, double raw, double ofctlFixedMs) {
    }

    /** Each step's latencies over the timed moves, ms. */
    private record MoveLatencies(double[] prepare, double[] redirect, double[] commit) {
    }

    /**
     * What the networks run set up: its endpoints (the moving one aside), the controller's flows carrying an
     * endpoint's cookie on the three bridges, the fabric's (links, one flood per network and bridge), and how long
     * defining each network took (ms).
     */
    private record NetworkRun(int endpoints, int endpointFlows, int fabricFlows, double[] defineMs,
                              MoveLatencies latencies) {
        double flowsPerEndpoint() {
            return (double) endpointFlows / endpoints;
        }
    }

    @Override
    public Integer call() throws Exception {
        if (flows < 1 || flows > 1_000_000) {
            throw new IllegalArgumentException("--flows must be within 1..1000000");
        }
        int rounds = quick ? 3 : 5;
        int moveCount = moves != null ? moves : quick ? 30 : 100;
        if (moveCount < 1 || moveCount > 10_000) {
            throw new IllegalArgumentException("--moves must be within 1..10000");
        }
        if (networks < 0 || networks > 1000) {
            throw new IllegalArgumentException("--networks must be within 0..1000 (each adds two ports to the lab)");
        }
        Path state = stateDir == null ? Files.createTempDirectory("cutover-sdn-bench")
                : Files.createTempDirectory(Files.createDirectories(stateDir), "cutover-sdn-bench");
        BenchReport report = new BenchReport("sdn");
        try (Lab lab = Lab.up(null, Topology.LAN).removeAtExit()) {
            System.err.printf("warm-up: %d flows by the controller...%n", flows);
            List<FlowView> planned = warmUp(lab, state.resolve("warm-up"));
            Path fabricFile = flowFile(planned.stream().filter(f -> Cookie.endpoint(f.cookie()) == 0).toList());
            Path endpointFile = flowFile(planned.stream().filter(f -> Cookie.endpoint(f.cookie()) != 0).toList());
            int fabricFlows = planned.size() - flows;
            List<OFFlowMod> rawMods = flowMods(planned.stream().filter(f -> Cookie.endpoint(f.cookie()) != 0).toList());
            List<InstallRates> installs = new ArrayList<>();
            try {
                for (int round = 0; round < rounds; round++) {
                    System.err.printf("round %d of %d: %d flows by the controller, ovs-ofctl, ovs-ofctl --bundle and"
                            + " the controller's raw push, in turns...%n", round + 1, rounds, flows);
                    installs.add(install(lab, round, state.resolve("install"), fabricFile, endpointFile, fabricFlows,
                            rawMods));
                }
            } finally {
                Files.deleteIfExists(fabricFile);
                Files.deleteIfExists(endpointFile);
            }
            System.err.printf("%d moves br-a <-> br-b: prepare, redirect, commit, cleanup...%n", moveCount);
            MoveLatencies latencies = moveLatencies(lab, state.resolve("moves"), moveCount, sdn -> null).latencies();
            System.err.printf("%d moves again, %d endpoints in the model...%n", moveCount, flows);
            MoveLatencies crowded = moveLatencies(lab, state.resolve("crowded"), moveCount,
                    sdn -> crowd(lab, sdn)).latencies();
            NetworkRun networkRun = null;
            if (networks > 0) {
                System.err.printf("%d networks, an endpoint of each on br-a and br-b; %d moves among them...%n",
                        networks, moveCount);
                networkRun = networkRun(lab, state.resolve("networks"), moveCount);
            }
            report(report, installs, latencies, moveCount, rounds, lab, state);
            reportCrowded(report, crowded);
            if (networkRun != null) {
                reportNetworks(report, networkRun);
            }
        } finally {
            try (var files = Files.walk(state)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        report.print(System.out);
        return 0;
    }

    private void report(BenchReport report, List<InstallRates> installs, MoveLatencies latencies, int moveCount,
                        int rounds, Lab lab, Path state) {
        double controller = median(installs.stream().mapToDouble(InstallRates::controller).toArray());
        double ofctl = median(installs.stream().mapToDouble(InstallRates::ofctl).toArray());
        double bundle = median(installs.stream().mapToDouble(InstallRates::ofctlBundle).toArray());
        double raw = median(installs.stream().mapToDouble(InstallRates::raw).toArray());
        double ratio = controller / ofctl;
        double ratioBundle = controller / bundle;
        double commitP50 = BenchReport.percentile(latencies.commit(), 50);
        double commitP99 = BenchReport.percentile(latencies.commit(), 99);
        report.row("controller: putEndpoints -> plan, journal, flow-mods, barrier", "flows/s", controller)
                .row("ovs-ofctl add-flows BRIDGE FILE", "flows/s", ofctl)
                .row("ovs-ofctl --bundle add-flows BRIDGE FILE", "flows/s", bundle)
                .row("  ratio controller / add-flows (goal >= 1)", "x", ratio)
                .row("  ratio controller / --bundle add-flows", "x", ratioBundle)
                .row("where it goes: the same flow-mods pushed raw (sendFlowMods)", "flows/s", raw)
                .row("ovs-ofctl's fixed cost: start, connect, one request", "ms",
                        median(installs.stream().mapToDouble(InstallRates::ofctlFixedMs).toArray()))
                .row("prepare p50 (destination switch)", "ms", BenchReport.percentile(latencies.prepare(), 50))
                .row("prepare p99", "ms", BenchReport.percentile(latencies.prepare(), 99))
                .row("redirect p50 (source switch, atomic)", "ms", BenchReport.percentile(latencies.redirect(), 50))
                .row("redirect p99", "ms", BenchReport.percentile(latencies.redirect(), 99))
                .row("commit p50 (3 switches, nearest first, atomic each)", "ms", commitP50)
                .row("commit p99 (goal <= 5)", "ms", commitP99)
                .row("commit max", "ms", BenchReport.percentile(latencies.commit(), 100));
        report.key("endpoints", flows);
        report.key("ratio", round(ratio, 100)).key("ratio_bundle", round(ratioBundle, 100))
                .key("commit_p99_ms", round(commitP99, 1000)).key("commit_p50_ms", round(commitP50, 1000))
                .key("redirect_p99_ms", round(BenchReport.percentile(latencies.redirect(), 99), 1000))
                .key("prepare_p99_ms", round(BenchReport.percentile(latencies.prepare(), 99), 1000))
                .key("flows_per_s", Math.round(controller)).key("ofctl_flows_per_s", Math.round(ofctl))
                .key("ofctl_bundle_flows_per_s", Math.round(bundle)).key("raw_flows_per_s", Math.round(raw));
        Map<String, Object> perRound = new LinkedHashMap<>();
        perRound.put("controller", installs.stream().map(r -> Math.round(r.controller())).toList());
        perRound.put("ofctl", installs.stream().map(r -> Math.round(r.ofctl())).toList());
        perRound.put("ofctl_bundle", installs.stream().map(r -> Math.round(r.ofctlBundle())).toList());
        perRound.put("raw_push", installs.stream().map(r -> Math.round(r.raw())).toList());
        report.detail("flows", flows).detail("rounds", rounds).detail("flows_per_s_by_round", perRound)
                .detail("controller_path", "SdnController.putEndpoints(" + flows + " endpoints behind the bridge's"
                        + " uplink) until complete: checks, journal (" + (noJournal ? "none" : "state.json, fsync")
                        + "), planner, diff, " + flows + " OFPT_FLOW_MODs and a barrier on a connected switch")
                .detail("raw_push", "SdnController.sendFlowMods of the same " + flows + " flow-mods, built beforehand:"
                        + " the switch's share of the controller's time")
                .detail("baseline_command", baselineCommands.get("plain"))
                .detail("baseline_bundle_command", baselineCommands.get("bundle"))
                .detail("baseline_environment", "run as Lab.ofctl runs every ovs-ofctl: OVS_RUNDIR and the like point"
                        + " at the lab's ovs-vswitchd under " + lab.dir() + "; FILE holds the controller's very flows for the bridge, one per"
                        + " line, such as: " + ofctlLine(exampleFlow()))
                .detail("moves", moveCount).detail("prepare_ms", latencies.prepare())
                .detail("redirect_ms", latencies.redirect()).detail("commit_ms", latencies.commit())
                .detail("commit_mode", noBundles ? "ordered flow-mods + barrier" : "ONF bundle per switch (atomic, ordered)")
                .detail("journal_dir", noJournal ? "none" : state.toString())
                .detail("goals", "ratio >= 1.0, commit_p99_ms <= 5 on a quiet machine")
                .detail("load_average", loadAverage());
    }

    /**
     * Puts {@link #flows} endpoints into {@code sdn}'s model (on br-tor, at the client's port), so that the moves
     * after it are made on a model of that size: what each move's save and plan handle.
     */
    private Void crowd(Lab lab, SdnController sdn) {
        String port = lab.port("client").switchSide();
        join(sdn.putEndpoints(endpoints(1000, "crowd-", SdnLabFabric.dpid(lab, "br-tor"), i -> port)));
        return null;
    }

    /** {@link #flows} endpoints of the bench's network, ids from {@code firstId}, endpoint i at {@code port(i)}. */
    private List<Endpoint> endpoints(int firstId, String prefix, Dpid sw, java.util.function.IntFunction<String> port) {
        List<Endpoint> endpoints = new ArrayList<>(flows);
        for (int i = 0; i < flows; i++) {
            endpoints.add(new Endpoint(firstId + i, prefix + i, SdnLabFabric.NETWORK, mac(i), List.of(), sw,
                    port.apply(i)));
        }
        return endpoints;
    }

    private void reportCrowded(BenchReport report, MoveLatencies run) {
        double commitP50 = BenchReport.percentile(run.commit(), 50);
        double commitP99 = BenchReport.percentile(run.commit(), 99);
        double prepareP99 = BenchReport.percentile(run.prepare(), 99);
        double redirectP99 = BenchReport.percentile(run.redirect(), 99);
        String crowded = "moves with " + flows + " endpoints in the model: ";
        report.row(crowded + "prepare p99 (journaled before its answer)", "ms", prepareP99)
                .row(crowded + "redirect p99 (likewise)", "ms", redirectP99)
                .row(crowded + "commit p50 (journaled after the switches confirmed)", "ms", commitP50)
                .row(crowded + "commit p99", "ms", commitP99);
        report.key("commit_p50_ms_crowded", round(commitP50, 1000)).key("commit_p99_ms_crowded", round(commitP99, 1000))
                .key("prepare_p99_ms_crowded", round(prepareP99, 1000))
                .key("redirect_p99_ms_crowded", round(redirectP99, 1000));
        report.detail("crowded_ms", Map.of("prepare", run.prepare(), "redirect", run.redirect(), "commit",
                run.commit()));
    }

    private void reportNetworks(BenchReport report, NetworkRun run) {
        double commitP50 = BenchReport.percentile(run.latencies().commit(), 50);
        double commitP99 = BenchReport.percentile(run.latencies().commit(), 99);
        report.row("networks run: flows per endpoint (" + run.endpoints() + " endpoints in " + networks
                        + " networks)", "flows", run.flowsPerEndpoint())
                .row("networks run: define a network p50 (addNetwork, journaled)", "ms",
                        BenchReport.percentile(run.defineMs(), 50))
                .row("networks run: commit p50", "ms", commitP50)
                .row("networks run: commit p99", "ms", commitP99);
        report.key("networks", networks).key("network_endpoints", run.endpoints())
                .key("flows_per_endpoint", round(run.flowsPerEndpoint(), 100))
                .key("commit_p50_ms_networks", round(commitP50, 1000))
                .key("commit_p99_ms_networks", round(commitP99, 1000));
        report.detail("networks_run", Map.of(
                "networks", networks,
                "endpoints", run.endpoints(),
                "layout", "network N (VNI " + VNI_BASE + "+N) has an endpoint on a port of its own on br-a and one on "
                        + "br-b; the moving endpoint is in network " + SdnLabFabric.NETWORK,
                "endpoint_flows", run.endpointFlows(),
                "fabric_flows", run.fabricFlows(),
                "define_network_ms", run.defineMs(),
                "commit_ms", run.latencies().commit(),
                "prepare_ms", run.latencies().prepare(),
                "redirect_ms", run.latencies().redirect()));
    }

    // ---- flow install -------------------------------------------------------------------------------------------

    /**
     * The warm-up: the controller installs the flows of {@link #flows} endpoints into a bridge, untimed (JIT, the
     * switch's first tables); returns the flows it planned there, which every later install repeats.
     */
    private List<FlowView> warmUp(Lab lab, Path journal) {
        String bridge = "bench-warm";
        addBridge(lab, bridge);
        try {
            List<FlowView> planned = new ArrayList<>();
            controllerInstall(lab, bridge, journal, planned);
            if (planned.stream().filter(f -> Cookie.endpoint(f.cookie()) != 0).count() != flows) {
                throw new IllegalStateException("the controller did not plan one flow per endpoint on " + bridge);
            }
            return planned;
        } finally {
            lab.vsctl("del-br", bridge).orThrow();
        }
    }

    /**
     * One round: the controller, ovs-ofctl with and without a bundle, and the controller's raw push each install the
     * flows into a fresh bridge of its own, taking turns in an order that changes from round to round.
     */
    private InstallRates install(Lab lab, int round, Path journal, Path fabricFile, Path endpointFile, int fabricFlows,
                                 List<OFFlowMod> rawMods) {
        String ours = "bench-c" + round;
        String plain = "bench-o" + round;
        String bundled = "bench-b" + round;
        String raw = "bench-r" + round;
        List<String> bridges = List.of(ours, plain, bundled, raw);
        bridges.forEach(bridge -> addBridge(lab, bridge));
        try {
            long fixedStart = System.nanoTime();
            lab.ofctl("-O", "OpenFlow13", "dump-aggregate", plain).orThrow();
            double fixedMs = (System.nanoTime() - fixedStart) / 1e6;
            double[] seconds = new double[bridges.size()];
            for (int turn = 0; turn < bridges.size(); turn++) {
                int contender = (turn + round) % bridges.size();
                seconds[contender] = switch (contender) {
                    case 0 -> controllerInstall(lab, ours, journal.resolve("round-" + round), new ArrayList<>());
                    case 1 -> ofctlInstall(lab, plain, List.of(), fabricFile, endpointFile, fabricFlows);
                    case 2 -> ofctlInstall(lab, bundled, List.of("--bundle"), fabricFile, endpointFile, fabricFlows);
                    default -> rawInstall(lab, raw, rawMods);
                };
            }
            return new InstallRates(flows / seconds[0], flows / seconds[1], flows / seconds[2], flows / seconds[3],
                    fixedMs);
        } finally {
            bridges.forEach(bridge -> lab.vsctl("del-br", bridge).orThrow());
        }
    }

    /**
     * Where the controller's time goes: the same endpoint flows, already built as OpenFlow messages, pushed with
     * {@code sendFlowMods} (flow-mods and a barrier on a connected switch: no model, journal, planner or diff).
     */
    private double rawInstall(Lab lab, String bridge, List<OFFlowMod> mods) {
        try (SdnController sdn = SdnController.start(SdnLabFabric.options(lab).port(0).build())) {
            SdnLabFabric.attach(lab, sdn.address().getPort(), List.of(bridge));
            Dpid dpid = SdnLabFabric.dpid(lab, bridge);
            join(sdn.awaitSwitches(List.of(dpid), WAIT));
            long start = System.nanoTime();
            join(sdn.sendFlowMods(dpid, mods));
            double seconds = (System.nanoTime() - start) / 1e9;
            // beside the pushed flows, the bridge holds what the controller installs on every switch it connects
            // (the flow that brings its probes' answers to it)
            requireFlows(lab, bridge, mods.size() + sdn.desiredFlows(dpid).size());
            return seconds;
        }
    }

    /** The planned endpoint flows (each {@code eth_dst=MAC} to {@code output:N}) as the flow-mods the plan sends. */
    static List<OFFlowMod> flowMods(List<FlowView> flows) {
        OFFactory of = SdnController.factory();
        List<OFFlowMod> mods = new ArrayList<>(flows.size());
        for (FlowView flow : flows) {
            Matcher unicast = UNICAST.matcher(flow.match() + " " + flow.instructions());
            if (!unicast.matches()) {
                throw new IllegalStateException("not a unicast flow: " + ofctlLine(flow));
            }
            var match = of.buildMatch().setExact(MatchField.ETH_DST, MacAddress.of(unicast.group(1)));
            if (unicast.group(2) != null) {
                match.setExact(MatchField.METADATA, OFMetadata.of(U64.of(Long.parseUnsignedLong(unicast.group(2), 16))));
            }
            mods.add(of.buildFlowAdd().setTableId(TableId.of(flow.table())).setPriority(flow.priority())
                    .setMatch(match.build())
                    .setCookie(U64.of(flow.cookie()))
                    .setInstructions(List.of(of.instructions().applyActions(List.of(
                            of.actions().output(OFPort.of(Integer.parseInt(unicast.group(3))), 0)))))
                    .setBufferId(OFBufferId.NO_BUFFER).build());
        }
        return mods;
    }

    /**
     * A controller of its own, connected to {@code bridge}, its links set (the bridge's uplink to the far switch);
     * then, timed, {@code putEndpoints} of {@link #flows} endpoints behind the uplink. Adds the flows it planned for
     * the bridge to {@code planned}; the time in seconds.
     */
    private double controllerInstall(Lab lab, String bridge, Path journal, List<FlowView> planned) {
        try (SdnController sdn = SdnController.start(SdnLabFabric.options(lab).port(0)
                .stateDir(noJournal ? null : journal).build())) {
            SdnLabFabric.attach(lab, sdn.address().getPort(), List.of(bridge));
            Dpid dpid = SdnLabFabric.dpid(lab, bridge);
            join(sdn.awaitSwitches(List.of(dpid), WAIT));
            // a second far switch makes the bridge the centre of the links, the fabric's root, which holds a flow for
            // every endpoint (a leaf sends them up by one default flow); its port is not on the bridge, so no flow uses it
            join(sdn.setLinks(List.of(new Link(dpid, uplink(bridge), FAR_SWITCH, "far-down"),
                    new Link(dpid, bridge + "-other", OTHER_FAR_SWITCH, "far-down"))));
            List<Endpoint> endpoints = endpoints(1, "bench-", FAR_SWITCH, i -> "vm" + i);
            long start = System.nanoTime();
            join(sdn.putEndpoints(endpoints));
            double seconds = (System.nanoTime() - start) / 1e9;
            planned.addAll(sdn.desiredFlows(dpid));
            requireFlows(lab, bridge, sdn.desiredFlows(dpid).size());
            return seconds;
        }
    }

    /** Installs the fabric's flows untimed, then times {@code ovs-ofctl [options] add-flows} of the endpoints'. */
    private double ofctlInstall(Lab lab, String bridge, List<String> options, Path fabric, Path endpoints,
                                int fabricFlows) {
        lab.ofctl("-O", "OpenFlow13", "add-flows", bridge, fabric.toString()).orThrow();
        List<String> command = new ArrayList<>(List.of("-O", "OpenFlow13"));
        command.addAll(options);
        command.addAll(List.of("add-flows", bridge, endpoints.toString()));
        long start = System.nanoTime();
        lab.ofctl(command.toArray(String[]::new)).orThrow();
        double seconds = (System.nanoTime() - start) / 1e9;
        requireFlows(lab, bridge, flows + fabricFlows);
        baselineCommands.put(options.isEmpty() ? "plain" : "bundle", "ovs-ofctl " + String.join(" ", command));
        return seconds;
    }

    /** A bridge like the lab's (userspace datapath, secure, OpenFlow 1.3) with an uplink at port {@link #UPLINK}. */
    private static void addBridge(Lab lab, String bridge) {
        lab.vsctl("add-br", bridge, "--", "set", "bridge", bridge, "datapath_type=netdev", "fail-mode=secure",
                "protocols=OpenFlow13", "--", "add-port", bridge, uplink(bridge), "--", "set", "interface",
                uplink(bridge), "type=internal", "ofport_request=" + UPLINK).orThrow();
        lab.ofctl("-O", "OpenFlow13", "del-flows", bridge).orThrow();
    }

    private static String uplink(String bridge) {
        return bridge + "-up";
    }

    private static Path flowFile(List<FlowView> flows) throws IOException {
        Path file = Files.createTempFile("cutover-sdn-bench", ".flows");
        StringBuilder text = new StringBuilder(flows.size() * 100);
        flows.forEach(flow -> text.append(ofctlLine(flow)).append('\n'));
        Files.writeString(file, text);
        return file;
    }

    /** A flow as {@code ovs-ofctl add-flows} reads it. */
    static String ofctlLine(FlowView flow) {
        return "table=" + flow.table() + ",priority=" + flow.priority() + ",cookie=" + Cookie.format(flow.cookie())
                + (flow.match().isEmpty() ? "" : "," + flow.match()) + ",actions=" + flow.instructions();
    }

    private static FlowView exampleFlow() {
        return new FlowView(FAR_SWITCH, 1, 100, Cookie.of(SdnLabFabric.NETWORK, 1, 0), "eth_dst=" + mac(0)
                + ",metadata=0x" + Integer.toHexString(SdnLabFabric.NETWORK), "output:" + UPLINK);
    }

    private static void requireFlows(Lab lab, String bridge, int expected) {
        String out = lab.ofctl("-O", "OpenFlow13", "dump-aggregate", bridge).orThrow().stdout();
        if (!out.contains("flow_count=" + expected)) {
            throw new IllegalStateException(bridge + " does not hold " + expected + " flows: " + out.strip());
        }
    }

    private static String mac(int i) {
        return String.format(Locale.ROOT, "02:b0:00:%02x:%02x:%02x", (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff);
    }

    // ---- moves --------------------------------------------------------------------------------------------------

    /**
     * Moves an endpoint between br-a and br-b through the whole path, after a few unmeasured moves (JIT,
     * connections): prepare, redirect to a forwarder port on the source switch, commit, cleanup. {@code populate}
     * runs once the switches are connected and the links set, before the moving endpoint is put: what it returns
     * comes back with the latencies.
     */
    private <T> MoveRun<T> moveLatencies(Lab lab, Path journal, int count,
                                         java.util.function.Function<SdnController, T> populate) {
        Map<String, String> forwarders = Map.of("br-a", "bench-fwd-a", "br-b", "bench-fwd-b");
        forwarders.forEach((bridge, port) -> lab.vsctl("--may-exist", "add-port", bridge, port, "--", "set",
                "interface", port, "type=internal").orThrow());
        List<String> bridges = lab.topology().bridges();
        Dpid switchA = SdnLabFabric.dpid(lab, "br-a");
        Dpid switchB = SdnLabFabric.dpid(lab, "br-b");
        try (SdnController sdn = SdnController.start(SdnLabFabric.options(lab).port(0)
                .stateDir(noJournal ? null : journal).bundles(!noBundles).build())) {
            SdnLabFabric.attach(lab, sdn.address().getPort(), bridges);
            join(sdn.awaitSwitches(SdnLabFabric.dpids(lab, bridges), WAIT));
            join(sdn.setLinks(SdnLabFabric.links(lab)));
            T populated = populate.apply(sdn);
            join(sdn.putEndpoint(new Endpoint(100, MOVING, SdnLabFabric.NETWORK, "02:b1:00:00:00:01", List.of(),
                    switchA, "hostA")));
            int warmup = Math.max(5, count / 5);
            double[] prepare = new double[count];
            double[] redirect = new double[count];
            double[] commit = new double[count];
            for (int i = -warmup; i < count; i++) {
                boolean toB = sdn.endpoint(MOVING).orElseThrow().switchId().equals(switchA);
                long start = System.nanoTime();
                Move move = join(sdn.prepare(MOVING, toB ? switchB : switchA, toB ? "hostB" : "hostA"));
                long prepared = System.nanoTime();
                join(sdn.redirectToForwarder(move.id(), forwarders.get(toB ? "br-a" : "br-b")));
                long redirected = System.nanoTime();
                join(sdn.commit(move.id()));
                long committed = System.nanoTime();
                join(sdn.cleanup(move.id()));
                if (i >= 0) {
                    prepare[i] = (prepared - start) / 1e6;
                    redirect[i] = (redirected - prepared) / 1e6;
                    commit[i] = (committed - redirected) / 1e6;
                }
            }
            return new MoveRun<>(new MoveLatencies(prepare, redirect, commit), populated);
        } finally {
            SdnLabFabric.detach(lab, bridges);
        }
    }

    /** A move run's latencies, and what its {@code populate} gave. */
    private record MoveRun<T>(MoveLatencies latencies, T populated) {
    }

    /** What the networks run's {@code populate} measured: each definition's time, and the flows the plan holds. */
    private record Populated(double[] defineMs, int endpoints, int endpointFlows, int fabricFlows) {
    }

    /**
     * The moves of {@link #moveLatencies} among {@link #networks} networks: each defined through the controller's API
     * (timed, one by one), then an endpoint of each on a port of its own on br-a and on br-b (the ports made before
     * the controller connects, so that it learns them in one port description); the flows the three bridges hold
     * per endpoint are read from the plan once every switch confirmed them, before the moves.
     */
    private NetworkRun networkRun(Lab lab, Path journal, int count) {
        Map<String, String> sides = new LinkedHashMap<>();
        sides.put("br-a", "a");
        sides.put("br-b", "b");
        sides.forEach((bridge, side) -> {
            List<String> command = new ArrayList<>();
            for (int n = 1; n <= networks; n++) {
                command.addAll(List.of("--", "--may-exist", "add-port", bridge, networkPort(side, n), "--", "set",
                        "interface", networkPort(side, n), "type=internal"));
            }
            lab.vsctl(command.subList(1, command.size()).toArray(String[]::new)).orThrow();
        });
        Dpid switchA = SdnLabFabric.dpid(lab, "br-a");
        Dpid switchB = SdnLabFabric.dpid(lab, "br-b");
        List<Dpid> switches = SdnLabFabric.dpids(lab, lab.topology().bridges());
        MoveRun<Populated> run = moveLatencies(lab, journal, count, sdn -> {
            double[] defineMs = new double[networks];
            for (int n = 1; n <= networks; n++) {
                long start = System.nanoTime();
                join(sdn.addNetwork(new io.cutover.sdn.Network(n, VNI_BASE + n, "bench-net-" + n)));
                defineMs[n - 1] = (System.nanoTime() - start) / 1e6;
            }
            List<Endpoint> endpoints = new ArrayList<>(2 * networks);
            for (int n = 1; n <= networks; n++) {
                endpoints.add(networkEndpoint(n, "a", switchA));
                endpoints.add(networkEndpoint(n, "b", switchB));
            }
            join(sdn.putEndpoints(endpoints));
            int[] flowCounts = new int[2];
            for (Dpid sw : switches) {
                for (FlowView flow : sdn.desiredFlows(sw)) {
                    flowCounts[Cookie.endpoint(flow.cookie()) == 0 ? 1 : 0]++;
                }
            }
            if (flowCounts[0] < endpoints.size()) {
                throw new IllegalStateException("the controller planned " + flowCounts[0] + " flows for "
                        + endpoints.size() + " endpoints: some ports were not known");
            }
            return new Populated(defineMs, endpoints.size(), flowCounts[0], flowCounts[1]);
        });
        Populated populated = run.populated();
        return new NetworkRun(populated.endpoints(), populated.endpointFlows(), populated.fabricFlows(),
                populated.defineMs(), run.latencies());
    }

    /** The port of network {@code network}'s endpoint on side {@code a} (br-a) or {@code b}: at most 8 characters. */
    static String networkPort(String side, int network) {
        return "bn" + side + "-" + network;
    }

    /** Network {@code network}'s endpoint on side {@code a} or {@code b}: an id, name, MAC and port of its own. */
    static Endpoint networkEndpoint(int network, String side, Dpid sw) {
        int id = NETWORK_ENDPOINT_IDS + 2 * network + ("a".equals(side) ? 0 : 1);
        return new Endpoint(id, "net" + network + "-" + side, network, String.format(Locale.ROOT,
                "02:b2:%02x:%02x:%02x:01", "a".equals(side) ? 0xa : 0xb, (network >> 8) & 0xff, network & 0xff),
                List.of(), sw, networkPort(side, network));
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private static <T> T join(CompletionStage<T> stage) {
        return stage.toCompletableFuture().orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    }

    private static double median(double[] values) {
        return BenchReport.percentile(values, 50);
    }

    private static double round(double value, double scale) {
        return Math.round(value * scale) / scale;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
