package io.cutover.tunnel.impl;

import io.cutover.tunnel.DropReason;
import io.cutover.tunnel.MalformedPacketException;
import io.cutover.tunnel.MoveSpec;
import io.cutover.tunnel.MoveState;
import io.cutover.tunnel.MoveStatus;
import io.cutover.tunnel.Role;
import io.cutover.tunnel.TunnelMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One move inside the forwarder: its state machine, blackout buffer, sequence numbers and replay window,
 * and the path of a frame through it. At the SOURCE, frames arrive from the capture thread
 * ({@link #caught}); at the DESTINATION, tunnel packets arrive on the event loop ({@link #received}). With a reverse
 * tunnel the other way too: the destination catches the VM's replies ({@link #caughtReply}) and the source receives
 * and emits them at the old site. Each end sends with its own sequence numbers and receives through its own window.
 */
final class MoveRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(MoveRuntime.class);
    /** IPv4 and UDP headers of the outer packet. */
    static final int OUTER_OVERHEAD = 28;
    /** IPv6 and UDP headers of the outer packet. */
    static final int OUTER_OVERHEAD_IPV6 = 48;
    /** At most this many ICMP too-big answers per second per move (and {@value #ICMP_BURST} at once). */
    static final int ICMP_PER_SECOND = 100;
    static final int ICMP_BURST = 20;
    /** Sequence numbers journaled ahead of use, so that a restarted sender never reuses one. */
    static final long SEQUENCE_RESERVE = 1L << 24;

    final MoveSpec spec;
    final Counters counters = new Counters();
    private final Object lock = new Object();
    private final HoldBuffer hold;
    private final InnerFrames inner;
    private final PacketSealer txSealer;
    private final PacketSealer rxSealer;
    private final ReplayWindow window = new ReplayWindow();
    private final ReplayCeiling ceiling;
    private final Runnable journalNow;
    private final UdpTunnel tunnel;
    private final int configuredPathMtu;
    private final int tunnelOverhead;
    private volatile int pathMtu;
    private final TokenBucket icmpLimit = new TokenBucket(ICMP_PER_SECOND, ICMP_BURST);
    private final int txDirection;
    private final int rxDirection;
    private final LastHops lastHops = new LastHops();
    private volatile ProxyNeighbour proxy;
    private final byte[] injectBuffer = new byte[65_536 + 64];
    private final byte[] injectMac;
    private final byte[] vmMac;
    private final byte[][] rewriteFrom;
    private final byte[] rewriteTo;

    private volatile MoveState state;
    private long nextSeq = 1;
    private List<byte[]> pending = new ArrayList<>();
    private boolean sendScheduled;
    private volatile PcapSource source;
    private FrameSink sink;
    private volatile FrameSink replySink;
    volatile long lastTrafficNanos = System.nanoTime();
    volatile long activatedNanos;
    volatile long drainingNanos;

    /**
     * @param journalNow writes the journal before a sequence number above its ceiling is accepted, or {@code null}
     *                   without a journal
     */
    MoveRuntime(MoveSpec spec, MoveState state, UdpTunnel tunnel, int pathMtu, Runnable journalNow) {
        this.spec = spec;
        this.journalNow = journalNow;
        this.ceiling = new ReplayCeiling(journalNow != null, System.nanoTime());
        this.state = state;
        this.tunnel = tunnel;
        this.configuredPathMtu = pathMtu;
        this.pathMtu = pathMtu;
        this.tunnelOverhead = (spec.peer().getAddress() instanceof Inet4Address ? OUTER_OVERHEAD : OUTER_OVERHEAD_IPV6)
                + (spec.authenticated() ? PacketSealer.sealedLength(0) : VxlanHeader.LENGTH);
        this.hold = new HoldBuffer(spec.hold());
        this.inner = new InnerFrames(spec.vmMacBytes(), spec.newAddress() == null ? spec.vmAddresses()
                : concat(spec.vmAddresses(), spec.newAddress()));
        this.txSealer = spec.authenticated() ? new PacketSealer(spec.key()) : null;
        this.rxSealer = spec.authenticated() ? new PacketSealer(spec.key()) : null;
        this.txDirection = spec.role() == Role.SOURCE ? PacketSealer.TOWARD_DESTINATION : PacketSealer.TOWARD_SOURCE;
        this.rxDirection = spec.role() == Role.SOURCE ? PacketSealer.TOWARD_SOURCE : PacketSealer.TOWARD_DESTINATION;
        this.injectMac = spec.injectMac();
        this.vmMac = spec.vmMacBytes();
        if (spec.newAddress() != null) {
            this.rewriteTo = spec.newAddress().getAddress();
            this.rewriteFrom = spec.vmAddresses().stream().map(InetAddress::getAddress)
                    .filter(a -> a.length == rewriteTo.length).toArray(byte[][]::new);
        } else {
            this.rewriteTo = null;
            this.rewriteFrom = new byte[0][];
        }
        if (state.forwards()) {
            activatedNanos = System.nanoTime();
        }
    }

    private static List<InetAddress> concat(List<InetAddress> list, InetAddress extra) {
        List<InetAddress> all = new ArrayList<>(list);
        all.add(extra);
        return all;
    }

    /**
     * The BPF filter that catches this move's frames at the source; in L3 mode also the ARP requests and neighbour
     * solicitations the proxy answers.
     */
    String captureFilter() {
        String notInjected = "not ether src " + spec.injectMacText();
        if (spec.mode() == TunnelMode.L2) {
            return "ether dst " + spec.vmMac() + " and " + notInjected;
        }
        String hosts = spec.vmAddresses().stream()
                .map(a -> (a instanceof Inet4Address ? "ip dst host " : "ip6 dst host ") + a.getHostAddress())
                .collect(Collectors.joining(" or "));
        String questions = spec.vmAddresses().stream()
                .map(a -> a instanceof Inet4Address ? "arp dst host " + a.getHostAddress() : "(icmp6 and ip6[40] == 135)")
                .distinct().collect(Collectors.joining(" or "));
        return notInjected + " and (" + hosts + " or " + questions + ")";
    }

    /** The BPF filter that catches, at the destination, the VM's replies from its old addresses (reverse tunnel). */
    String replyFilter() {
        String hosts = spec.vmAddresses().stream()
                .map(a -> (a instanceof Inet4Address ? "ip src host " : "ip6 src host ") + a.getHostAddress())
                .collect(Collectors.joining(" or "));
        return "ether src " + spec.vmMac() + " and (" + hosts + ")";
    }

    /** SOURCE, L3: answers ARP and ND for the VM's old addresses once the VM has left (from SWITCHOVER on). */
    void attachProxy(ProxyNeighbour value) {
        this.proxy = value;
    }

    void attachSource(PcapSource value) {
        this.source = value;
    }

    void attachSink(FrameSink value) {
        this.sink = value;
    }

    /** SOURCE, L3: where ICMP answers to packets too big for the tunnel are injected (the capture's interface). */
    void attachReplySink(FrameSink value) {
        this.replySink = value;
    }

    /**
     * The path MTU the kernel now knows toward the peer (it may have learned a smaller one from the underlay's
     * ICMP): the tunnel uses the smaller of it and the configured one.
     */
    void learnPathMtu(int kernelPathMtu) {
        pathMtu = kernelPathMtu >= 576 ? Math.min(configuredPathMtu, kernelPathMtu) : configuredPathMtu;
    }

    /** The largest Ethernet frame the tunnel carries without fragmenting the outer packet. */
    int maxFrame() {
        return pathMtu - tunnelOverhead;
    }

    MoveState state() {
        return state;
    }

    long nextSequence() {
        synchronized (lock) {
            return nextSeq;
        }
    }

    long replayHighest() {
        return window.highest();
    }

    /** The replay ceiling to journal now (the journal's lock held). */
    long proposeRxCeiling(long nowNanos) {
        return ceiling.propose(window.highest(), nowNanos);
    }

    /** The ceiling of {@link #proposeRxCeiling} is on disk. */
    void rxCeilingJournaled(long value) {
        ceiling.persisted(value);
    }

    /**
     * After a restart: continue the sequence past what was reserved; refuse everything up to the journaled replay
     * ceiling, at or above every sequence number accepted before the restart.
     */
    void resume(long reservedSeq, long rxFloor) {
        synchronized (lock) {
            nextSeq = Math.max(nextSeq, reservedSeq);
        }
        window.resumeAfter(rxFloor);
        ceiling.resumeAt(rxFloor);
    }

    // ---- source side -------------------------------------------------------------------------------

    /** A frame caught at the source (capture thread). */
    void caught(byte[] frame) {
        ProxyNeighbour neighbours = proxy;
        if (neighbours != null && ProxyNeighbour.isQuestion(frame, frame.length)) {
            answerNeighbour(neighbours, frame);
            return;
        }
        counters.increment("caught");
        try {
            if (spec.mode() == TunnelMode.L2 && !inner.toVmMac(frame, frame.length)
                    || !inner.toRegisteredAddress(frame, frame.length)) {
                counters.drop(DropReason.NOT_REGISTERED);
                return;
            }
        } catch (MalformedPacketException e) {
            counters.drop(e.reason());
            return;
        }
        if (InnerFrames.wireLength(frame, frame.length) > maxFrame()) {
            refuseTooBig(frame);
            return;
        }
        if (spec.reverse()) {
            lastHops.saw(frame, frame.length);
        }
        synchronized (lock) {
            switch (state) {
                case PLANNED, CLOSED -> counters.increment("ignored");
                case HOLDING -> {
                    counters.increment("held");
                    int dropped = hold.add(frame);
                    if (dropped > 0) {
                        counters.drop(DropReason.HOLD_OVERFLOW, dropped);
                    }
                }
                case FORWARDING, DRAINING -> {
                    encapsulate(frame);
                    lastTrafficNanos = System.nanoTime();
                }
                default -> throw new IllegalStateException("state " + state);
            }
        }
    }

    /** Answers an ARP request or neighbour solicitation for the VM's old address while the VM is away. */
    private void answerNeighbour(ProxyNeighbour neighbours, byte[] frame) {
        FrameSink replies = replySink;
        if (state == MoveState.PLANNED || state == MoveState.CLOSED || replies == null) {
            return;
        }
        neighbours.answer(frame, frame.length).ifPresent(answer -> {
            if (replies.inject(answer, answer.length)) {
                counters.increment("proxyAnswered");
            }
        });
    }

    /** DESTINATION, reverse tunnel: a reply of the VM from its old address, caught on the way out (capture thread). */
    void caughtReply(byte[] frame) {
        counters.increment("caught");
        try {
            if (!inner.fromRegisteredAddress(frame, frame.length)) {
                counters.drop(DropReason.NOT_REGISTERED);
                return;
            }
        } catch (MalformedPacketException e) {
            counters.drop(e.reason());
            return;
        }
        if (InnerFrames.wireLength(frame, frame.length) > maxFrame()) {
            counters.drop(DropReason.TOO_BIG);
            return;
        }
        synchronized (lock) {
            if (state.forwards()) {
                encapsulate(frame);
                lastTrafficNanos = System.nanoTime();
            } else {
                counters.increment("ignored");
            }
        }
    }

    /**
     * Drops a frame too big for the tunnel and, in L3 mode, tells its sender the MTU that fits, as a router would
     * (rate-limited): the sender's kernel learns it and sends smaller packets.
     */
    private void refuseTooBig(byte[] frame) {
        counters.drop(DropReason.TOO_BIG);
        FrameSink replies = replySink;
        if (spec.mode() != TunnelMode.L3 || replies == null || !icmpLimit.tryTake(System.nanoTime())) {
            return;
        }
        IcmpTooBig.answer(frame, frame.length, maxFrame() - InnerFrames.ETHER_HEADER).ifPresent(icmp -> {
            if (replies.inject(icmp, icmp.length)) {
                counters.increment("tooBigAnswered");
            }
        });
    }

    /** Sends what is pending now (the event loop would soon anyway). */
    void sendPending() {
        synchronized (lock) {
            sendPendingLocked();
        }
    }

    /**
     * Under the lock: makes sure one task on the event loop will send everything pending. While that task waits
     * its turn, more packets join the batch; tasks run in submission order, so packets leave in order.
     */
    private void scheduleSend() {
        if (!sendScheduled && tunnel != null) {
            sendScheduled = true;
            tunnel.execute(this::sendOnEventLoop);
        }
    }

    private void sendOnEventLoop() {
        List<byte[]> batch;
        synchronized (lock) {
            batch = pending;
            pending = new ArrayList<>();
            sendScheduled = false;
        }
        if (!batch.isEmpty()) {
            tunnel.writeAll(batch, spec.peer());
        }
    }

    /** Under the lock: one frame into a tunnel packet, queued in {@link #pending}. */
    private void encapsulate(byte[] frame) {
        if (frame.length > maxFrame()) {
            counters.drop(DropReason.TOO_BIG);
            return;
        }
        int outerLength = spec.authenticated() ? PacketSealer.sealedLength(frame.length) : VxlanHeader.LENGTH + frame.length;
        byte[] packet = new byte[outerLength];
        if (spec.authenticated()) {
            txSealer.seal(spec.vni(), nextSeq++, txDirection, frame, 0, frame.length, packet);
        } else {
            VxlanHeader.write(packet, 0, spec.vni(), false);
            System.arraycopy(frame, 0, packet, VxlanHeader.LENGTH, frame.length);
        }
        pending.add(packet);
        scheduleSend();
        counters.increment("sent");
        counters.add("bytesSent", frame.length);
    }

    // ---- destination side --------------------------------------------------------------------------

    /** A tunnel packet from this move's peer, header already checked (event loop thread). */
    void received(byte[] packet, int length) {
        counters.increment("received");
        try {
            boolean sealed = VxlanHeader.sealed(packet, 0);
            if (sealed != spec.authenticated()) {
                throw new MalformedPacketException(DropReason.MALFORMED,
                        sealed ? "sealed packet for a plain move" : "plain packet for an authenticated move");
            }
            int frameLength;
            if (sealed) {
                if (length < VxlanHeader.SEALED_HEADER_LENGTH) {
                    throw new MalformedPacketException(DropReason.TRUNCATED, "sealed header: " + length + " bytes");
                }
                long seq = VxlanHeader.readSequence(packet, 0);
                if (!window.check(seq)) {
                    throw new MalformedPacketException(DropReason.REPLAYED, "sequence " + seq + " replayed or too old");
                }
                frameLength = rxSealer.open(rxDirection, packet, length, injectBuffer);
                if (!ceiling.covers(seq)) {
                    ceiling.claim(seq);
                    journalNow.run();
                }
                window.commit(seq);
                ceiling.accepted();
            } else {
                frameLength = length - VxlanHeader.LENGTH;
                System.arraycopy(packet, VxlanHeader.LENGTH, injectBuffer, 0, Math.max(0, frameLength));
            }
            if (spec.role() == Role.SOURCE) {
                emitAtOldSite(frameLength);
            } else {
                deliver(frameLength);
            }
        } catch (MalformedPacketException e) {
            counters.drop(e.reason());
            LOG.debug("move {}: dropped {}: {}", spec.id(), e.reason(), e.getMessage());
        }
    }

    /**
     * SOURCE, reverse tunnel: emits a reply of the VM on the old site's LAN, from the VM's MAC toward the next hop its
     * peer's packets came from, as if the VM had never left.
     */
    private void emitAtOldSite(int length) throws MalformedPacketException {
        InnerFrames.etherType(injectBuffer, length);
        if (!inner.fromRegisteredAddress(injectBuffer, length)) {
            throw new MalformedPacketException(DropReason.NOT_REGISTERED, "reverse: inner packet is not from the move's VM");
        }
        byte[] hop = lastHops.toward(InnerFrames.destinationAddress(injectBuffer, length));
        FrameSink out = replySink;
        if (hop == null || out == null) {
            throw new MalformedPacketException(DropReason.SEND_FAILED, "reverse: no next hop known yet on the old site");
        }
        InnerFrames.setMac(injectBuffer, true, hop);
        InnerFrames.setMac(injectBuffer, false, vmMac);
        if (out.inject(injectBuffer, length)) {
            counters.increment("injected");
            counters.add("bytesInjected", length);
            lastTrafficNanos = System.nanoTime();
        } else {
            counters.drop(DropReason.SEND_FAILED);
        }
    }

    private void deliver(int length) throws MalformedPacketException {
        InnerFrames.etherType(injectBuffer, length);
        if (spec.mode() == TunnelMode.L2 && !inner.toVmMac(injectBuffer, length)
                || !inner.toRegisteredAddress(injectBuffer, length)) {
            throw new MalformedPacketException(DropReason.NOT_REGISTERED, "inner frame is not for the move's VM");
        }
        if (spec.mode() == TunnelMode.L3) {
            InnerFrames.setMac(injectBuffer, true, vmMac);
            for (byte[] from : rewriteFrom) {
                if (InnerFrames.rewriteDestination(injectBuffer, length, from, rewriteTo)) {
                    counters.increment("rewritten");
                    break;
                }
            }
        }
        InnerFrames.setMac(injectBuffer, false, injectMac);
        if (sink != null && sink.inject(injectBuffer, length)) {
            counters.increment("injected");
            counters.add("bytesInjected", length);
            lastTrafficNanos = System.nanoTime();
        } else {
            counters.drop(DropReason.SEND_FAILED);
        }
    }

    // ---- lifecycle ---------------------------------------------------------------------------------

    /** SWITCHOVER: from now on everything caught is held. */
    void holdStart() {
        synchronized (lock) {
            if (state == MoveState.PLANNED) {
                state = MoveState.HOLDING;
                LOG.info("move {}: holding (blackout)", spec.id());
            }
        }
    }

    /** ACTIVATED: flush what was held, oldest first, then forward live. Returns how many were flushed. */
    int activate() {
        synchronized (lock) {
            if (state == MoveState.FORWARDING || state == MoveState.DRAINING || state == MoveState.CLOSED) {
                return 0;
            }
            int flushed = hold.drain(this::encapsulate);
            counters.add("flushed", flushed);
            sendPendingLocked();
            state = MoveState.FORWARDING;
            activatedNanos = System.nanoTime();
            lastTrafficNanos = activatedNanos;
            LOG.info("move {}: forwarding, {} held frames flushed", spec.id(), flushed);
            return flushed;
        }
    }

    private void sendPendingLocked() {
        if (!pending.isEmpty()) {
            scheduleSend();
        }
    }

    /** DRAINING: the DNS switch happened; the dnsTtl rule counts from now. */
    void draining() {
        synchronized (lock) {
            if (state == MoveState.PLANNED || state == MoveState.HOLDING) {
                activate();
            }
            if (state == MoveState.FORWARDING) {
                state = MoveState.DRAINING;
                drainingNanos = System.nanoTime();
            }
        }
    }

    /**
     * Ends the move. With {@code flush}, what is held is sent first (a daemon stopping); without, it is discarded
     * (a failed migration).
     */
    void close(boolean flush) {
        PcapSource src;
        FrameSink snk;
        FrameSink replies;
        synchronized (lock) {
            if (state == MoveState.CLOSED) {
                return;
            }
            if (flush && hold.size() > 0) {
                counters.add("flushed", hold.drain(this::encapsulate));
            } else {
                hold.clear();
            }
            sendPendingLocked();
            state = MoveState.CLOSED;
            src = source;
            snk = sink;
            replies = replySink;
            source = null;
            sink = null;
            replySink = null;
            proxy = null;
        }
        if (src != null) {
            src.close();
        }
        if (replies != null) {
            replies.close();
        }
        if (snk != null) {
            snk.close();
        }
    }

    /** Why the drain policy ends this move now, or {@code null}. */
    String drainDue(long now) {
        if (!state.forwards()) {
            return null;
        }
        if (now - lastTrafficNanos > spec.drain().idle().toNanos()) {
            return "idle for " + spec.drain().idle();
        }
        if (now - activatedNanos > spec.drain().hardMax().toNanos()) {
            return "hard maximum " + spec.drain().hardMax() + " reached";
        }
        if (spec.drain().dnsTtl() != null && drainingNanos != 0 && now - drainingNanos > spec.drain().dnsTtl().toNanos()) {
            return "old DNS TTL " + spec.drain().dnsTtl() + " elapsed since the DNS switch";
        }
        return null;
    }

    /** Counts what the kernel's capture buffer dropped since the last call (control thread). */
    void pollCaptureDrops() {
        PcapSource src = source;
        if (src != null) {
            long dropped = src.newCaptureDrops();
            if (dropped > 0) {
                counters.drop(DropReason.CAPTURE_OVERFLOW, dropped);
            }
        }
    }

    int heldNow() {
        synchronized (lock) {
            return hold.size();
        }
    }

    MoveStatus status() {
        return new MoveStatus(spec, state, counters.snapshot(), counters.dropSnapshot());
    }

    boolean isSource() {
        return spec.role() == Role.SOURCE;
    }
}
