package io.cutover.tunnel.impl;

import io.cutover.tunnel.DropReason;
import io.cutover.tunnel.MalformedPacketException;
import io.cutover.tunnel.MoveSpec;
import io.cutover.tunnel.TunnelMode;

import java.net.InetAddress;
import java.util.concurrent.atomic.LongAdder;

/**
 * The DESTINATION end of a move: a frame out of the tunnel that is for the VM is injected on the new site's LAN
 * from the move's inject MAC. In L3 mode it is addressed to the VM's MAC first and, when the VM has a new address,
 * from its old address to the new one.
 */
final class DestinationEnd {
    private final MoveSpec spec;
    private final InnerFrames inner;
    private final MovePhase phase;
    private final SinkSlot newSite;
    private final Counters counters;
    private final LongAdder injected;
    private final LongAdder bytesInjected;
    private final byte[] injectMac;
    private final byte[] vmMac;
    private final byte[][] rewriteFrom;
    private final byte[] rewriteTo;

    /** @param newSite where the frames are injected */
    DestinationEnd(MoveSpec spec, InnerFrames inner, MovePhase phase, SinkSlot newSite, Counters counters) {
        this.spec = spec;
        this.inner = inner;
        this.phase = phase;
        this.newSite = newSite;
        this.counters = counters;
        this.injected = counters.counter("injected");
        this.bytesInjected = counters.counter("bytesInjected");
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
    }

    /** A frame out of the tunnel, {@code frame[0..length)}, rewritten in place and injected (event loop thread). */
    void deliver(byte[] frame, int length) throws MalformedPacketException {
        InnerFrames.etherType(frame, length);
        if (spec.mode() == TunnelMode.L2 && !inner.toVmMac(frame, length)
                || !inner.toRegisteredAddress(frame, length)) {
            throw new MalformedPacketException(DropReason.NOT_REGISTERED, "inner frame is not for the move's VM");
        }
        if (spec.mode() == TunnelMode.L3) {
            InnerFrames.setMac(frame, true, vmMac);
            for (byte[] from : rewriteFrom) {
                if (InnerFrames.rewriteDestination(frame, length, from, rewriteTo)) {
                    counters.increment("rewritten");
                    break;
                }
            }
        }
        InnerFrames.setMac(frame, false, injectMac);
        if (newSite.inject(frame, length)) {
            injected.increment();
            bytesInjected.add(length);
            phase.trafficPassed();
        } else {
            counters.drop(DropReason.SEND_FAILED);
        }
    }
}
