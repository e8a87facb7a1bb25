package io.cutover.bench;

import io.cutover.bench.sim.SimFlows;
import io.cutover.bench.sim.SimulatedSwitch;
import io.cutover.bench.sim.SwitchSimulator;
import io.cutover.sdn.Dpid;
import io.cutover.sdn.Endpoint;
import io.cutover.sdn.FlowView;
import io.cutover.sdn.Move;
import io.cutover.sdn.MoveState;
import io.cutover.sdn.SwitchInfo;
import io.cutover.sdn.rest.SdnRestClient;
import io.cutover.support.JsonHttpClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code cutover bench scale}: one controller, run as its own process ({@code cutover.jar sdn serve}, so that its
 * memory is its own), against {@link SwitchSimulator simulated switches} in a tree ({@link ScaleFabric}), endpoints
 * added through the REST API, then moves through the REST plan path (prepare, redirect, commit, cleanup) from a few
 * clients at once. It measures the time to connect the switches and to push the initial flows, moves per second, the
 * commit's latency and the controller's memory, and samples the controller's core thread to say where its time goes.
 * Bounded: each phase has its share of a time limit, and a phase cut short is reported as such.
 */
@Command(name = "scale", mixinStandardHelpOptions = true,
        description = "One controller against N simulated switches and M endpoints: moves/s, commit latency, memory.")
public final class ScaleBench implements Callable<Integer> {
    private static final int BATCH = 2_000;
    private static final int SAMPLE_SWITCHES = 4;
    /** How long the moves last whose store writes the master counts, after the failover. */
    private static final long STORE_WRITES_SECONDS = 3;
    /** How a cut move ended that the cluster no longer knows: closed, and past the closed moves it keeps. */
    private static final String FORGOTTEN = "closed (forgotten: a controller keeps the last "
            + io.cutover.sdn.impl.ModelState.MAX_CLOSED_MOVES + " closed moves)";

    @Option(names = "--quick", description = "20 switches, 1,000 endpoints, 5 s of warm-up, 10 s of moves (under 60 s).")
    boolean quick;

    @Option(names = "--switches", description = "Simulated switches (default 1000, 20 with --quick).")
    Integer switches;

    @Option(names = "--endpoints", description = "Endpoints (default 50000, 1000 with --quick).")
    Integer endpoints;

    @Option(names = "--concurrency", defaultValue = "8", description = "Moves under way at once (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--moves-seconds", description = "How long to run moves (default 60, 10 with --quick).")
    Integer movesSeconds;

    @Option(names = "--warmup-seconds", description = "Moves made first and not counted, so that the JVMs' compilers "
            + "are done with the move path before it is measured, as in a controller that has run for a while (default "
            + "20, 5 with --quick). Their rate is reported as cold_moves_per_s.")
    Integer warmupSeconds;

    @Option(names = "--cluster", description = "Three controllers on a replicated store (a lab with --store), every "
            + "switch connected to all three; kills the master during the moves and measures the failover.")
    boolean cluster;

    @Option(names = "--profile", description = "Sample the controller's core thread with jstack while endpoints are "
            + "added (every 2 s) and during the moves (every 1 s), and report where it was. Off by default: each sample "
            + "starts a JVM, which takes a share of a small machine's cores from the run it measures.")
    boolean profileCore;

    @Option(names = "--time-limit", description = "The whole run's limit in seconds (default 600, 120 with --quick).")
    Integer timeLimit;

    /** What the run reached; the report says where it stopped. */
    private final Map<String, Object> reached = new LinkedHashMap<>();
    /** The leaf each moved endpoint is on now (one not here is where the fabric put it), across every run of moves. */
    private final Map<Integer, Integer> placed = new ConcurrentHashMap<>();

    @Override
    public Integer call() throws Exception {
        int n = switches != null ? switches : quick ? 20 : 1000;
        int m = endpoints != null ? endpoints : quick ? 1000 : 50_000;
        if (m < 1 || m > 1_000_000 || concurrency < 1 || concurrency > 256) {
            throw new IllegalArgumentException("--endpoints must be within 1..1000000, --concurrency within 1..256");
        }
        ScaleFabric fabric = ScaleFabric.of(n, m);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeLimit != null ? timeLimit : quick ? 120 : 600);
        int moveSeconds = movesSeconds != null ? movesSeconds : quick ? 10 : 60;
        BenchReport report = new BenchReport("scale");
        Files.createDirectories(BenchReport.OUTPUT_DIR);
        Path log = BenchReport.OUTPUT_DIR.resolve("scale-controller.log").toAbsolutePath();
        ScaleCluster members = cluster ? ScaleCluster.start(BenchReport.OUTPUT_DIR, controllerArgs()) : null;
        int openflowPort = cluster ? 0 : freePort();
        int restPort = cluster ? members.awaitMaster(deadline).restPort() : freePort();
        Process controller = cluster ? members.awaitMaster(deadline).process()
                : startController(openflowPort, restPort, log);
        if (cluster) {
            log = members.awaitMaster(deadline).log();
        }
        List<InetSocketAddress> targets = cluster ? members.members().stream().map(ScaleCluster.Member::openflow)
                .toList() : List.of(new InetSocketAddress("127.0.0.1", openflowPort));
        List<String> profile = new ArrayList<>();
        try (JsonHttpClient http = JsonHttpClient.builder(URI.create("http://127.0.0.1:" + restPort + "/v1/"))
                .timeout(Duration.ofSeconds(600)).build()) {
            awaitRest(http, controller, deadline, log);
            System.err.printf("%s%n", fabric.describe());
            System.err.printf("connecting %d simulated switches...%n", n);
            long start = System.nanoTime();
            try (SwitchSimulator sim = SwitchSimulator.connect(targets, fabric.specs(), 2)) {
                sim.awaitDescribed(remaining(deadline));
                awaitConnected(http, n, deadline);
                reached.put("connect_s", seconds(start));
                http.send("PUT", "links", fabric.links(), remaining(deadline)).requireStatus(200);
                System.err.printf("adding %d endpoints through POST /v1/endpoints, %d a call...%n", m, BATCH);
                start = System.nanoTime();
                ProfileSampler sampler = profiler(controller, Duration.ofSeconds(2));
                for (int from = 0; from < m; from += BATCH) {
                    List<Endpoint> batch = new ArrayList<>();
                    for (int i = from; i < Math.min(m, from + BATCH); i++) {
                        batch.add(fabric.endpoint(i));
                    }
                    http.send("POST", "endpoints", batch, remaining(deadline)).requireStatus(201);
                    reached.put("endpoints_added", Math.min(m, from + BATCH));
                }
                reached.put("initial_flows_s", seconds(start));
                reached.put("flows_total", sim.totalFlows());
                profile.addAll(sampler.stop("adding endpoints"));
                reached.put("sample_verified", verifySample(http, sim, fabric));
                System.err.printf("%d clients moving endpoints for %d s (prepare, redirect, commit, cleanup)...%n",
                        concurrency, moveSeconds);
                List<URI> urls = cluster ? members.members().stream().map(ScaleCluster.Member::rest).toList()
                        : List.of(URI.create("http://127.0.0.1:" + restPort + "/v1/"));
                int warmup = warmupSeconds != null ? warmupSeconds : quick ? 5 : 20;
                if (warmup > 0) {
                    System.err.printf("warming up: %d s of moves, not counted...%n", warmup);
                    reached.put("warmup_moves", runMoves(urls, fabric, Math.min(warmup, remainingSeconds(deadline))));
                }
                sampler = profiler(controller, Duration.ofSeconds(1));
                long seconds = Math.min(moveSeconds, remainingSeconds(deadline));
                Thread failover = cluster ? failover(members, members.awaitMaster(deadline), sim, seconds) : null;
                Moves moves = runMoves(urls, fabric, seconds);
                profile.addAll(sampler.stop("moves"));
                reached.put("moves", moves);
                if (failover != null) {
                    failover.join(TimeUnit.SECONDS.toMillis(30));
                    ScaleCluster.Member master = members.awaitMaster(deadline);
                    controller = master.process();
                    try (JsonHttpClient survivor = JsonHttpClient.builder(master.rest())
                            .timeout(Duration.ofSeconds(600)).build()) {
                        reached.put("switches_off_plan", offPlan(survivor, sim, deadline));
                        reached.put("sample_verified_after_moves", verifySample(survivor, sim, fabric));
                    }
                    reached.put("store_writes", storeWritesPerMove(master, urls, fabric));
                } else {
                    reached.put("sample_verified_after_moves", verifySample(http, sim, fabric));
                }
                reached.put("rss", memory(controller.pid()));
            }
        } catch (RuntimeException e) {
            reached.put("stopped", e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
            System.err.println("bench scale stopped: " + reached.get("stopped"));
            reached.putIfAbsent("rss", memory(controller.pid()));
        } finally {
            if (members != null) {
                members.close();
            } else {
                controller.destroy();
                if (!controller.waitFor(10, TimeUnit.SECONDS)) {
                    controller.destroyForcibly();
                }
            }
        }
        report(report, fabric, profile, log);
        report.print(System.out);
        return reached.containsKey("stopped") ? 1 : 0;
    }

    private ProfileSampler profiler(Process controller, Duration interval) {
        return profileCore ? ProfileSampler.start(controller.pid(), interval) : ProfileSampler.OFF;
    }

    // ---- the controller as its own process ----------------------------------------------------------------------

    private static Process startController(int openflowPort, int restPort, Path log) throws IOException {
        List<String> args = new ArrayList<>(controllerArgs());
        args.addAll(List.of("--listen", "127.0.0.1:" + openflowPort, "--rest", "127.0.0.1:" + restPort));
        return startProcess(args, log);
    }

    /** What every controller of the bench is given, before its addresses. */
    private static List<String> controllerArgs() {
        return List.of("sdn", "serve", "--handshake-timeout", "120s", "--echo-interval", "30s", "--log-level", System.getProperty("bench.controller.log", "warn"));
    }

    /** {@code cutover.jar ARGS} as a child process, its output to {@code log}. */
    static Process startProcess(List<String> args, Path log) throws IOException {
        Path jar = ownJar();
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(jvmOptions(System.getenv("CUTOVER_BENCH_CONTROLLER_OPTS")));
        command.addAll(List.of("-jar", jar.toString()));
        command.addAll(args);
        System.err.println("controller: " + String.join(" ", command) + " (log: " + log + ")");
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /**
     * A third into the moves, kills the master with SIGKILL and measures failover_ms: from the kill until every
     * simulated switch has a MASTER connection again (the killed member's connections are gone, so from a survivor),
     * the last switch's own time of it.
     */
    private Thread failover(ScaleCluster members, ScaleCluster.Member master, SwitchSimulator sim, long seconds) {
        Thread thread = new Thread(() -> {
            try {
                Thread.sleep(TimeUnit.SECONDS.toMillis(seconds) / 3);
                System.err.printf("killing the master (REST port %d) with SIGKILL...%n", master.restPort());
                long killed = System.nanoTime();
                members.kill(master);
                long until = killed + TimeUnit.SECONDS.toNanos(60);
                while (!sim.switches().stream().allMatch(sw -> sw.hasMaster()
                        && !sw.roles().containsKey(master.openflowPort()))) {
                    if (System.nanoTime() > until) {
                        reached.put("failover_ms", "over 60000");
                        return;
                    }
                    Thread.sleep(10);
                }
                // when the last switch took its new master, as the switches noted it: a sweep of 1,000 switches
                // under load took seconds, which the time the sweep ended counted
                long last = sim.switches().stream().mapToLong(SimulatedSwitch::masteredAt).max().orElse(killed);
                reached.put("failover_ms", (last - killed) / 1_000_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "bench-failover");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /**
     * JVM options of a bench's daemons from an environment variable's {@code value} (separated by white space), such
     * as {@code CUTOVER_BENCH_CONTROLLER_OPTS=-XX:StartFlightRecording=filename=/tmp/jfr/,dumponexit=true}: none when
     * it is unset or blank.
     */
    static List<String> jvmOptions(String value) {
        return value == null || value.isBlank() ? List.of() : List.of(value.strip().split("\\s+"));
    }

    /** The jar this bench runs from: the controller is started from it too. */
    private static Path ownJar() {
        try {
            Path self = Path.of(ScaleBench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!self.toString().endsWith(".jar")) {
                throw new IllegalStateException("bench scale runs the controller from its own jar: run it through "
                        + "./cutover (cutover-cli/target/cutover.jar), not from " + self);
            }
            return self;
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException("cannot find the jar bench scale runs from", e);
        }
    }

    private static void awaitRest(JsonHttpClient http, Process controller, long deadline, Path log) {
        while (true) {
            if (!controller.isAlive()) {
                throw new IllegalStateException("the controller exited (" + controller.exitValue() + "); see " + log);
            }
            try {
                http.send("GET", "switches", null, Duration.ofSeconds(2)).requireStatus(200);
                return;
            } catch (RuntimeException e) {
                pause(deadline, 200);
            }
        }
    }

    private void awaitConnected(JsonHttpClient http, int n, long deadline) {
        while (true) {
            long connected = Arrays.stream(http.send("GET", "switches", null, remaining(deadline)).requireStatus(200)
                    .body(SwitchInfo[].class)).filter(SwitchInfo::connected).count();
            reached.put("switches_connected", connected);
            if (connected == n) {
                return;
            }
            pause(deadline, 250);
        }
    }

    // ---- checks -------------------------------------------------------------------------------------------------

    /**
     * Compares the tables of a few switches (the root, a rack switch, the first and last leaf) with the flows the
     * controller planned for them; throws on a difference. Returns how many flows were compared.
     */
    private static int verifySample(JsonHttpClient http, SwitchSimulator sim, ScaleFabric fabric) {
        List<Long> sample = List.of(ScaleFabric.ROOT, ScaleFabric.torDpid(0), ScaleFabric.leafDpid(0),
                ScaleFabric.leafDpid(fabric.leaves() - 1));
        int compared = 0;
        for (long dpid : sample.subList(0, Math.min(SAMPLE_SWITCHES, sample.size()))) {
            Set<String> planned = SimFlows.ofPlan(Arrays.asList(http.send("GET", "switches/" + Dpid.of(dpid)
                    + "/flows?desired=true", null).requireStatus(200).body(FlowView[].class)));
            Set<String> held = SimFlows.ofTable(sim.get(dpid).flows());
            if (!planned.equals(held)) {
                Set<String> missing = new java.util.TreeSet<>(planned);
                missing.removeAll(held);
                Set<String> extra = new java.util.TreeSet<>(held);
                extra.removeAll(planned);
                throw new IllegalStateException("switch " + Dpid.of(dpid) + " does not hold its planned flows: "
                        + missing.size() + " missing (such as " + missing.stream().findFirst().orElse("-") + "), "
                        + extra.size() + " extra (such as " + extra.stream().findFirst().orElse("-") + ")");
            }
            compared += planned.size();
        }
        return compared;
    }

    /**
     * After the failover: how many switches' tables still differ from the new master's plan, each compared again
     * until it matches or 15 s have passed (the new master reconciles switch by switch). A move half applied on
     * some switch would leave that switch off plan.
     */
    private static int offPlan(JsonHttpClient http, SwitchSimulator sim, long deadline) {
        long until = Math.min(deadline, System.nanoTime() + TimeUnit.SECONDS.toNanos(15));
        List<Long> left = new ArrayList<>(sim.switches().stream().map(sw -> sw.spec().dpid()).toList());
        while (true) {
            left.removeIf(dpid -> SimFlows.ofPlan(Arrays.asList(http.send("GET", "switches/" + Dpid.of(dpid)
                    + "/flows?desired=true", null).requireStatus(200).body(FlowView[].class)))
                    .equals(SimFlows.ofTable(sim.get(dpid).flows())));
            if (left.isEmpty() || System.nanoTime() > until) {
                return left.size();
            }
            pause(deadline, 250);
        }
    }

    // ---- moves --------------------------------------------------------------------------------------------------

    /**
     * The moves' outcome: how many, how long, each step's latencies (ms), failures, and the moves a failure cut after
     * their prepare with where each ended.
     */
    record Moves(int done, double seconds, double[] prepare, double[] redirect, double[] commit, double[] cleanup,
                 List<String> failures, List<CutMove> cut) {
        /** The cut moves that neither completed nor rolled back: half applied, or lost by the controllers. */
        long halfApplied() {
            return cut.stream().filter(move -> !move.settled()).count();
        }
    }

    /**
     * A move whose client saw a step fail after its prepare (the master killed under it): {@code ended} is the state
     * the cluster gave it once asked again, after the client rolled back a move it found open (as an agent's plan
     * does), or how asking failed.
     */
    record CutMove(int id, String endpoint, String ended) {
        boolean settled() {
            return List.of(MoveState.COMMITTED.name(), MoveState.CLEANED.name(), MoveState.ROLLED_BACK.name(),
                    FORGOTTEN).contains(ended);
        }
    }

    /**
     * {@link #concurrency} clients, each moving endpoints of its own (endpoint i belongs to client i mod concurrency)
     * to a random other leaf's arrival port, through the REST API, for {@code seconds}.
     */
    private Moves runMoves(List<URI> members, ScaleFabric fabric, long seconds) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        ConcurrentLinkedQueue<double[]> samples = new ConcurrentLinkedQueue<>();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        List<CutMove> cut = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger done = new AtomicInteger();
        SdnRestClient client = new SdnRestClient(members, null, Duration.ofSeconds(60), null);
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        long start = System.nanoTime();
        for (int c = 0; c < concurrency; c++) {
            int worker = c;
            pool.execute(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (System.nanoTime() < until && failures.size() < 10) {
                    int mine = (fabric.endpoints() - 1 - worker) / concurrency + 1;
                    int e = worker + concurrency * random.nextInt(mine);
                    int from = placed.getOrDefault(e, fabric.leafOf(e));
                    int to = (from + 1 + random.nextInt(fabric.leaves() - 1)) % fabric.leaves();
                    String name = fabric.endpoint(e).name();
                    Move move = null;
                    try {
                        long t0 = System.nanoTime();
                        move = client.prepare(name, Dpid.of(ScaleFabric.leafDpid(to)), ScaleFabric.ARRIVAL_PORT)
                                .toCompletableFuture().join();
                        long t1 = System.nanoTime();
                        client.redirectToForwarder(move.id(), ScaleFabric.FORWARDER_PORT).toCompletableFuture().join();
                        long t2 = System.nanoTime();
                        client.commit(move.id()).toCompletableFuture().join();
                        long t3 = System.nanoTime();
                        client.cleanup(move.id()).toCompletableFuture().join();
                        long t4 = System.nanoTime();
                        placed.put(e, to);
                        samples.add(new double[] {(t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6, (t4 - t3) / 1e6});
                        done.incrementAndGet();
                    } catch (RuntimeException ex) {
                        failures.add(name + ": " + ex.getMessage());
                        if (move != null) {
                            cut.add(settle(client, move));
                        }
                    }
                }
            });
        }
        pool.shutdown();
        if (!pool.awaitTermination(seconds + 120, TimeUnit.SECONDS)) {
            pool.shutdownNow();
            failures.add("moves still under way " + (seconds + 120) + " s after the start; abandoned");
        }
        double elapsed = seconds(start);
        List<double[]> all = new ArrayList<>(samples);
        return new Moves(done.get(), elapsed, column(all, 0), column(all, 1), column(all, 2), column(all, 3),
                List.copyOf(failures), List.copyOf(cut));
    }

    /**
     * What became of a move cut after its prepare: asked again of the cluster (the client goes on to the new master),
     * and rolled back if still open, as the agent's plan rolls back a step that failed, or cleaned up if committed.
     */
    private static CutMove settle(SdnRestClient client, Move move) {
        try {
            Move now = client.move(move.id()).toCompletableFuture().join();
            if (now.state() == MoveState.COMMITTED) {
                // done, but for its cleanup, which the agent's plan does next: the endpoint can be moved again
                now = client.cleanup(move.id()).toCompletableFuture().join();
            } else if (now.state() == MoveState.PREPARED || now.state() == MoveState.REDIRECTED) {
                try {
                    now = client.rollback(move.id()).toCompletableFuture().join();
                } catch (RuntimeException refused) {
                    // the new master's takeover ended it meanwhile (409: it is ROLLED_BACK already): as it is now
                    now = client.move(move.id()).toCompletableFuture().join();
                }
            }
            return new CutMove(move.id(), move.endpoint(), now.state().name());
        } catch (CompletionException e) {
            if (e.getCause() instanceof SdnRestClient.RejectedException refused && refused.status() == 404) {
                // the cluster forgot it, which it does only to closed moves, the oldest past the last
                // ModelState.MAX_CLOSED_MOVES: it was cleaned up or rolled back
                return new CutMove(move.id(), move.endpoint(), FORGOTTEN);
            }
            return unknown(move, e);
        } catch (RuntimeException e) {
            return unknown(move, e);
        }
    }

    private static CutMove unknown(Move move, RuntimeException e) {
        return new CutMove(move.id(), move.endpoint(), "unknown: " + String.valueOf(e.getMessage()).lines().findFirst()
                .orElse(""));
    }

    /**
     * What a move costs the store: the master's counters of its saves and the documents they wrote, around a few
     * seconds of moves of its own (after the failover, so that nothing else writes meanwhile); {saves, documents} per
     * move, or null when no move was made.
     */
    private double[] storeWritesPerMove(ScaleCluster.Member master, List<URI> urls, ScaleFabric fabric)
            throws IOException, InterruptedException {
        long[] before = storeCounters(master);
        Moves moves = runMoves(urls, fabric, STORE_WRITES_SECONDS);
        long[] after = storeCounters(master);
        reached.put("steady_moves", moves);
        return moves.done() == 0 ? null : new double[] {(after[0] - before[0]) / (double) moves.done(),
                (after[1] - before[1]) / (double) moves.done(),
                after[0] == before[0] ? 0 : (after[2] - before[2]) / (double) (after[0] - before[0])};
    }

    /**
     * The master's {@code cutover_sdn_store_saves_total}, {@code cutover_sdn_store_documents_total} and
     * {@code cutover_sdn_store_write_milliseconds_total}.
     */
    private static long[] storeCounters(ScaleCluster.Member master) throws IOException, InterruptedException {
        String text = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + master.restPort() + "/metrics")).timeout(Duration.ofSeconds(10))
                .build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        return new long[] {counter(text, "cutover_sdn_store_saves_total"),
                counter(text, "cutover_sdn_store_documents_total"),
                counter(text, "cutover_sdn_store_write_milliseconds_total")};
    }

    /** A counter's value in Prometheus text, or an error naming it when the controller does not report it. */
    static long counter(String prometheus, String name) {
        for (String line : prometheus.split("\n")) {
            if (line.startsWith(name) && line.length() > name.length()
                    && (line.charAt(name.length()) == ' ' || line.charAt(name.length()) == '{')) {
                return Math.round(Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
            }
        }
        throw new IllegalStateException("the controller's /metrics has no " + name);
    }

    private static double[] column(List<double[]> rows, int i) {
        return rows.stream().mapToDouble(r -> r[i]).toArray();
    }

    // ---- report -------------------------------------------------------------------------------------------------

    private void report(BenchReport report, ScaleFabric fabric, List<String> profile, Path log) {
        report.key("switches", fabric.switches()).key("endpoints", fabric.endpoints());
        report.detail("topology", fabric.describe()).detail("concurrency", concurrency)
                .detail("controller", "cutover.jar sdn serve as a child process (journal: none, bundles: on), log "
                        + log)
                .detail("simulator", "SwitchSimulator: " + fabric.switches() + " OpenFlow 1.3 sessions on one 2-thread"
                        + " event loop group in the bench's JVM");
        Object connect = reached.get("connect_s");
        if (connect instanceof Double s) {
            report.row("connect every switch (handshake, reconcile)", "s", s);
            report.key("connect_s", round(s));
        }
        if (reached.get("initial_flows_s") instanceof Double s) {
            report.row("add the endpoints and push the initial flows", "s", s);
            report.row("flows on the simulated switches", "flows", ((Number) reached.get("flows_total")).doubleValue());
            report.key("initial_flows_s", round(s)).key("flows", reached.get("flows_total"));
        }
        Map<String, Object> goals = new LinkedHashMap<>();
        if (reached.get("moves") instanceof Moves moves && moves.done() > 0) {
            double rate = moves.done() / moves.seconds();
            double p50 = BenchReport.percentile(moves.commit(), 50);
            double p99 = BenchReport.percentile(moves.commit(), 99);
            report.row("moves (prepare, redirect, commit, cleanup), " + concurrency + " at once", "moves/s", rate)
                    .row("prepare p50", "ms", BenchReport.percentile(moves.prepare(), 50))
                    .row("redirect p50", "ms", BenchReport.percentile(moves.redirect(), 50))
                    .row("commit p50", "ms", p50)
                    .row("commit p99 (goal <= 10 at 1,000 switches)", "ms", p99)
                    .row("cleanup p50", "ms", BenchReport.percentile(moves.cleanup(), 50));
            report.key("moves", moves.done()).key("moves_per_s", round(rate)).key("commit_p50_ms", round(p50))
                    .key("commit_p99_ms", round(p99));
            report.detail("prepare_ms", moves.prepare()).detail("redirect_ms", moves.redirect())
                    .detail("commit_ms", moves.commit()).detail("cleanup_ms", moves.cleanup())
                    .detail("move_failures", moves.failures());
            if (reached.get("warmup_moves") instanceof Moves cold && cold.done() > 0) {
                report.row("  the warm-up's moves before them, not counted", "moves/s", cold.done() / cold.seconds());
                report.key("cold_moves_per_s", round(cold.done() / cold.seconds()));
                report.detail("warmup", cold.done() + " moves in " + round(cold.seconds()) + " s before the moves "
                        + "measured (--warmup-seconds)");
            }
            boolean full = fabric.switches() >= 1000 && fabric.endpoints() >= 50_000;
            goals.put("moves_per_s >= 500", rate >= 500 ? (full ? "met" : "met at this size only") : "not met");
            goals.put("commit_p99_ms <= 10", p99 <= 10 ? (full ? "met" : "met at this size only") : "not met");
        } else {
            goals.put("moves_per_s >= 500", "not measured");
            goals.put("commit_p99_ms <= 10", "not measured");
        }
        if (cluster) {
            report.key("controllers", ScaleCluster.MEMBERS);
            if (reached.get("failover_ms") instanceof Long ms) {
                report.row("failover: master killed (SIGKILL) until every switch has a master again", "ms", ms);
                report.key("failover_ms", ms);
                if (reached.get("moves") instanceof Moves moves) {
                    long half = moves.halfApplied();
                    report.row("moves the kill cut after their prepare", "moves", moves.cut().size())
                            .row("  of them neither completed nor rolled back after the failover", "moves", half);
                    report.key("moves_cut", moves.cut().size()).key("half_applied_moves", half);
                    report.detail("moves_cut", moves.cut());
                    goals.put("half_applied_moves == 0", half == 0 ? "met" : "not met");
                }
                if (reached.get("switches_off_plan") instanceof Integer off) {
                    report.row("switches whose table differs from the new master's plan after the failover",
                            "switches", off);
                    report.key("switches_off_plan", off);
                    goals.put("switches_off_plan == 0", off == 0 ? "met" : "not met");
                }
                goals.put("failover_ms <= 3000", ms <= 3000 ? "met" : "not met");
                if (reached.get("store_writes") instanceof double[] writes) {
                    report.row("store: the master's saves per move (prepare, redirect, commit, cleanup)", "saves",
                            writes[0]).row("store: documents written per move", "documents", writes[1]);
                    report.row("store: one save's transaction, mean", "ms", writes[2]);
                    report.key("store_saves_per_move", round(writes[0])).key("store_writes_per_move",
                            round(writes[1])).key("store_save_ms", round(writes[2]));
                }
                if (reached.get("steady_moves") instanceof Moves steady && steady.done() > 0) {
                    // moves_per_s above counts the failover's seconds, in which no move can be made
                    double rate = steady.done() / steady.seconds();
                    double p50 = BenchReport.percentile(steady.commit(), 50);
                    double p99 = BenchReport.percentile(steady.commit(), 99);
                    report.row("moves after the failover, no kill (" + STORE_WRITES_SECONDS + " s), " + concurrency
                            + " at once", "moves/s", rate).row("  their commit p50", "ms", p50)
                            .row("  their commit p99", "ms", p99);
                    report.key("steady_moves_per_s", round(rate)).key("steady_commit_p50_ms", round(p50))
                            .key("steady_commit_p99_ms", round(p99));
                    report.detail("steady_prepare_ms", steady.prepare()).detail("steady_redirect_ms", steady.redirect())
                            .detail("steady_commit_ms", steady.commit()).detail("steady_cleanup_ms", steady.cleanup());
                }
            } else {
                goals.put("failover_ms <= 3000", "not measured" + (reached.containsKey("failover_ms")
                        ? " (" + reached.get("failover_ms") + ")" : ""));
            }
        }
        if (reached.get("rss") instanceof long[] rss && rss[0] > 0) {
            report.row("controller RSS (VmRSS)", "MiB", rss[0] / 1024.0).row("controller peak RSS (VmHWM)", "MiB",
                    rss[1] / 1024.0);
            report.key("controller_rss_mib", Math.round(rss[0] / 1024.0));
        }
        report.detail("goals", goals).detail("goals_apply_at", "1,000 switches and 50,000 endpoints")
                .detail("not_measured_yet", cluster ? "evacuate_8_s: bench evacuate (real guests)"
                        : "failover_ms, store_writes_per_move: run with --cluster; evacuate_8_s: bench evacuate")
                .detail("reached", describeReached())
                .detail("controller_core_profile", profileCore ? profile : "not sampled (--profile)");
        if (reached.containsKey("stopped")) {
            report.key("stopped", "'" + reached.get("stopped") + "'");
        }
        System.out.println();
        System.out.println("goals (they apply at 1,000 switches and 50,000 endpoints): " + goals);
        if (!profile.isEmpty()) {
            System.out.println();
            System.out.println("where the controller's core thread was (jstack samples):");
            profile.forEach(line -> System.out.println("  " + line));
        }
    }

    private Map<String, Object> describeReached() {
        Map<String, Object> out = new LinkedHashMap<>();
        reached.forEach((k, v) -> out.put(k, v instanceof Moves m ? m.done() + " moves in " + round(m.seconds()) + " s"
                : v instanceof long[] rss ? rss[0] / 1024 + " MiB (peak " + rss[1] / 1024 + " MiB)" : v));
        return out;
    }

    /** The process's VmRSS and VmHWM in KiB, from /proc (zeros when it is gone). */
    private static long[] memory(long pid) {
        long[] kib = new long[2];
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    kib[0] = Long.parseLong(line.replaceAll("\\D", ""));
                } else if (line.startsWith("VmHWM:")) {
                    kib[1] = Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return kib;
        }
        return kib;
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static Duration remaining(long deadline) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new IllegalStateException("the time limit is reached");
        }
        return Duration.ofNanos(left);
    }

    private static long remainingSeconds(long deadline) {
        return Math.max(1, remaining(deadline).toSeconds());
    }

    static void pause(long deadline, long millis) {
        remaining(deadline);
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }

    /**
     * Samples the controller's {@code sdn-core} thread with {@code jstack} every {@code interval}: its top frames,
     * counted, say where the core's time goes (the core runs every plan, diff and model change).
     */
    static final class ProfileSampler {
        /** Samples nothing (without {@code --profile}). */
        static final ProfileSampler OFF = new ProfileSampler();

        private final Thread thread;
        private final Map<String, Integer> frames = new TreeMap<>();
        private final AtomicInteger samples = new AtomicInteger();
        private final AtomicReference<Boolean> running = new AtomicReference<>(true);

        private ProfileSampler(long pid, Duration interval) {
            Path jstack = Path.of(ProcessHandle.current().info().command().orElse("java")).resolveSibling("jstack");
            thread = new Thread(() -> {
                while (running.get()) {
                    sample(jstack, pid);
                    try {
                        Thread.sleep(interval.toMillis());
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "scale-profile");
            thread.setDaemon(true);
        }

        private ProfileSampler() {
            thread = null;
        }

        static ProfileSampler start(long pid, Duration interval) {
            ProfileSampler sampler = new ProfileSampler(pid, interval);
            sampler.thread.start();
            return sampler;
        }

        private void sample(Path jstack, long pid) {
            try {
                Process p = new ProcessBuilder(jstack.toString(), Long.toString(pid)).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes());
                p.waitFor(20, TimeUnit.SECONDS);
                int at = out.indexOf("\"sdn-core\"");
                if (at < 0) {
                    return;
                }
                List<String> stack = out.substring(at).lines().skip(1).takeWhile(l -> !l.isBlank())
                        .filter(l -> l.strip().startsWith("at ")).map(l -> l.strip().substring(3)
                                .replaceAll("\\(.*", "")).toList();
                if (stack.isEmpty()) {
                    return;
                }
                samples.incrementAndGet();
                // the innermost frame of ours (io.cutover), else the top frame: idle waits show as such
                String where = stack.stream().filter(f -> f.startsWith("io.cutover")).findFirst().orElse(stack.get(0));
                String top = stack.get(0);
                String key = top.equals(where) ? where : where + " <- " + top.replaceAll(".*\\.(\\w+\\.\\w+)$", "$1");
                synchronized (frames) {
                    frames.merge(key, 1, Integer::sum);
                }
            } catch (IOException e) {
                running.set(false);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        List<String> stop(String phase) {
            if (thread == null) {
                return List.of();
            }
            running.set(false);
            thread.interrupt();
            try {
                thread.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            List<String> lines = new ArrayList<>();
            synchronized (frames) {
                frames.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(6)
                        .forEach(e -> lines.add(phase + ": " + e.getValue() + "/" + samples.get() + " samples in "
                                + e.getKey()));
            }
            return lines;
        }
    }
}
