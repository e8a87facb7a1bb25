package io.cutover.bench;

import io.cutover.lab.Lab;
import io.cutover.support.Netns;
import io.cutover.lab.Topology;
import io.cutover.api.CutoverStage;
import io.cutover.tunnel.DropReason;
import io.cutover.tunnel.Forwarder;
import io.cutover.tunnel.ForwarderOptions;
import io.cutover.tunnel.MoveSpec;
import io.cutover.tunnel.MoveStatus;
import io.cutover.tunnel.Role;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code cutover bench tunnel}: frames generated into a veth in hostA, caught there, tunnelled over the
 * hostA-hostB underlay, injected into a veth in hostB and counted at its other end; then the same frames
 * through the Linux kernel's own VXLAN (a bridge and a {@code vxlan} device in each namespace) between the
 * same namespaces. Reports packets/s at 64-byte frames, Gbit/s at 1,400-byte frames, and one-way latency.
 */
@Command(name = "tunnel", mixinStandardHelpOptions = true,
        description = "Forwarder (capture -> VXLAN over Netty -> inject) against the kernel's VXLAN, in a lab.")
public final class TunnelBench implements Callable<Integer> {
    static final String VM_IP = "198.18.0.100";
    static final byte[] VM_MAC = {0x02, 0x00, (byte) 0xc6, 0x12, 0x00, 0x64};
    static final byte[] GEN_MAC = {0x02, 0x00, 0x00, 0x00, (byte) 0xbe, 0x01};
    static final int VNI = 4242;
    static final int KERNEL_PORT = 4799;
    /** The offered rate of the paced phase, to tell the forwarder's own limit from the 2-core machine's. */
    static final int PACED_RATE = 20_000;

    @Option(names = "--quick", description = "Shorter phases (under 60 s in all).")
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

            Phase fwdPaced;
            Phase fwdSmall;
            Phase fwdBig;
            Latency fwdLatency;
            long fwdDrops;
            Forwarder a = forwarder(lab, "hostA");
            Forwarder b = forwarder(lab, "hostB");
            try {
                MoveSpec source = MoveSpec.builder("bench", VNI).role(Role.SOURCE)
                        .vmMac("02:00:c6:12:00:64").vmAddresses(List.of(InetAddress.getByName(VM_IP)))
                        .peer(new InetSocketAddress(InetAddress.getByName("198.19.0.2"), 4789)).iface("bcap0")
                        .insecurePlain(true).build(); // plain VXLAN, as the kernel's it is measured against
                b.add(source.otherEnd(new InetSocketAddress(InetAddress.getByName("198.19.0.1"), 4789), "binj0"));
                a.add(source);
                a.stage("bench", CutoverStage.ACTIVATED);
                b.stage("bench", CutoverStage.ACTIVATED);
                blast(lab, 64, Duration.ofMillis(500), 5_000); // warm-up (JIT, queues, switch learning), not reported
                fwdPaced = blast(lab, 64, phase, PACED_RATE);
                fwdSmall = blast(lab, 64, phase);
                fwdBig = blast(lab, 1400, phase);
                fwdLatency = latency(lab, latencySamples);
                Thread.sleep(300);
                MoveStatus s = a.status("bench").orElseThrow();
                MoveStatus d = b.status("bench").orElseThrow();
                System.err.println("source counters " + s.counters() + " drops " + s.drops());
                System.err.println("destination counters " + d.counters() + " drops " + d.drops());
                long socketOverflow = b.stats().drops(DropReason.SOCKET_OVERFLOW);
                System.err.println("hostB tunnel socket receive-buffer overflows: " + socketOverflow);
                fwdDrops = s.drops().values().stream().mapToLong(Long::longValue).sum()
                        + d.drops().values().stream().mapToLong(Long::longValue).sum() + socketOverflow;
            } finally {
                a.close();
                b.close();
            }

            kernelVxlan(lab);
            blast(lab, 64, Duration.ofMillis(500), 5_000);
            Phase kPaced = blast(lab, 64, phase, PACED_RATE);
            Phase kSmall = blast(lab, 64, phase);
            Phase kBig = blast(lab, 1400, phase);
            Latency kLatency = latency(lab, latencySamples);

            double ratio = kBig.gbps() == 0 ? 0 : fwdBig.gbps() / kBig.gbps();
            double addedP50 = fwdLatency.p50() - kLatency.p50();
            double addedP99 = fwdLatency.p99() - kLatency.p99();
            report.row("forwarder paced " + PACED_RATE + "/s, 64 B, delivered", "packets/s", fwdPaced.pps())
                    .row("forwarder paced " + PACED_RATE + "/s, 64 B, loss", "%", fwdPaced.lossPercent())
                    .row("kernel vxlan paced " + PACED_RATE + "/s, 64 B, delivered", "packets/s", kPaced.pps())
                    .row("kernel vxlan paced " + PACED_RATE + "/s, 64 B, loss", "%", kPaced.lossPercent())
                    .row("forwarder offered, 64 B", "packets/s", fwdSmall.offeredPps())
                    .row("forwarder delivered, 64 B", "packets/s", fwdSmall.pps())
                    .row("forwarder delivered, 1400 B", "Gbit/s", fwdBig.gbps())
                    .row("forwarder loss, 64 B", "%", fwdSmall.lossPercent())
                    .row("forwarder loss, 1400 B", "%", fwdBig.lossPercent())
                    .row("forwarder drops counted", "packets", fwdDrops)
                    .row("kernel vxlan offered, 64 B", "packets/s", kSmall.offeredPps())
                    .row("kernel vxlan delivered, 64 B", "packets/s", kSmall.pps())
                    .row("kernel vxlan delivered, 1400 B", "Gbit/s", kBig.gbps())
                    .row("forwarder / kernel, 1400 B", "ratio", ratio)
                    .row("forwarder latency p50", "us", fwdLatency.p50())
                    .row("forwarder latency p99", "us", fwdLatency.p99())
                    .row("kernel vxlan latency p50", "us", kLatency.p50())
                    .row("kernel vxlan latency p99", "us", kLatency.p99())
                    .row("added latency p50 (forwarder - kernel)", "us", addedP50)
                    .row("added latency p99 (forwarder - kernel)", "us", addedP99);
            report.detail("phaseSeconds", phase.toSeconds()).detail("latencySamples", latencySamples)
                    .detail("goals", "pps >= 300000; gbps >= 50% of kernel; added p99 <= 100 us")
                    .detail("forwarderPaced64", fwdPaced).detail("kernelPaced64", kPaced).detail("forwarder64", fwdSmall).detail("forwarder1400", fwdBig)
                    .detail("kernel64", kSmall).detail("kernel1400", kBig);
            report.key("pps", Math.round(fwdSmall.pps())).key("gbps", round(fwdBig.gbps())).key("kernel_gbps", round(kBig.gbps()))
                    .key("ratio", round(ratio)).key("paced_loss_pct", round(fwdPaced.lossPercent())).key("added_p50_us", Math.round(addedP50)).key("added_p99_us", Math.round(addedP99));
        }
        report.print(System.out);
        return 0;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static Forwarder forwarder(Lab lab, String node) {
        try (Netns ns = lab.netns(node)) {
            return ns.call(() -> Forwarder.start(ForwarderOptions.builder()
                    .threadFactory(Netns.threadFactory(lab.namespace(node))).build()));
        }
    }

    private static void kernelVxlan(Lab lab) {
        for (String[] side : new String[][] {{"hostA", "198.19.0.1", "198.19.0.2", "bcap0"}, {"hostB", "198.19.0.2", "198.19.0.1", "binj0"}}) {
            String node = side[0];
            lab.exec(node, "ip", "link", "add", "kbr0", "type", "bridge").orThrow();
            lab.exec(node, "ip", "link", "add", "vx0", "type", "vxlan", "id", String.valueOf(VNI), "local", side[1],
                    "remote", side[2], "dstport", String.valueOf(KERNEL_PORT), "dev", "eth1").orThrow();
            lab.exec(node, "ip", "link", "set", "vx0", "master", "kbr0").orThrow();
            lab.exec(node, "ip", "link", "set", side[3], "master", "kbr0").orThrow();
            lab.exec(node, "ip", "link", "set", "vx0", "up").orThrow();
            lab.exec(node, "ip", "link", "set", "kbr0", "up").orThrow();
        }
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

    /** As {@link #blast(Lab, int, Duration)}, offering at most {@code rate} frames/s (0: as fast as it can). */
    private static Phase blast(Lab lab, int size, Duration length, int rate) throws Exception {
        Sink sink = new Sink(lab, 0);
        try {
            byte[] frame = frame(size);
            long sent;
            try (Netns ns = lab.netns("hostA")) {
                sent = ns.call(() -> {
                    try (PcapHandle gen = new PcapHandle.Builder("bgen0").snaplen(128)
                            .promiscuousMode(PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS).timeoutMillis(10).build()) {
                        long n = 0;
                        long start = System.nanoTime();
                        long end = start + length.toNanos();
                        while (System.nanoTime() < end) {
                            if (rate > 0 && n % 50 == 0) {
                                long wait = start + n * 1_000_000_000L / rate - System.nanoTime();
                                if (wait > 0) {
                                    LockSupport.parkNanos(wait);
                                }
                            }
                            ByteBuffer.wrap(frame).putInt(42, (int) n);
                            gen.sendPacket(frame, frame.length);
                            n++;
                        }
                        return n;
                    }
                });
            }
            double offered = sent / (double) length.toNanos() * 1e9;
            sink.awaitQuiet();
            sink.stop();
            double seconds = Math.max(1e-9, (sink.last.get() - sink.first.get()) / 1e9);
            long received = sink.count.get();
            double pps = received < 2 ? 0 : received / seconds;
            double gbps = received < 2 ? 0 : received * (double) size * 8 / seconds / 1e9;
            return new Phase(size, sent, received, seconds, offered, pps, gbps);
        } finally {
            sink.stop();
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

    /** Counts frames for the VM at hostB's bsink0, recording arrival times of numbered ones. */
    private static final class Sink {
        final AtomicLong count = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();
        final AtomicLong first = new AtomicLong();
        final AtomicLong last = new AtomicLong();
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
                            if (count.getAndIncrement() == 0) {
                                first.set(now);
                            }
                            last.set(now);
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

        /** Waits until nothing has arrived for 500 ms (queues drained), at most 15 s. */
        void awaitQuiet() throws InterruptedException {
            long deadline = System.nanoTime() + 15_000_000_000L;
            long seen = -1;
            while (System.nanoTime() < deadline && count.get() != seen) {
                seen = count.get();
                Thread.sleep(500);
            }
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
