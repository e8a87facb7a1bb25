package io.cutover.tunnel.impl;

import io.cutover.support.TokenBucket;
import io.cutover.tunnel.DropReason;
import io.cutover.tunnel.MalformedPacketException;
import io.cutover.tunnel.MoveSpec;
import io.cutover.tunnel.TunnelMode;

import java.net.Inet4Address;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/**
 * The SOURCE end of a move: catches the frames for the VM at the old site and, by the move's state, keeps them a short
 * while (before the switchover: a switch that mirrors the VM's traffic here sends what the VM itself answers), holds
 * them (the blackout; the hold may also take the recent ones the VM no longer read, {@link #holdSince}) or forwards
 * them through the tunnel (from activation on, the held ones first, paced by the {@link FlushPacer}: what arrives while
 * they go waits behind them, so the VM gets everything in arrival order). Frames for someone else are dropped; frames too big for the tunnel are refused, in L3 mode with
 * an ICMP answer to their sender. Neighbour questions go to the {@link NeighbourProxy}.
 */
final class SourceEnd {
    /** At most this many ICMP too-big answers per second per move (and {@value #ICMP_BURST} at once). */
    static final int ICMP_PER_SECOND = 100;
    static final int ICMP_BURST = 20;

    private final MoveSpec spec;
    private final InnerFrames inner;
    private final MovePhase phase;
    private final TunnelSender sender;
    private final NeighbourProxy proxy;
    private final ReverseTunnel reverse;
    private final SinkSlot oldSite;
    private final Counters counters;
    private final LongAdder caughtCount;
    private final HoldBuffer hold;
    private final RecentFrames recent;
    private final TokenBucket icmpLimit = new TokenBucket(ICMP_PER_SECOND, ICMP_BURST);
    /**
     * Held frames the paced flush has yet to send; live frames queued behind them follow (under the move's lock). While
     * the move forwards, a hold that is not empty is a flush under way.
     */
    private int heldToFlush;

    /**
     * @param reverse the reverse tunnel, told where the VM's peers' packets come from, or {@code null}
     * @param oldSite where ICMP answers are injected (L3)
     */
    SourceEnd(MoveSpec spec, InnerFrames inner, MovePhase phase, TunnelSender sender, NeighbourProxy proxy,
              ReverseTunnel reverse, SinkSlot oldSite, Counters counters) {
        this.spec = spec;
        this.inner = inner;
        this.phase = phase;
        this.sender = sender;
        this.proxy = proxy;
        this.reverse = reverse;
        this.oldSite = oldSite;
        this.counters = counters;
        this.caughtCount = counters.counter("caught");
        this.hold = new HoldBuffer(spec.hold());
        this.recent = new RecentFrames(spec.hold());
    }

    /**
     * The BPF filter that catches this move's frames; in L3 mode also the ARP requests and neighbour solicitations
     * the proxy answers.
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

    /** A frame caught at the old site (capture thread). */
    void caught(byte[] frame) {
        if (proxy.takes(frame)) {
            return;
        }
        caughtCount.increment();
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
        if (InnerFrames.wireLength(frame, frame.length) > sender.maxFrame()) {
            refuseTooBig(frame);
            return;
        }
        if (reverse != null) {
            reverse.sawInbound(frame);
        }
        synchronized (phase.lock()) {
            switch (phase.state()) {
                case PLANNED -> {
                    counters.increment("ignored");
                    recent.add(frame, System.nanoTime());
                }
                case CLOSED -> counters.increment("ignored");
                case HOLDING -> hold(frame);
                case FORWARDING, DRAINING -> {
                    if (hold.size() > 0) {
                        counters.increment("queuedBehindFlush");
                        queue(frame);
                    } else {
                        sender.send(frame);
                    }
                    phase.trafficPassed();
                }
                default -> throw new IllegalStateException("state " + phase.state());
            }
        }
    }

    private void hold(byte[] frame) {
        counters.increment("held");
        queue(frame);
    }

    /** Puts {@code frame} at the hold's tail; a full hold drops its oldest (held ones first), counted. */
    private void queue(byte[] frame) {
        int dropped = hold.add(frame);
        if (dropped > 0) {
            counters.drop(DropReason.HOLD_OVERFLOW, dropped);
            heldToFlush = Math.max(0, heldToFlush - dropped);
        }
    }

    /**
     * Under the move's lock, as the hold begins: holds the frames caught at or after {@code sinceNanos} before it
     * (counted {@code held} and {@code heldFromBefore}), oldest first, and forgets the older ones.
     */
    void holdSince(long sinceNanos) {
        counters.add("heldFromBefore", recent.takeSince(sinceNanos, this::hold));
    }

    /**
     * Drops a frame too big for the tunnel and, in L3 mode, tells its sender the MTU that fits, as a router would
     * (rate-limited): the sender's kernel learns it and sends smaller packets.
     */
    private void refuseTooBig(byte[] frame) {
        counters.drop(DropReason.TOO_BIG);
        if (spec.mode() != TunnelMode.L3 || !oldSite.attached() || !icmpLimit.tryTake(System.nanoTime())) {
            return;
        }
        IcmpTooBig.answer(frame, frame.length, sender.maxFrame() - InnerFrames.ETHER_HEADER).ifPresent(icmp -> {
            if (oldSite.inject(icmp, icmp.length)) {
                counters.increment("tooBigAnswered");
            }
        });
    }

    /**
     * Under the move's lock, at activation: the held frames are to be sent, oldest first, by {@link #flushSome}; until
     * they are, live frames wait behind them. Returns how many are held.
     */
    int startFlush() {
        heldToFlush = hold.size();
        return heldToFlush;
    }

    /**
     * Under the move's lock: sends up to {@code max} frames of the flush through the tunnel, oldest first, and returns
     * how many are left; at 0 the flush is over and live frames go straight into the tunnel again.
     */
    int flushSome(int max) {
        int sent = hold.drain(sender::sendHeld, max);
        int held = Math.min(sent, heldToFlush);
        heldToFlush -= held;
        counters.add("flushed", held);
        return hold.size();
    }

    /** Under the move's lock: sends everything held or queued through the tunnel at once, oldest first. */
    void flushAll() {
        if (!phase.state().forwards()) {
            startFlush();
        }
        flushSome(Integer.MAX_VALUE);
    }

    /** Under the move's lock: forgets what is held, and what was kept before the hold. */
    void discardHeld() {
        hold.clear();
        recent.clear();
        heldToFlush = 0;
    }

    /** Under the move's lock: how many frames are held. */
    int held() {
        return hold.size();
    }
}
