package io.cutover.tunnel.impl;

import io.cutover.tunnel.DropReason;
import io.cutover.tunnel.MalformedPacketException;
import io.cutover.tunnel.MoveSpec;

import java.net.Inet4Address;
import java.util.stream.Collectors;

/**
 * The reverse tunnel of an L3 move that keeps the VM's old address: the VM's replies go back the way its peers'
 * packets came. At the DESTINATION they are caught on their way out ({@link #caughtReply}) and sent through the
 * tunnel; at the SOURCE they come out of it ({@link #emitAtOldSite}) and are emitted on the old site's LAN, from the
 * VM's MAC toward the next hop each peer's packets came from ({@link #sawInbound}), as if the VM had never left.
 */
final class ReverseTunnel {
    private final MoveSpec spec;
    private final InnerFrames inner;
    private final MovePhase phase;
    private final TunnelSender sender;
    private final SinkSlot oldSite;
    private final Counters counters;
    private final byte[] vmMac;
    private final LastHops lastHops = new LastHops();

    /**
     * @param sender  DESTINATION: where the caught replies go
     * @param oldSite SOURCE: where the replies are emitted
     */
    ReverseTunnel(MoveSpec spec, InnerFrames inner, MovePhase phase, TunnelSender sender, SinkSlot oldSite,
                  Counters counters) {
        this.spec = spec;
        this.inner = inner;
        this.phase = phase;
        this.sender = sender;
        this.oldSite = oldSite;
        this.counters = counters;
        this.vmMac = spec.vmMacBytes();
    }

    /** DESTINATION: the BPF filter that catches the VM's replies from its old addresses. */
    String replyFilter() {
        String hosts = spec.vmAddresses().stream()
                .map(a -> (a instanceof Inet4Address ? "ip src host " : "ip6 src host ") + a.getHostAddress())
                .collect(Collectors.joining(" or "));
        return "ether src " + spec.vmMac() + " and (" + hosts + ")";
    }

    /** DESTINATION: a reply of the VM from its old address, caught on the way out (capture thread). */
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
        if (InnerFrames.wireLength(frame, frame.length) > sender.maxFrame()) {
            counters.drop(DropReason.TOO_BIG);
            return;
        }
        synchronized (phase.lock()) {
            if (phase.state().forwards()) {
                sender.send(frame);
                phase.trafficPassed();
            } else {
                counters.increment("ignored");
            }
        }
    }

    /** SOURCE: notes the next hop a frame for the VM came from, for the replies to its sender (capture thread). */
    void sawInbound(byte[] frame) {
        lastHops.saw(frame, frame.length);
    }

    /** SOURCE: a reply of the VM out of the tunnel, {@code frame[0..length)}, emitted at the old site (event loop). */
    void emitAtOldSite(byte[] frame, int length) throws MalformedPacketException {
        InnerFrames.etherType(frame, length);
        if (!inner.fromRegisteredAddress(frame, length)) {
            throw new MalformedPacketException(DropReason.NOT_REGISTERED, "reverse: inner packet is not from the move's VM");
        }
        byte[] hop = lastHops.toward(InnerFrames.destinationAddress(frame, length));
        if (hop == null || !oldSite.attached()) {
            throw new MalformedPacketException(DropReason.SEND_FAILED, "reverse: no next hop known yet on the old site");
        }
        InnerFrames.setMac(frame, true, hop);
        InnerFrames.setMac(frame, false, vmMac);
        if (oldSite.inject(frame, length)) {
            counters.increment("injected");
            counters.add("bytesInjected", length);
            phase.trafficPassed();
        } else {
            counters.drop(DropReason.SEND_FAILED);
        }
    }
}
