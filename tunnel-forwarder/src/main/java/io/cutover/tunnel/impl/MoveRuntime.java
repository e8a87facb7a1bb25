package io.cutover.tunnel.impl;

import io.cutover.tunnel.DrainPolicy;
import io.cutover.tunnel.DropReason;
import io.cutover.tunnel.MalformedPacketException;
import io.cutover.tunnel.MoveSpec;
import io.cutover.tunnel.MoveState;
import io.cutover.tunnel.MoveStatus;
import io.cutover.tunnel.Role;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One move inside the forwarder: wires this end's parts and walks them through the move's states. The parts: the
 * {@link SourceEnd} (catch, hold, forward) with its {@link NeighbourProxy}, or the {@link DestinationEnd} (receive and
 * inject); the {@link ReverseTunnel} when the move has one; and the tunnel both ends send into and receive from
 * ({@link TunnelSender}, {@link TunnelReceiver}), each end with its own sequence numbers and replay window.
 */
final class MoveRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(MoveRuntime.class);

    final MoveSpec spec;
    final Counters counters = new Counters();
    private final MovePhase phase;
    private final TunnelSender sender;
    private final FlushPacer pacer;
    private final TunnelReceiver receiver;
    /** SOURCE: the old site's LAN, for proxy answers, ICMP answers and the reverse tunnel's replies. */
    private final SinkSlot oldSite = new SinkSlot();
    /** DESTINATION: the new site's LAN, where the VM's frames are injected. */
    private final SinkSlot newSite = new SinkSlot();
    private final NeighbourProxy proxy;
    private final SourceEnd source;
    private final DestinationEnd destination;
    private final ReverseTunnel reverse;
    private volatile RingCapture capture;

    /**
     * @param pacer      paces the flush of what was held
     * @param journalNow writes the journal before a sequence number above its ceiling is accepted, or {@code null}
     *                   without a journal
     */
    MoveRuntime(MoveSpec spec, MoveState state, UdpTunnel tunnel, int pathMtu, FlushPacer pacer, Runnable journalNow) {
        this.spec = spec;
        this.pacer = pacer;
        this.phase = new MovePhase(state, spec.drain(), spec.role() == Role.DESTINATION);
        this.sender = new TunnelSender(spec, tunnel, pathMtu, counters);
        InnerFrames inner = new InnerFrames(spec.vmMacBytes(), spec.newAddress() == null ? spec.vmAddresses()
                : concat(spec.vmAddresses(), spec.newAddress()));
        this.reverse = spec.reverse() ? new ReverseTunnel(spec, inner, phase, sender, oldSite, counters) : null;
        if (spec.role() == Role.SOURCE) {
            this.proxy = new NeighbourProxy(phase, oldSite, counters);
            this.source = new SourceEnd(spec, inner, phase, sender, proxy, reverse, oldSite, counters);
            this.destination = null;
        } else {
            this.proxy = null;
            this.source = null;
            this.destination = new DestinationEnd(spec, inner, phase, newSite, counters);
        }
        this.receiver = new TunnelReceiver(spec, journalNow, counters, framesOutOfTheTunnel());
    }

    private static List<InetAddress> concat(List<InetAddress> list, InetAddress extra) {
        List<InetAddress> all = new ArrayList<>(list);
        all.add(extra);
        return all;
    }

    /** The destination delivers them; the source emits the VM's replies through its reverse tunnel. */
    private TunnelReceiver.InnerFrameHandler framesOutOfTheTunnel() {
        if (destination != null) {
            return destination::deliver;
        }
        if (reverse != null) {
            return reverse::emitAtOldSite;
        }
        return (frame, length) -> {
            throw new MalformedPacketException(DropReason.WRONG_VNI, "the source of a move without a reverse tunnel receives nothing");
        };
    }

    // ---- interfaces, attached on the control thread (or by tests) ----------------------------------

    /** SOURCE: the BPF filter of {@link #caught}'s capture. */
    String captureFilter() {
        return source.captureFilter();
    }

    /** DESTINATION, reverse tunnel: the BPF filter of {@link #caughtReply}'s capture. */
    String replyFilter() {
        return reverse.replyFilter();
    }

    /** SOURCE, L3: answers ARP and ND for the VM's old addresses once the VM has left (from SWITCHOVER on). */
    void attachProxy(NeighbourAnswers answers) {
        proxy.attach(answers);
    }

    void attachSource(RingCapture value) {
        this.capture = value;
    }

    /** DESTINATION: where the VM's frames are injected. */
    /** Frames a sink accepted but could not send (on the sink's own thread). */
    void sendFailed(int frames) {
        counters.drop(DropReason.SEND_FAILED, frames);
    }

    void attachSink(FrameSink value) {
        newSite.attach(value);
    }

    /** SOURCE, L3: the old site's LAN (the capture's interface), for proxy and ICMP answers and the VM's replies. */
    void attachReplySink(FrameSink value) {
        oldSite.attach(value);
    }

    // ---- frames --------------------------------------------------------------------------------------

    /** SOURCE: a frame caught at the old site (capture thread). */
    void caught(byte[] frame) {
        source.caught(frame);
    }

    /** DESTINATION, reverse tunnel: a reply of the VM from its old address, caught on the way out (capture thread). */
    void caughtReply(byte[] frame) {
        reverse.caughtReply(frame);
    }

    /** Whether this end's way into the tunnel has all the live frames it may queue (capture thread). */
    boolean backlogged() {
        return sender.backlogged();
    }

    /** A tunnel packet from this move's peer, header already checked (event loop thread). */
    void received(byte[] packet, int length) {
        receiver.received(packet, length);
    }

    /** Sends what is pending now (the event loop would soon anyway). */
    void sendPending() {
        sender.sendPending();
    }

    /** See {@link TunnelSender#learnPathMtu}. */
    void learnPathMtu(int kernelPathMtu) {
        sender.learnPathMtu(kernelPathMtu);
    }

    /** The largest Ethernet frame the tunnel carries without fragmenting the outer packet. */
    int maxFrame() {
        return sender.maxFrame();
    }

    // ---- journal -------------------------------------------------------------------------------------

    long replayHighest() {
        return receiver.highest();
    }

    /** The peer's sessions to journal now, with the current one's replay ceiling (the journal's lock held). */
    ReceiveSessions.Journaled rxJournalState(long nowNanos) {
        return receiver.journalState(nowNanos);
    }

    /** The state of {@link #rxJournalState} is on disk. */
    void rxJournaled(ReceiveSessions.Journaled state) {
        receiver.journaled(state);
    }

    /**
     * After a restart: the peer's journaled session refuses everything up to its journaled replay ceiling, and
     * earlier sessions stay refused. (This end's sender needs nothing: it starts a session of its own.)
     */
    void resume(String rxSession, long rxFloor) {
        receiver.resume(rxSession, rxFloor);
    }

    // ---- lifecycle -----------------------------------------------------------------------------------

    MoveState state() {
        return phase.state();
    }

    /**
     * SWITCHOVER: from now on everything caught is held, and so is what was caught since {@code from} (the frames that
     * reached the old site after the VM stopped, where the switch mirrored them here).
     */
    void holdStart(Instant from) {
        Duration ago = Duration.between(from, Instant.now());
        // no further back than the source keeps what it caught: an instant years away is no overflow
        holdStart(ago.isNegative() ? 0
                : ago.compareTo(RecentFrames.WINDOW) > 0 ? RecentFrames.WINDOW.toNanos() : ago.toNanos());
    }

    /** SWITCHOVER: from now on everything caught is held. */
    void holdStart() {
        holdStart(0);
    }

    private void holdStart(long agoNanos) {
        synchronized (phase.lock()) {
            if (phase.state() == MoveState.PLANNED) {
                if (source != null && agoNanos > 0) {
                    source.holdSince(System.nanoTime() - agoNanos);
                }
                phase.holding();
                LOG.info("move {}: holding (blackout){}", spec.id(), agoNanos == 0 ? ""
                        : ", from " + agoNanos / 1_000_000 + " ms before");
            }
        }
    }

    /**
     * ACTIVATED: forward, the held frames first, oldest first, paced by the {@link FlushPacer} (live frames wait behind
     * them). Returns how many were held.
     */
    int activate() {
        int held;
        synchronized (phase.lock()) {
            MoveState state = phase.state();
            if (state == MoveState.FORWARDING || state == MoveState.DRAINING || state == MoveState.CLOSED) {
                return 0;
            }
            held = source == null ? 0 : source.startFlush();
            phase.forwarding();
            LOG.info("move {}: forwarding, {} held frames to flush first{}", spec.id(), held,
                    held == 0 ? "" : pacer.framesPerSecond() == 0 ? ", at once"
                            : ", at " + pacer.framesPerSecond() + " frames/s");
        }
        if (held > 0) {
            pacer.start(new HeldFrames());
        }
        sender.sendPending();
        return held;
    }

    /**
     * DRAINING: the brownout, with what the DNS steps did ({@code null}: nothing; see {@link DrainPolicy}). Again while
     * draining, the DNS change given replaces the one before.
     */
    void draining(DrainPolicy.DnsChange dns) {
        synchronized (phase.lock()) {
            if (phase.state() == MoveState.PLANNED || phase.state() == MoveState.HOLDING) {
                activate();
            }
            if (phase.state().forwards()) {
                phase.draining(spec.drain(), dns);
                LOG.info("move {}: draining, {}", spec.id(), dns == null ? spec.drain().dnsTtl() == null
                        ? "no DNS rule" : "DNS TTL " + spec.drain().dnsTtl() + " from now"
                        : dns.expiry().map(at -> "DNS expires at " + at).orElse("DNS expiry unknown (no switch)"));
            }
        }
    }

    /**
     * Ends the move. With {@code flush}, what is held is sent first (a daemon stopping); without, it is discarded
     * (a failed migration).
     */
    void close(boolean flush) {
        RingCapture src;
        FrameSink injection;
        FrameSink replies;
        synchronized (phase.lock()) {
            if (phase.state() == MoveState.CLOSED) {
                return;
            }
            if (source != null) {
                if (flush) {
                    source.flushAll();
                } else {
                    source.discardHeld();
                }
            }
            sender.sendPending();
            phase.closed();
            src = capture;
            capture = null;
            injection = newSite.detach();
            replies = oldSite.detach();
            if (proxy != null) {
                proxy.detach();
            }
        }
        if (src != null) {
            src.close();
        }
        if (replies != null) {
            replies.close();
        }
        if (injection != null) {
            injection.close();
        }
    }

    /** Which rule of the drain policy ends this move now, or empty. */
    Optional<DrainPolicy.Rule> drainDue(long now) {
        return phase.drainDue(spec.drain(), now);
    }

    /** Keeps the rule that ends the move's drain, before the move is closed. */
    void drainEnded(DrainPolicy.Rule rule) {
        phase.drainEnded(rule);
    }

    /** Counts what the kernel's capture buffer dropped since the last call (control thread). */
    void pollCaptureDrops() {
        RingCapture src = capture;
        if (src != null) {
            long dropped = src.newCaptureDrops();
            if (dropped > 0) {
                counters.drop(DropReason.CAPTURE_OVERFLOW, dropped);
            }
        }
    }

    int heldNow() {
        synchronized (phase.lock()) {
            return source == null ? 0 : source.held();
        }
    }

    MoveStatus status() {
        return new MoveStatus(spec, phase.state(), counters.snapshot(), counters.dropSnapshot(), phase.drainEndedBy());
    }

    boolean isSource() {
        return spec.role() == Role.SOURCE;
    }

    /** What the pacer drains: this move's held frames (and the live ones behind them), while it forwards. */
    private final class HeldFrames implements FlushPacer.Flush {
        @Override
        public int flushSome(int max) {
            synchronized (phase.lock()) {
                if (!phase.state().forwards()) {
                    return 0;
                }
                int left = source.flushSome(max);
                sender.sendPending();
                return left;
            }
        }

        @Override
        public void flushRest() {
            flushSome(Integer.MAX_VALUE);
        }
    }
}
