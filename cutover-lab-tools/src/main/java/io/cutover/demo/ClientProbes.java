package io.cutover.demo;

import io.cutover.agent.plan.Timeline;
import io.cutover.lab.Lab;
import io.cutover.support.Netns;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The lab client's view of a moving VM: UDP probes at a fixed rate and one long-lived TCP connection, both from the
 * {@code client} host, and what they saw put on the cutover's timeline.
 */
final class ClientProbes implements AutoCloseable {
    /** The most probes a demo sends (10 minutes at 1,000 a second): the probing is bounded whatever happens. */
    static final int MAX_PROBES = 600_000;
    private static final Duration TCP_INTERVAL = Duration.ofMillis(10);

    private final Netns probing;
    private final ExecutorService thread = Executors.newSingleThreadExecutor();
    private final UdpProber prober;
    private final CompletableFuture<UdpProbeResult> result;
    private TcpProbe tcp;

    private ClientProbes(Lab lab, InetSocketAddress udp, int rate) {
        probing = lab.netns("client");
        prober = new UdpProber(udp, rate, MAX_PROBES);
        result = CompletableFuture.supplyAsync(() -> probing.call(() -> prober.run(Duration.ofSeconds(1))), thread);
    }

    /** Starts probing {@code udp} at {@code rate} a second and opens a TCP connection to {@code tcp}. */
    static ClientProbes start(Lab lab, InetSocketAddress udp, InetSocketAddress tcp, int rate) throws IOException {
        ClientProbes probes = new ClientProbes(lab, udp, rate);
        try (Netns client = lab.netns("client")) {
            probes.tcp = client.call(() -> TcpProbe.start(tcp, TCP_INTERVAL));
        } catch (RuntimeException e) {
            try {
                probes.close();
            } catch (IOException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
        return probes;
    }

    /**
     * Stops the UDP probes and the TCP connection's exchange, closing it (the client then sends nothing more to the
     * guest's address, and a tunnel carrying it goes idle); returns what the UDP probes saw.
     */
    UdpProbeResult stop() throws Exception {
        prober.stop();
        tcp.stop();
        return result.get(30, TimeUnit.SECONDS);
    }

    boolean tcpAlive() {
        return tcp.alive();
    }

    long tcpExchanged() {
        return tcp.exchanged();
    }

    /** Probes lost among those sent between the two instants (the host's monotonic clock). */
    long lostBetween(long fromNanos, long toNanos) {
        return prober.lostBetween(fromNanos, toNanos);
    }

    /**
     * The 99th percentile of how long after {@code resumedNanos} the probes sent from {@code pausedNanos} until then
     * were answered, in milliseconds (0 where none was): how late the cutover delivered what it held.
     */
    double heldDelayP99Millis(long pausedNanos, long resumedNanos) {
        double[] delays = prober.heldDelaysMillis(pausedNanos, resumedNanos);
        return delays.length == 0 ? 0 : delays[Math.min(delays.length - 1, (int) Math.ceil(delays.length * 0.99) - 1)];
    }

    /**
     * Puts the client's gap across the blackout ({@code client.gap}: last echo before {@code switchoverNanos}, first
     * echo after {@code activatedNanos}) and its runs of lost probes ({@code client.lost}) on {@code timeline};
     * returns the gap.
     */
    UdpProber.Gap addTo(Timeline timeline, long switchoverNanos, long activatedNanos) {
        UdpProber.Gap gap = prober.gapAcross(switchoverNanos, activatedNanos);
        timeline.addAt(gap.fromNanos(), "client.gap", "start", "last echo before the cutover");
        timeline.addAt(gap.toNanos(), "client.gap", "done", "first echo after it");
        for (UdpProber.LostRun run : prober.lostRuns(10)) {
            timeline.addAt(run.fromNanos(), "client.lost", "start", run.probes() + " probes sent from here on lost");
            timeline.addAt(run.toNanos(), "client.lost", "done", "");
        }
        return gap;
    }

    @Override
    public void close() throws IOException {
        prober.stop();
        thread.shutdownNow();
        probing.close();
        if (tcp != null) {
            tcp.close();
        }
    }
}
