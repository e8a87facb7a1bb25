package io.cutover.bench;

import io.cutover.arp.AllowList;
import io.cutover.arp.AnnounceForm;
import io.cutover.arp.Announcement;
import io.cutover.arp.Announcer;
import io.cutover.arp.MacAddress;
import io.cutover.arp.Schedule;
import io.cutover.lab.Lab;
import io.cutover.lab.MissingPrerequisiteException;
import io.cutover.lab.Topology;
import io.cutover.lab.impl.Prerequisites;
import io.cutover.support.Netns;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNetworkInterface;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.math.BigDecimal;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * {@code cutover bench announce}: the announcer against two baselines, on a fresh lab, in the same run:
 * <ul>
 *   <li>Pcap4J at its best: the frames built once with Pcap4J's builders, their bytes sent again and again with
 *       {@code PcapHandle.sendPacket(byte[])};</li>
 *   <li>{@code arping -U} from iputils, an outside reference for the first frame (its process start included).</li>
 * </ul>
 * Measures the first frame's delay from the call (or the spawn) to the frame seen on the wire by a capture in the
 * peer's namespace (and, for where the time goes, by a capture on the VM's own interface); the time to send one
 * round for 1,000 addresses; and how soon a Linux peer's neighbour entry changes after the call
 * ({@code ip -ts monitor neigh}).
 */
@Command(name = "announce", mixinStandardHelpOptions = true,
        description = "Announcement latency and throughput against prebuilt Pcap4J frames and arping -U, on a fresh lab.")
public final class AnnounceBench implements Callable<Integer> {
    private static final MacAddress OURS = MacAddress.parse("02:00:00:00:bb:01");
    private static final MacAddress PREBUILT = MacAddress.parse("02:00:00:00:bb:02");
    private static final String OLD_MAC = "02:00:00:00:00:99";
    /** The peer whose capture sees the frames on the wire. */
    private static final String PEER = "client";
    /** How long an arping process may run before it is stopped (it sends at once, then waits a second). */
    private static final Duration ARPING_RUN = Duration.ofMillis(100);
    /** Unmeasured calls of each in-process sender first, so that both run compiled code (JIT), as a daemon does. */
    private static final int WARM_UP_CALLS = 5000;

    @Option(names = "--quick", description = "Fewer samples; finishes in under a minute.")
    boolean quick;

    /** A captured ARP frame: when, from which MAC, sender and target addresses. */
    private record Frame(long epochNanos, String source, String senderIp, String targetIp) {
    }

    /** The calls (or spawns) of the three senders, as epoch nanoseconds. */
    private record Calls(List<Long> ours, List<Long> prebuilt, List<Long> arping) {
    }

    @Override
    public Integer call() throws Exception {
        int firstFrameSamples = quick ? 1000 : 5000;
        int arpingSamples = quick ? 40 : 200;
        int batchRuns = quick ? 5 : 20;
        int convergeSamples = quick ? 20 : 100;
        if (Prerequisites.find("arping") == null) {
            throw new MissingPrerequisiteException("'arping' not found: install the Debian package iputils-arping"
                    + " (scripts/install-packages.sh does)");
        }
        BenchReport report = new BenchReport("announce");
        try (Lab lab = Lab.up(null, Topology.LAN).removeAtExit(); Netns vm = lab.netns(Topology.VM)) {
            Path dir = Files.createTempDirectory("bench-announce");
            Inet4Address vmIp = (Inet4Address) InetAddress.getByName(lab.port(Topology.VM).ipv4Address());
            List<InetAddress> batch = batchAddresses();
            List<InetAddress> allowed = new ArrayList<>(batch);
            allowed.add(vmIp);
            try (Announcer announcer = vm.call(() -> Announcer.pcap("eth0", AllowList.of(allowed)));
                 PcapHandle handle = vm.call(() -> new PcapHandle.Builder("eth0").snaplen(128)
                         .promiscuousMode(PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS).timeoutMillis(5).build())) {
                firstFrame(lab, dir, vm, announcer, handle, vmIp, firstFrameSamples, arpingSamples, report);
                thousand(announcer, handle, batch, batchRuns, report);
                converge(lab, dir, announcer, handle, vmIp, convergeSamples, report);
            }
        }
        report.detail("samples", Map.of("first_frame", firstFrameSamples, "arping_first_frame", arpingSamples,
                "batch_runs", batchRuns, "converge", convergeSamples));
        report.detail("goals", "first_frame_p99_us <= 1000, below both baselines' p99");
        report.detail("load_average", loadAverage());
        report.print(System.out);
        return 0;
    }

    /** 1,000 lab addresses, 198.18.10.0 onwards. */
    private static List<InetAddress> batchAddresses() throws Exception {
        List<InetAddress> list = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            list.add(InetAddress.getByAddress(new byte[] {(byte) 198, 18, (byte) (10 + i / 250), (byte) (1 + i % 250)}));
        }
        return list;
    }

    // ---- first frame --------------------------------------------------------------------------------------------

    private static void firstFrame(Lab lab, Path dir, Netns vm, Announcer announcer, PcapHandle handle, Inet4Address ip,
                                   int samples, int arpingSamples, BenchReport report) throws Exception {
        Announcement ours = Announcement.of(OURS, List.of(ip), Set.of(AnnounceForm.REQUEST));
        PrebuiltFrames prebuilt = PrebuiltFrames.of(handle, PREBUILT, List.of(ip));
        List<String> arping = List.of("arping", "-U", "-c", "1", "-I", "eth0", ip.getHostAddress());
        requireInside(vm, ip);
        for (int i = 0; i < WARM_UP_CALLS; i++) {
            announcer.announce(ours, Schedule.once()).toCompletableFuture().join();
            prebuilt.send();
        }
        for (int i = 0; i < 3; i++) {
            spawnAndStop(vm, arping);
        }
        Path peerPcap = dir.resolve("peer.pcap");
        Path localPcap = dir.resolve("local.pcap");
        Process peer = startCapture(lab, PEER, peerPcap, dir.resolve("peer.log"));
        Process local = startCapture(lab, Topology.VM, localPcap, dir.resolve("local.log"));
        Calls calls = new Calls(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        try {
            for (int i = 0; i < samples; i++) {
                for (int turn = 0; turn < 2; turn++) {
                    if ((i + turn) % 2 == 0) {
                        calls.ours().add(now());
                        announcer.announce(ours, Schedule.once());
                    } else {
                        calls.prebuilt().add(now());
                        prebuilt.send();
                    }
                    Thread.sleep(1);
                }
                if (i < arpingSamples) {
                    calls.arping().add(spawnAndStop(vm, arping));
                    Thread.sleep(1);
                }
            }
        } finally {
            stopCapture(peer);
            stopCapture(local);
        }
        String vmMac = Topology.VM_MAC;
        Predicate<Frame> fromArping = f -> f.source().equalsIgnoreCase(vmMac) && f.senderIp().equals(f.targetIp())
                && f.senderIp().equals(ip.getHostAddress());
        List<Frame> atPeer = frames(lab, peerPcap);
        List<Frame> atVm = frames(lab, localPcap);
        double[] oursUs = delays(calls.ours(), atPeer, from(OURS));
        double[] prebuiltUs = delays(calls.prebuilt(), atPeer, from(PREBUILT));
        double[] arpingUs = delays(calls.arping(), atPeer, fromArping);
        double[] oursLocalUs = delays(calls.ours(), atVm, from(OURS));
        double[] prebuiltLocalUs = delays(calls.prebuilt(), atVm, from(PREBUILT));
        double oursP99 = percentile(oursUs, 99);
        double prebuiltP99 = percentile(prebuiltUs, 99);
        double arpingP99 = percentile(arpingUs, 99);
        report.row("first frame at the peer, cutover p50", "us", percentile(oursUs, 50))
                .row("first frame at the peer, cutover p99 (goal <= 1000)", "us", oursP99)
                .row("first frame at the peer, Pcap4J prebuilt p50", "us", percentile(prebuiltUs, 50))
                .row("first frame at the peer, Pcap4J prebuilt p99", "us", prebuiltP99)
                .row("first frame at the peer, arping -U p50 (from the spawn)", "us", percentile(arpingUs, 50))
                .row("first frame at the peer, arping -U p99", "us", arpingP99)
                .row("frame on the VM's interface, cutover p50", "us", percentile(oursLocalUs, 50))
                .row("frame on the VM's interface, cutover p99", "us", percentile(oursLocalUs, 99))
                .row("frame on the VM's interface, Pcap4J prebuilt p50", "us", percentile(prebuiltLocalUs, 50))
                .row("frame on the VM's interface, Pcap4J prebuilt p99", "us", percentile(prebuiltLocalUs, 99));
        report.key("first_frame_p99_us", oursP99).key("prebuilt_first_frame_p99_us", prebuiltP99)
                .key("arping_first_frame_p99_us", arpingP99)
                .key("first_frame_p50_us", percentile(oursUs, 50))
                .key("prebuilt_first_frame_p50_us", percentile(prebuiltUs, 50))
                .key("arping_first_frame_p50_us", percentile(arpingUs, 50))
                .key("local_first_frame_p99_us", percentile(oursLocalUs, 99))
                .key("prebuilt_local_first_frame_p99_us", percentile(prebuiltLocalUs, 99));
        report.detail("first_frame_us", Arrays.stream(oursUs).boxed().toList())
                .detail("prebuilt_first_frame_us", Arrays.stream(prebuiltUs).boxed().toList())
                .detail("arping_first_frame_us", Arrays.stream(arpingUs).boxed().toList())
                .detail("measured", "from the call (Instant.now() just before it) to the frame's timestamp in a"
                        + " tcpdump capture in the peer's namespace (" + PEER + ", across br-a and br-tor), and in"
                        + " one on the VM's eth0; the two in-process senders alternate who goes first")
                .detail("baseline_prebuilt", "PcapHandle.sendPacket(byte[]) of an ARP request built once with Pcap4J's"
                        + " EthernetPacket and ArpPacket builders (getRawData), handle on the VM's eth0,"
                        + " non-promiscuous, snaplen 128; called in the same thread as the announcer")
                .detail("baseline_arping_command", String.join(" ", arping))
                .detail("baseline_arping_started", "ProcessBuilder.start() on a thread inside the VM's namespace (no"
                        + " 'ip netns exec'), timed from just before the spawn; stopped after " + ARPING_RUN.toMillis()
                        + " ms, as it would otherwise wait a second");
    }

    /** Fails unless a process spawned from {@code vm}'s thread sees the VM's address on eth0. */
    private static void requireInside(Netns vm, Inet4Address ip) {
        String addresses = vm.call(() -> new String(new ProcessBuilder("ip", "-o", "-4", "addr", "show", "dev", "eth0")
                .redirectErrorStream(true).start().getInputStream().readAllBytes()));
        if (!addresses.contains(" " + ip.getHostAddress() + "/")) {
            throw new IllegalStateException("a process spawned inside the VM's namespace sees another eth0: " + addresses);
        }
    }

    /** Spawns {@code command} inside the VM's namespace, stops it after {@link #ARPING_RUN}; the spawn's time. */
    private static long spawnAndStop(Netns vm, List<String> command) throws InterruptedException {
        long[] spawned = new long[1];
        Process process = vm.call(() -> {
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD);
            spawned[0] = now();
            return builder.start();
        });
        Thread.sleep(ARPING_RUN.toMillis());
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        return spawned[0];
    }

    private static Predicate<Frame> from(MacAddress mac) {
        return f -> f.source().equalsIgnoreCase(mac.toString());
    }

    private static long now() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    // ---- 1,000 addresses ----------------------------------------------------------------------------------------

    private static void thousand(Announcer announcer, PcapHandle handle, List<InetAddress> batch, int runs,
                                 BenchReport report) {
        Announcement ours = Announcement.of(OURS, batch, Set.of(AnnounceForm.REQUEST));
        PrebuiltFrames prebuilt = PrebuiltFrames.of(handle, PREBUILT, batch);
        double[] oursMs = new double[runs];
        double[] prebuiltMs = new double[runs];
        for (int i = -2; i < runs; i++) {
            long start = System.nanoTime();
            announcer.announce(ours, Schedule.once()).toCompletableFuture().join();
            long middle = System.nanoTime();
            prebuilt.send();
            long end = System.nanoTime();
            if (i >= 0) {
                oursMs[i] = (middle - start) / 1e6;
                prebuiltMs[i] = (end - middle) / 1e6;
            }
        }
        double oursMedian = percentile(oursMs, 50);
        double prebuiltMedian = percentile(prebuiltMs, 50);
        report.row("1,000 addresses, one round, cutover (median)", "ms", oursMedian)
                .row("1,000 addresses, one round, Pcap4J prebuilt (median)", "ms", prebuiltMedian);
        report.key("addrs_1000_ms", oursMedian).key("prebuilt_addrs_1000_ms", prebuiltMedian);
    }

    // ---- a Linux peer's neighbour entry -------------------------------------------------------------------------

    private static void converge(Lab lab, Path dir, Announcer announcer, PcapHandle handle, Inet4Address ip,
                                 int samples, BenchReport report) throws Exception {
        MacAddress vmMac = MacAddress.parse(Topology.VM_MAC);
        Announcement ours = Announcement.of(vmMac, List.of(ip), Set.of(AnnounceForm.REQUEST));
        PrebuiltFrames prebuilt = PrebuiltFrames.of(handle, vmMac, List.of(ip));
        Path log = dir.resolve("monitor.log");
        Process monitor = lab.spawn(PEER, List.of("ip", "-ts", "monitor", "neigh"), log);
        List<Instant> oursCalls = new ArrayList<>();
        List<Instant> prebuiltCalls = new ArrayList<>();
        try {
            Thread.sleep(300);
            for (int i = 0; i < 2 * samples; i++) {
                lab.exec(PEER, "ip", "neigh", "replace", ip.getHostAddress(), "lladdr", OLD_MAC, "dev", "eth0",
                        "nud", "stale").orThrow();
                Thread.sleep(10);
                if (i % 2 == 0) {
                    oursCalls.add(Instant.now());
                    announcer.announce(ours, Schedule.once());
                } else {
                    prebuiltCalls.add(Instant.now());
                    prebuilt.send();
                }
                Thread.sleep(30);
            }
            Thread.sleep(300);
        } finally {
            monitor.destroy();
            monitor.waitFor(5, TimeUnit.SECONDS);
        }
        List<Instant> changes = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            if (line.startsWith("[") && line.contains(" " + ip.getHostAddress() + " ") && line.contains(Topology.VM_MAC)) {
                changes.add(LocalDateTime.parse(line.substring(1, line.indexOf(']')))
                        .atZone(ZoneId.systemDefault()).toInstant());
            }
        }
        double[] oursMs = convergence(oursCalls, changes);
        double[] prebuiltMs = convergence(prebuiltCalls, changes);
        double oursP50 = percentile(oursMs, 50);
        report.row("peer neighbour entry changed after the call, cutover p50", "ms", oursP50)
                .row("peer neighbour entry changed after the call, cutover p99", "ms", percentile(oursMs, 99))
                .row("peer neighbour entry changed after the call, Pcap4J prebuilt p50", "ms", percentile(prebuiltMs, 50));
        report.key("peer_converge_ms", oursP50).key("peer_converge_p99_ms", percentile(oursMs, 99))
                .key("prebuilt_peer_converge_ms", percentile(prebuiltMs, 50));
    }

    /** For each call, the delay to the first neighbour change at or after it (and before the next call). */
    private static double[] convergence(List<Instant> calls, List<Instant> changes) {
        List<Double> delays = new ArrayList<>();
        for (Instant call : calls) {
            changes.stream().filter(change -> !change.isBefore(call.truncatedTo(ChronoUnit.MICROS))).findFirst()
                    .ifPresent(change -> {
                        double ms = Duration.between(call, change).toNanos() / 1e6;
                        if (ms < 25) {
                            delays.add(ms);
                        }
                    });
        }
        if (delays.size() < calls.size() * 9 / 10) {
            throw new IllegalStateException("the peer changed its entry after only " + delays.size() + " of " + calls.size() + " calls");
        }
        return delays.stream().mapToDouble(Double::doubleValue).toArray();
    }

    // ---- captures -----------------------------------------------------------------------------------------------

    /** tcpdump of ARP on {@code node}'s eth0, nanosecond timestamps, each frame written at once. */
    private static Process startCapture(Lab lab, String node, Path pcap, Path log) throws Exception {
        List<String> command = List.of("tcpdump", "-i", "eth0", "--immediate-mode", "-U", "-n", "-s", "128",
                "-B", "8192", "--time-stamp-precision=nano", "-w", pcap.toString(), "arp");
        Process process = lab.spawn(node, command, log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.readString(log).contains("listening on")) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException("tcpdump did not start in " + node + ": " + Files.readString(log));
            }
            Thread.sleep(20);
        }
        return process;
    }

    private static void stopCapture(Process tcpdump) throws InterruptedException {
        Thread.sleep(300);
        tcpdump.destroy();
        if (!tcpdump.waitFor(10, TimeUnit.SECONDS)) {
            tcpdump.destroyForcibly();
        }
    }

    private static List<Frame> frames(Lab lab, Path pcap) {
        String out = lab.exec(PEER, "tshark", "-n", "-r", pcap.toString(), "-T", "fields", "-e", "frame.time_epoch",
                "-e", "eth.src", "-e", "arp.src.proto_ipv4", "-e", "arp.dst.proto_ipv4").orThrow().stdout();
        return out.lines().filter(l -> !l.isBlank()).map(l -> l.split("\t", -1)).filter(f -> f.length == 4)
                .map(f -> new Frame(new BigDecimal(f[0]).movePointRight(9).longValueExact(), f[1], f[2], f[3]))
                .sorted(Comparator.comparingLong(Frame::epochNanos)).toList();
    }

    /**
     * For each call, the time in microseconds to the first frame that {@code source} matches, at or after the call
     * and before the next one; fails when more than a tenth of the calls have none.
     */
    private static double[] delays(List<Long> calls, List<Frame> frames, Predicate<Frame> source) {
        List<Frame> mine = frames.stream().filter(source).toList();
        List<Double> delays = new ArrayList<>();
        int next = 0;
        for (int i = 0; i < calls.size(); i++) {
            long call = calls.get(i);
            long until = i + 1 < calls.size() ? calls.get(i + 1) : Long.MAX_VALUE;
            while (next < mine.size() && mine.get(next).epochNanos() < call) {
                next++;
            }
            if (next < mine.size() && mine.get(next).epochNanos() < until) {
                delays.add((mine.get(next).epochNanos() - call) / 1e3);
                next++;
            }
        }
        if (delays.size() < calls.size() * 9 / 10) {
            throw new IllegalStateException("a frame was captured after only " + delays.size() + " of " + calls.size()
                    + " calls");
        }
        return delays.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** {@link BenchReport#percentile}, rounded to three decimals (NaN when there are no values). */
    static double percentile(double[] values, double p) {
        double value = BenchReport.percentile(values, p);
        return Double.isNaN(value) ? value : Math.round(value * 1000) / 1000.0;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }
}
