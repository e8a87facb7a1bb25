package io.cutover.bench;

import io.cutover.arp.AllowList;
import io.cutover.arp.AnnounceForm;
import io.cutover.arp.Announcement;
import io.cutover.arp.Announcer;
import io.cutover.arp.MacAddress;
import io.cutover.arp.Schedule;
import io.cutover.lab.CommandResult;
import io.cutover.lab.Lab;
import io.cutover.support.Netns;
import io.cutover.lab.Topology;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.packet.ArpPacket;
import org.pcap4j.packet.EthernetPacket;
import org.pcap4j.packet.namednumber.ArpHardwareType;
import org.pcap4j.packet.namednumber.ArpOperation;
import org.pcap4j.packet.namednumber.EtherType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.math.BigDecimal;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code cutover bench announce}: the announcer against the usual Pcap4J way (a packet object built with
 * Pcap4J's builders and sent per frame), both on a fresh lab in the same run. Measures the first frame's
 * delay after the call (pcap timestamps in the sending namespace), the time to send one round for 1,000
 * addresses, and how soon a Linux peer's neighbour entry changes after the call ({@code ip -ts monitor neigh}).
 */
@Command(name = "announce", mixinStandardHelpOptions = true,
        description = "Announcement latency and throughput against Pcap4J's packet builders, on a fresh lab.")
public final class AnnounceBench implements java.util.concurrent.Callable<Integer> {
    private static final MacAddress OURS = MacAddress.parse("02:00:00:00:bb:01");
    private static final MacAddress BASELINE = MacAddress.parse("02:00:00:00:bb:02");
    private static final String OLD_MAC = "02:00:00:00:00:99";

    @Option(names = "--quick", description = "Fewer samples; finishes in under a minute.")
    boolean quick;

    @Override
    public Integer call() throws Exception {
        int firstFrameSamples = quick ? 200 : 1000;
        int batchRuns = quick ? 5 : 20;
        int convergeSamples = quick ? 20 : 100;
        BenchReport report = new BenchReport("announce");
        try (Lab lab = Lab.up(null, Topology.LAN).removeAtExit(); Netns vm = lab.netns(Topology.VM)) {
            Path dir = Files.createTempDirectory("bench-announce");
            String vmIp = lab.port(Topology.VM).ipv4Address();
            List<InetAddress> batch = batchAddresses();
            List<InetAddress> allowed = new ArrayList<>(batch);
            allowed.add(InetAddress.getByName(vmIp));
            try (Announcer announcer = vm.call(() -> Announcer.pcap("eth0", AllowList.of(allowed)));
                 PcapHandle handle = vm.call(() -> new PcapHandle.Builder("eth0").snaplen(128)
                         .promiscuousMode(PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS).timeoutMillis(5).build())) {
                Pcap4jSender baseline = new Pcap4jSender(handle);
                firstFrame(lab, dir, announcer, baseline, (Inet4Address) InetAddress.getByName(vmIp), firstFrameSamples, report);
                thousand(announcer, baseline, batch, batchRuns, report);
                converge(lab, dir, announcer, baseline, (Inet4Address) InetAddress.getByName(vmIp), convergeSamples, report);
            }
        }
        report.detail("samples", java.util.Map.of("first_frame", firstFrameSamples, "batch_runs", batchRuns,
                "converge", convergeSamples));
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

    private static void firstFrame(Lab lab, Path dir, Announcer announcer, Pcap4jSender baseline, Inet4Address ip,
                                   int samples, BenchReport report) throws Exception {
        Announcement ours = Announcement.of(OURS, List.of(ip), Set.of(AnnounceForm.REQUEST));
        for (int i = 0; i < 200; i++) {
            announcer.announce(ours, Schedule.once()).toCompletableFuture().join();
            baseline.send(BASELINE, List.of(ip));
        }
        Path pcap = dir.resolve("first.pcap");
        Process tcpdump = startCapture(lab, pcap, dir.resolve("first.log"),
                "ether src " + OURS + " or ether src " + BASELINE);
        List<Instant> oursCalls = new ArrayList<>();
        List<Instant> baselineCalls = new ArrayList<>();
        try {
            for (int i = 0; i < samples; i++) {
                oursCalls.add(Instant.now());
                announcer.announce(ours, Schedule.once());
                Thread.sleep(1);
                baselineCalls.add(Instant.now());
                baseline.send(BASELINE, List.of(ip));
                Thread.sleep(1);
            }
        } finally {
            stopCapture(tcpdump);
        }
        List<String[]> frames = frames(lab, pcap, "frame.time_epoch", "eth.src");
        double[] oursUs = delays(oursCalls, frames, OURS.toString());
        double[] baseUs = delays(baselineCalls, frames, BASELINE.toString());
        double oursP50 = percentile(oursUs, 50);
        double oursP99 = percentile(oursUs, 99);
        double baseP99 = percentile(baseUs, 99);
        report.row("first frame after the call, cutover p50", "us", oursP50)
                .row("first frame after the call, cutover p99", "us", oursP99)
                .row("first frame after the call, pcap4j builder p50", "us", percentile(baseUs, 50))
                .row("first frame after the call, pcap4j builder p99", "us", baseP99);
        report.key("first_frame_p50_us", oursP50).key("first_frame_p99_us", oursP99)
                .key("baseline_first_frame_p99_us", baseP99);
        report.detail("first_frame_us", Arrays.stream(oursUs).boxed().toList());
    }

    private static void thousand(Announcer announcer, Pcap4jSender baseline, List<InetAddress> batch, int runs,
                                 BenchReport report) {
        Announcement ours = Announcement.of(OURS, batch, Set.of(AnnounceForm.REQUEST));
        double[] oursMs = new double[runs];
        double[] baseMs = new double[runs];
        for (int i = -2; i < runs; i++) {
            long start = System.nanoTime();
            announcer.announce(ours, Schedule.once()).toCompletableFuture().join();
            long middle = System.nanoTime();
            baseline.send(BASELINE, batch);
            long end = System.nanoTime();
            if (i >= 0) {
                oursMs[i] = (middle - start) / 1e6;
                baseMs[i] = (end - middle) / 1e6;
            }
        }
        double oursMedian = percentile(oursMs, 50);
        double baseMedian = percentile(baseMs, 50);
        report.row("1,000 addresses, one round, cutover (median)", "ms", oursMedian)
                .row("1,000 addresses, one round, pcap4j builder (median)", "ms", baseMedian);
        report.key("addrs_1000_ms", oursMedian).key("baseline_addrs_1000_ms", baseMedian)
                .key("addrs_1000_speedup", baseMedian / oursMedian);
    }

    private static void converge(Lab lab, Path dir, Announcer announcer, Pcap4jSender baseline, Inet4Address ip,
                                 int samples, BenchReport report) throws Exception {
        MacAddress vmMac = MacAddress.parse(Topology.VM_MAC);
        Announcement ours = Announcement.of(vmMac, List.of(ip), Set.of(AnnounceForm.REQUEST));
        Path log = dir.resolve("monitor.log");
        Process monitor = lab.spawn("client", List.of("ip", "-ts", "monitor", "neigh"), log);
        List<Instant> oursCalls = new ArrayList<>();
        List<Instant> baselineCalls = new ArrayList<>();
        try {
            Thread.sleep(300);
            for (int i = 0; i < 2 * samples; i++) {
                lab.exec("client", "ip", "neigh", "replace", ip.getHostAddress(), "lladdr", OLD_MAC, "dev", "eth0",
                        "nud", "stale").orThrow();
                Thread.sleep(10);
                if (i % 2 == 0) {
                    oursCalls.add(Instant.now());
                    announcer.announce(ours, Schedule.once());
                } else {
                    baselineCalls.add(Instant.now());
                    baseline.send(vmMac, List.of(ip));
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
        double[] baseMs = convergence(baselineCalls, changes);
        double oursP50 = percentile(oursMs, 50);
        report.row("peer neighbour entry changed after the call, cutover p50", "ms", oursP50)
                .row("peer neighbour entry changed after the call, cutover p99", "ms", percentile(oursMs, 99))
                .row("peer neighbour entry changed after the call, pcap4j builder p50", "ms", percentile(baseMs, 50));
        report.key("peer_converge_ms", oursP50).key("peer_converge_p99_ms", percentile(oursMs, 99))
                .key("baseline_peer_converge_ms", percentile(baseMs, 50));
    }

    /** For each call, the delay to the first neighbour change at or after it (and before the next call). */
    private static double[] convergence(List<Instant> calls, List<Instant> changes) {
        List<Double> delays = new ArrayList<>();
        for (Instant call : calls) {
            changes.stream().filter(change -> !change.isBefore(call.truncatedTo(ChronoUnit.MICROS))).findFirst()
                    .ifPresent(change -> {
                        double ms = java.time.Duration.between(call, change).toNanos() / 1e6;
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

    private static Process startCapture(Lab lab, Path pcap, Path log, String filter) throws Exception {
        List<String> command = new ArrayList<>(List.of("tcpdump", "-i", "eth0", "--immediate-mode", "-U", "-n", "-s", "128",
                "-B", "8192", "--time-stamp-precision=nano", "-w", pcap.toString()));
        command.addAll(List.of(filter.split(" ")));
        Process process = lab.spawn(Topology.VM, command, log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.readString(log).contains("listening on")) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException("tcpdump did not start: " + Files.readString(log));
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

    private static List<String[]> frames(Lab lab, Path pcap, String... fields) {
        List<String> command = new ArrayList<>(List.of("tshark", "-n", "-r", pcap.toString(), "-T", "fields"));
        for (String field : fields) {
            command.add("-e");
            command.add(field);
        }
        CommandResult result = lab.exec("client", command.toArray(String[]::new)).orThrow();
        return result.stdout().lines().filter(l -> !l.isBlank()).map(l -> l.split("\t")).toList();
    }

    /** Capture time minus call time, in microseconds, pairing the n-th call with the n-th frame from {@code mac}. */
    private static double[] delays(List<Instant> calls, List<String[]> frames, String mac) {
        List<BigDecimal> times = frames.stream().filter(f -> f[1].equalsIgnoreCase(mac)).map(f -> new BigDecimal(f[0])).toList();
        if (times.size() != calls.size()) {
            throw new IllegalStateException("captured " + times.size() + " frames from " + mac + " for " + calls.size() + " calls");
        }
        double[] delays = new double[calls.size()];
        for (int i = 0; i < calls.size(); i++) {
            Instant call = calls.get(i);
            BigDecimal called = BigDecimal.valueOf(call.getEpochSecond()).add(BigDecimal.valueOf(call.getNano(), 9));
            delays[i] = times.get(i).subtract(called).movePointRight(6).doubleValue();
        }
        return delays;
    }

    /** {@link BenchReport#percentile}, rounded to three decimals (NaN when there are no values). */
    static double percentile(double[] values, double p) {
        double value = BenchReport.percentile(values, p);
        return Double.isNaN(value) ? value : Math.round(value * 1000) / 1000.0;
    }

    /** The usual Pcap4J way: build a packet object with Pcap4J's builders for every frame, then send it. */
    private static final class Pcap4jSender {
        private final PcapHandle handle;

        Pcap4jSender(PcapHandle handle) {
            this.handle = handle;
        }

        void send(MacAddress mac, List<InetAddress> addresses) {
            org.pcap4j.util.MacAddress source = org.pcap4j.util.MacAddress.getByAddress(mac.bytes());
            try {
                for (InetAddress address : addresses) {
                    Inet4Address ip = (Inet4Address) address;
                    ArpPacket.Builder arp = new ArpPacket.Builder()
                            .hardwareType(ArpHardwareType.ETHERNET).protocolType(EtherType.IPV4)
                            .hardwareAddrLength((byte) 6).protocolAddrLength((byte) 4)
                            .operation(ArpOperation.REQUEST)
                            .srcHardwareAddr(source).srcProtocolAddr(ip)
                            .dstHardwareAddr(org.pcap4j.util.MacAddress.getByName("00:00:00:00:00:00")).dstProtocolAddr(ip);
                    EthernetPacket.Builder ethernet = new EthernetPacket.Builder()
                            .dstAddr(org.pcap4j.util.MacAddress.ETHER_BROADCAST_ADDRESS).srcAddr(source)
                            .type(EtherType.ARP).payloadBuilder(arp).paddingAtBuild(true);
                    handle.sendPacket(ethernet.build());
                }
            } catch (Exception e) {
                throw new IllegalStateException("baseline send failed: " + e.getMessage(), e);
            }
        }
    }
}
