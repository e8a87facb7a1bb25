package io.cutover.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.cutover.lab.Lab;
import io.cutover.support.Netns;
import io.cutover.lab.Topology;
import io.cutover.api.CutoverStage;
import io.cutover.tunnel.DropReason;
import io.cutover.tunnel.FrameInjector;
import io.cutover.tunnel.MoveSpec;
import io.cutover.tunnel.Role;
import io.cutover.tunnel.TunnelKey;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code cutover bench tunnel}: frames generated into a veth in hostA, caught there, tunnelled over the
 * hostA-hostB underlay, injected into a veth in hostB and counted at its other end; then the same frames
 * through the Linux kernel's own VXLAN (a bridge and a {@code vxlan} device in each namespace) between the
 * same namespaces. The forwarder runs as a tunnel daemon in each namespace ({@code cutover tunnel serve}, a JVM of its
 * own, as in production). It is measured twice in the same run, with a sealed move (AES-GCM, the product's
 * default) and with a plain one ({@code insecurePlain}, what the kernel's VXLAN speaks), each against the same kernel
 * baseline. Reports packets/s at 64-byte frames, Gbit/s at 1,400-byte frames, and one-way latency.
 */
@Command(name = "tunnel", mixinStandardHelpOptions = true,
        description = "Tunnel daemons (capture -> VXLAN over Netty -> inject) against the kernel's VXLAN, in a lab.")
public final class TunnelBench implements Callable<Integer> {
    static final String VM_IP = "198.18.0.100";
    static final byte[] VM_MAC = {0x02, 0x00, (byte) 0xc6, 0x12, 0x00, 0x64};
    static final byte[] GEN_MAC = {0x02, 0x00, 0x00, 0x00, (byte) 0xbe, 0x01};
    static final int VNI = 4242;
    static final int KERNEL_PORT = 4799;
    /** The offered rate of the paced phase, to tell the forwarder's own limit from the 2-core machine's. */
    static final int PACED_RATE = 20_000;
    /** The warm-up at {@link #PACED_RATE}: 20,000 frames. */
    static final Duration WARM_UP = Duration.ofSeconds(1);
    /** Frames per {@code sendmmsg} of the generator. */
    static final int GEN_BATCH = 64;
    /** Generator threads, one packet socket each. */
    static final int GEN_THREADS = 2;

    @Option(names = "--quick", description = "Shorter phases (under 90 s in all).")
    boolean quick;

    @Override
    public Integer call() throws Exception {
        Duration phase = quick ? Duration.ofSeconds(2) : Duration.ofSeconds(8);
        int latencySamples = quick ? 1000 : 5000;
        BenchReport report = new BenchReport("tunnel");
        try (Lab lab = Lab.up(null, Topology.LAN).removeAtExit()) {
            System.err.println("lab " + lab.name() + " up; measuring (" + phase.toSeconds() + " s per phase)");
            for (String[] cmd : new String[][] {
                    {"hostA", "ip", "link", "add", "bgen0", "type", "veth", "peer", "name", "bcap0"},
                    {"hostB", "ip", "link", "add", "binj0", "type", "veth", "peer", "name", "bsink0"},
                    {"hostA", "ip", "link", "set", "bgen0", "up"}, {"hostA", "ip", "link", "set", "bcap0", "up"},
                    {"hostB", "ip", "link", "set", "binj0", "up"}, {"hostB", "ip", "link", "set", "bsink0", "up"}}) {
                lab.exec(cmd[0], Arrays.copyOfRange(cmd, 1, cmd.length)).orThrow();
            }

            TunnelKey key = TunnelKey.of(new SecureRandom().generateSeed(32), null);
            ForwarderRun sealed = forwarderRun(lab, "sealed", key, phase, latencySamples);
            ForwarderRun plain = forwarderRun(lab, "plain", null, phase, latencySamples);

            List<List<String>> kernelCommands = kernelVxlan(lab);
            warmUp(lab);
            Phase kPaced = blast(lab, 64, phase, PACED_RATE);
            Phase kSmall = blast(lab, 64, phase);
            Phase kBig = blast(lab, 1400, phase);
            Latency kLatency = latency(lab, latencySamples);

            double sealedRatio = kBig.gbps() == 0 ? 0 : sealed.big().gbps() / kBig.gbps();
            double plainRatio = kBig.gbps() == 0 ? 0 : plain.big().gbps() / kBig.gbps();
            double addedP50 = sealed.latency().p50() - kLatency.p50();
            double addedP99 = sealed.latency().p99() - kLatency.p99();
            for (ForwarderRun run : List.of(sealed, plain)) {
                String who = "forwarder " + run.name();
                report.row(who + " paced " + PACED_RATE + "/s, 64 B, delivered", "packets/s", run.paced().pps())
                        .row(who + " paced " + PACED_RATE + "/s, 64 B, loss", "%", run.paced().lossPercent())
                        .row(who + " offered, 64 B", "packets/s", run.small().offeredPps())
                        .row(who + " delivered, 64 B", "packets/s", run.small().pps())
                        .row(who + " delivered, 1400 B", "Gbit/s", run.big().gbps())
                        .row(who + " loss, 64 B", "%", run.small().lossPercent())
                        .row(who + " loss, 1400 B", "%", run.big().lossPercent())
                        .row(who + " drops counted", "packets", run.drops())
                        .row(who + " latency p50", "us", run.latency().p50())
                        .row(who + " latency p99", "us", run.latency().p99());
            }
            report.row("kernel vxlan paced " + PACED_RATE + "/s, 64 B, delivered", "packets/s", kPaced.pps())
                    .row("kernel vxlan paced " + PACED_RATE + "/s, 64 B, loss", "%", kPaced.lossPercent())
                    .row("kernel vxlan offered, 64 B", "packets/s", kSmall.offeredPps())
                    .row("kernel vxlan delivered, 64 B", "packets/s", kSmall.pps())
                    .row("kernel vxlan delivered, 1400 B", "Gbit/s", kBig.gbps())
                    .row("kernel vxlan latency p50", "us", kLatency.p50())
                    .row("kernel vxlan latency p99", "us", kLatency.p99())
                    .row("forwarder sealed / kernel, 1400 B", "ratio", sealedRatio)
                    .row("forwarder plain / kernel, 1400 B", "ratio", plainRatio)
                    .row("added latency p50 (sealed forwarder - kernel)", "us", addedP50)
                    .row("added latency p99 (sealed forwarder - kernel)", "us", addedP99);
            report.detail("phaseSeconds", phase.toSeconds()).detail("latencySamples", latencySamples)
                    .detail("goals", "sealed pps >= 300000 at 64 B; sealed gbps >= 50% of kernel at 1400 B; added p99 <= 100 us")
                    .detail("sealed", sealed).detail("plain", plain)
                    .detail("kernelPaced64", kPaced).detail("kernel64", kSmall).detail("kernel1400", kBig)
                    .detail("kernelLatency", kLatency)
                    .detail("kernelVxlanCommands", kernelCommands.stream()
                            .map(c -> "ip netns exec " + lab.namespace(c.get(0)) + " " + String.join(" ", c.subList(1, c.size())))
                            .toList());
            report.key("sealed_pps", Math.round(sealed.small().pps())).key("sealed_ratio", round(sealedRatio))
                    .key("plain_pps", Math.round(plain.small().pps())).key("plain_ratio", round(plainRatio))
                    .key("added_p99_us", Math.round(addedP99))
                    .key("sealed_gbps", round(sealed.big().gbps())).key("plain_gbps", round(plain.big().gbps()))
                    .key("kernel_gbps", round(kBig.gbps())).key("kernel_pps", Math.round(kSmall.pps()))
                    .key("paced_loss_pct", round(sealed.paced().lossPercent())).key("added_p50_us", Math.round(addedP50));
        }
        report.print(System.out);
        return 0;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    /** What the forwarder measured with one kind of move: sealed (with a key) or plain. */
    public record ForwarderRun(String name, String daemon, Phase paced, Phase small, Phase big, Latency latency,
                               long drops) {
    }

    /**
     * Starts a tunnel daemon in hostA and one in hostB ({@link TunnelDaemonProcess}, each a JVM of its own as in
     * production, so that the bench's own JVM, its generator and sink, neither shares their heap nor stops them at its
     * safepoints), adds one move between them over their APIs, sealed under {@code key} or plain when it is
     * {@code null}, measures it, and stops both, so that the next run finds the namespaces as they were.
     */
    private static ForwarderRun forwarderRun(Lab lab, String name, TunnelKey key, Duration phase, int latencySamples)
            throws Exception {
        Path dir = BenchReport.OUTPUT_DIR.resolve("tunnel-" + name).toAbsolutePath();
        try (TunnelDaemonProcess a = TunnelDaemonProcess.start(lab, "hostA", "198.19.0.1:4789", dir);
             TunnelDaemonProcess b = TunnelDaemonProcess.start(lab, "hostB", "198.19.0.2:4789", dir)) {
            MoveSpec.Builder builder = MoveSpec.builder("bench-" + name, VNI).role(Role.SOURCE)
                    .vmMac("02:00:c6:12:00:64").vmAddresses(List.of(InetAddress.getByName(VM_IP)))
                    .peer(new InetSocketAddress(InetAddress.getByName("198.19.0.2"), 4789)).iface("bcap0");
            MoveSpec source = (key == null ? builder.insecurePlain(true) : builder.key(key)).build();
            b.add(source.otherEnd(new InetSocketAddress(InetAddress.getByName("198.19.0.1"), 4789), "binj0"));
            a.add(source);
            a.stage(source.id(), CutoverStage.ACTIVATED);
            b.stage(source.id(), CutoverStage.ACTIVATED);
            String daemon = String.join(" ", a.command());
            System.err.println("forwarder " + name + ": measuring (" + daemon + ")");
            warmUp(lab);
            Phase paced = blast(lab, 64, phase, PACED_RATE);
            Phase small = blast(lab, 64, phase);
            Phase big = blast(lab, 1400, phase);
            Latency latency = latency(lab, latencySamples);
            Thread.sleep(300);
            JsonNode s = a.status(source.id());
            JsonNode d = b.status(source.id());
            System.err.println(name + " source counters " + s.path("counters") + " drops " + s.path("drops"));
            System.err.println(name + " destination counters " + d.path("counters") + " drops " + d.path("drops"));
            long socketOverflow = b.stats().path("totalDrops").path(DropReason.SOCKET_OVERFLOW.name()).asLong();
            System.err.println(name + " hostB tunnel socket receive-buffer overflows: " + socketOverflow);
            long drops = sum(s.path("drops")) + sum(d.path("drops")) + socketOverflow;
            return new ForwarderRun(name, daemon, paced, small, big, latency, drops);
        }
    }

    private static long sum(JsonNode counts) {
        long total = 0;
        for (JsonNode count : counts) {
            total += count.asLong();
        }
        return total;
    }

    /**
     * Frames before the measured phases, not reported: switch learning, queues, and the JIT, which compiles the
     * forwarder's path (AES-GCM's intrinsics among it) after some 10,000 frames; a shorter warm-up left the sealed
     * run's first phase measuring the interpreter.
     */
    private static void warmUp(Lab lab) throws Exception {
        blast(lab, 64, WARM_UP, PACED_RATE);
    }

    /**
     * Bridges bcap0 (hostA) and binj0 (hostB) through the kernel's VXLAN over the underlay; returns the commands
     * run, each as the node and the command line, for the report (anyone can run them again).
     */
    private static List<List<String>> kernelVxlan(Lab lab) {
        List<List<String>> commands = new ArrayList<>();
        for (String[] side : new String[][] {{"hostA", "198.19.0.1", "198.19.0.2", "bcap0"}, {"hostB", "198.19.0.2", "198.19.0.1", "binj0"}}) {
            String node = side[0];
            for (List<String> cmd : List.of(
                    List.of("ip", "link", "add", "kbr0", "type", "bridge"),
                    List.of("ip", "link", "add", "vx0", "type", "vxlan", "id", String.valueOf(VNI), "local", side[1],
                            "remote", side[2], "dstport", String.valueOf(KERNEL_PORT), "dev", "eth1"),
                    List.of("ip", "link", "set", "vx0", "master", "kbr0"),
                    List.of("ip", "link", "set", side[3], "master", "kbr0"),
                    List.of("ip", "link", "set", "vx0", "up"),
                    List.of("ip", "link", "set", "kbr0", "up"))) {
                lab.exec(node, cmd.toArray(String[]::new)).orThrow();
                List<String> recorded = new ArrayList<>();
                recorded.add(node);
                recorded.addAll(cmd);
                commands.add(recorded);
            }
        }
        return commands;
    }

    /** What one throughput phase measured. */
    public record Phase(int frameBytes, long sent, long received, double seconds, double offeredPps, double pps, double gbps) {
        double lossPercent() {
            return sent == 0 ? 0 : 100.0 * Math.max(0, sent - received) / sent;
        }
    }

    /** One-way latencies in microseconds. */
    public record Latency(double p50, double p99, int samples) {
    }

    private static byte[] frame(int size) {
        ByteBuffer b = ByteBuffer.allocate(size);
        b.put(VM_MAC).put(GEN_MAC).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (size - 14)).putShort((short) 0).putShort((short) 0x4000)
                .put((byte) 64).put((byte) 17).putShort((short) 0)
                .put(new byte[] {(byte) 198, 18, 0, 10}).put(new byte[] {(byte) 198, 18, 0, 100});
        b.putShort((short) 40000).putShort((short) 9).putShort((short) (size - 34)).putShort((short) 0);
        byte[] f = b.array();
        long sum = 0;
        for (int i = 14; i < 34; i += 2) {
            sum += ((f[i] & 0xFF) << 8) | (f[i + 1] & 0xFF);
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        f[24] = (byte) (~sum >>> 8);
        f[25] = (byte) ~sum;
        return f;
    }

    /** Sends frames as fast as the generator can for {@code length}; counts what reaches the far veth. */
    private static Phase blast(Lab lab, int size, Duration length) throws Exception {
        return blast(lab, size, length, 0);
    }

    /**
     * As {@link #blast(Lab, int, Duration)}, offering at most {@code rate} frames/s (0: as fast as it can). The frames
     * leave from {@value #GEN_THREADS} threads, each sending batches of up to {@value #GEN_BATCH} per
     * {@code sendmmsg} on a packet socket (the forwarder's own injector, {@link FrameInjector}), so that the generator
     * offers more than the forwarder or the kernel can take; what arrives is read from the far veth's receive counter,
     * without a capture, and timed from the generator's start to the last arrival.
     */
    private static Phase blast(Lab lab, int size, Duration length, int rate) throws Exception {
        try (RxCounter counter = new RxCounter(lab, "hostB", "bsink0")) {
            List<byte[]> batch = new ArrayList<>();
            for (int i = 0; i < GEN_BATCH; i++) {
                byte[] frame = frame(size);
                ByteBuffer.wrap(frame).putInt(42, -1 - i); // never a latency sample number
                batch.add(frame);
            }
            long start = System.nanoTime();
            long end = start + length.toNanos();
            List<CompletableFuture<Long>> generators = new ArrayList<>();
            for (int g = 0; g < GEN_THREADS; g++) {
                CompletableFuture<Long> sent = new CompletableFuture<>();
                Netns.threadFactory(lab.namespace("hostA")).newThread(() -> {
                    try {
                        sent.complete(generate(batch, start, end, rate / (double) GEN_THREADS));
                    } catch (RuntimeException e) {
                        sent.completeExceptionally(e);
                    }
                }).start();
                generators.add(sent);
            }
            long sent = 0;
            for (CompletableFuture<Long> g : generators) {
                sent += g.get(length.toSeconds() + 30, TimeUnit.SECONDS);
            }
            double offered = sent / (double) length.toNanos() * 1e9;
            counter.awaitQuiet();
            double seconds = Math.max(1e-9, (counter.lastArrival() - start) / 1e9);
            long received = counter.received();
            double pps = received < 2 ? 0 : received / seconds;
            double gbps = received < 2 ? 0 : received * (double) size * 8 / seconds / 1e9;
            return new Phase(size, sent, received, seconds, offered, pps, gbps);
        }
    }

    /** One generator thread (in hostA): sends {@code batch} out of bgen0 until {@code end}; returns the frames sent. */
    private static long generate(List<byte[]> batch, long start, long end, double rate) {
        try (FrameInjector gen = FrameInjector.open("bgen0")) {
            long n = 0;
            long now;
            while ((now = System.nanoTime()) < end) {
                int count = batch.size();
                if (rate > 0) {
                    long due = (long) ((now - start) * rate / 1e9) - n;
                    if (due <= 0) {
                        LockSupport.parkNanos(200_000);
                        continue;
                    }
                    count = (int) Math.min(count, due);
                }
                n += gen.sendAll(count == batch.size() ? batch : batch.subList(0, count));
            }
            return n;
        }
    }

    /** Paced numbered frames; the latency of each is its arrival at the far veth minus its sending. */
    private static Latency latency(Lab lab, int samples) throws Exception {
        Sink sink = new Sink(lab, samples);
        try {
            long[] sentAt = new long[samples];
            byte[] frame = frame(128);
            try (Netns ns = lab.netns("hostA")) {
                ns.run(() -> {
                    try (PcapHandle gen = new PcapHandle.Builder("bgen0").snaplen(128)
                            .promiscuousMode(PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS).timeoutMillis(10).build()) {
                        long start = System.nanoTime();
                        for (int i = 0; i < samples; i++) {
                            long due = start + i * 500_000L;
                            long wait = due - System.nanoTime();
                            if (wait > 0) {
                                LockSupport.parkNanos(wait);
                            }
                            ByteBuffer.wrap(frame).putInt(42, i);
                            sentAt[i] = System.nanoTime();
                            gen.sendPacket(frame, frame.length);
                        }
                    } catch (PcapNativeException | NotOpenException e) {
                        throw new IllegalStateException(e);
                    }
                });
            }
            Thread.sleep(500);
            sink.stop();
            long[] latencies = new long[samples];
            int n = 0;
            for (int i = 0; i < samples; i++) {
                if (sink.arrivals[i] != 0) {
                    latencies[n++] = sink.arrivals[i] - sentAt[i];
                }
            }
            long[] got = Arrays.copyOf(latencies, n);
            Arrays.sort(got);
            if (n == 0) {
                return new Latency(0, 0, 0);
            }
            return new Latency(got[(int) (n * 0.50)] / 1000.0, got[Math.min(n - 1, (int) (n * 0.99))] / 1000.0, n);
        } finally {
            sink.stop();
        }
    }

    /**
     * Counts the frames an interface receives, from its kernel counter ({@code /proc/thread-self/net/dev} read in its
     * namespace every {@value #RX_POLL_MICROS} us): what arrived since it was made, and when the last increase was seen.
     */
    private static final class RxCounter implements AutoCloseable {
        private static final long RX_POLL_MICROS = 1000;
        private final String iface;
        private final byte[] name;
        private final Thread thread;
        private final CompletableFuture<Long> opened = new CompletableFuture<>();
        private volatile boolean stopped;
        private volatile long base;
        private volatile long latest;
        private volatile long last;

        RxCounter(Lab lab, String node, String iface) throws Exception {
            this.iface = iface;
            this.name = (iface + ":").getBytes(StandardCharsets.US_ASCII);
            this.thread = Netns.threadFactory(lab.namespace(node)).newThread(this::run);
            thread.setDaemon(true);
            thread.start();
            base = opened.get(10, TimeUnit.SECONDS);
            latest = base;
        }

        private void run() {
            try (FileChannel dev = FileChannel.open(Path.of("/proc/thread-self/net/dev"))) {
                ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
                opened.complete(read(dev, buffer));
                while (!stopped) {
                    long now = read(dev, buffer);
                    if (now != latest) {
                        last = System.nanoTime();
                        latest = now;
                    }
                    LockSupport.parkNanos(RX_POLL_MICROS * 1000);
                }
            } catch (Exception e) {
                opened.completeExceptionally(e);
            }
        }

        /**
         * The interface's received packets, parsed from the file read again from its start into {@code buffer}: no
         * allocation per read, as this runs in the forwarders' process.
         */
        private long read(FileChannel dev, ByteBuffer buffer) throws IOException {
            buffer.clear();
            while (buffer.hasRemaining() && dev.read(buffer, buffer.position()) > 0) {
                // the whole file
            }
            byte[] text = buffer.array();
            int end = buffer.position();
            for (int line = 0; line < end; ) {
                int at = line;
                while (at < end && text[at] == ' ') {
                    at++;
                }
                if (Arrays.equals(text, at, Math.min(end, at + name.length), name, 0, name.length)) {
                    at += name.length;
                    for (int field = 0; field < 2; field++) { // bytes, then packets
                        while (text[at] == ' ') {
                            at++;
                        }
                        long value = 0;
                        while (text[at] >= '0' && text[at] <= '9') {
                            value = value * 10 + (text[at++] - '0');
                        }
                        if (field == 1) {
                            return value;
                        }
                    }
                }
                while (line < end && text[line] != '\n') {
                    line++;
                }
                line++;
            }
            throw new IllegalStateException("no interface " + iface + " in /proc/net/dev");
        }

        long received() {
            return latest - base;
        }

        /** The {@link System#nanoTime()} of the last increase seen. */
        long lastArrival() {
            return last;
        }

        /** Waits until the counter has not moved for 500 ms (queues drained), at most 15 s. */
        void awaitQuiet() throws InterruptedException {
            long deadline = System.nanoTime() + 15_000_000_000L;
            long seen = -1;
            while (System.nanoTime() < deadline && latest != seen) {
                seen = latest;
                Thread.sleep(500);
            }
        }

        @Override
        public void close() throws InterruptedException {
            stopped = true;
            thread.join(2_000);
        }
    }

    /** Catches the frames for the VM at hostB's bsink0 with Pcap4J, recording arrival times of numbered ones (latency). */
    private static final class Sink {
        final long[] arrivals;
        private final PcapHandle handle;
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private volatile boolean stopped;

        Sink(Lab lab, int samples) throws Exception {
            this.arrivals = new long[samples];
            CompletableFuture<PcapHandle> opened = new CompletableFuture<>();
            Thread t = Netns.threadFactory(lab.namespace("hostB")).newThread(() -> {
                try {
                    PcapHandle h = new PcapHandle.Builder("bsink0").snaplen(64)
                            .promiscuousMode(PcapNetworkInterface.PromiscuousMode.PROMISCUOUS).timeoutMillis(10)
                            .immediateMode(true).bufferSize(64 * 1024 * 1024).build();
                    h.setFilter("ether dst 02:00:c6:12:00:64", BpfProgram.BpfCompileMode.OPTIMIZE);
                    opened.complete(h);
                    while (!stopped) {
                        h.dispatch(-1, (byte[] p) -> {
                            long now = System.nanoTime();
                            if (p.length >= 46) {
                                int seq = ByteBuffer.wrap(p).getInt(42);
                                if (seq >= 0 && seq < arrivals.length && arrivals[seq] == 0) {
                                    arrivals[seq] = now;
                                }
                            }
                        });
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    opened.completeExceptionally(e);
                } finally {
                    done.complete(null);
                }
            });
            t.start();
            this.handle = opened.get(10, TimeUnit.SECONDS);
        }

        void stop() throws Exception {
            if (stopped) {
                return;
            }
            stopped = true;
            try {
                handle.breakLoop();
            } catch (NotOpenException e) {
                // already closed
            }
            done.get(5, TimeUnit.SECONDS);
            handle.close();
        }
    }
}
