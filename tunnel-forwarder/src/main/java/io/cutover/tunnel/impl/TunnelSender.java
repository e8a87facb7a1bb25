package io.cutover.tunnel.impl;

import io.cutover.tunnel.DropReason;
import io.cutover.tunnel.MoveSpec;
import io.cutover.tunnel.Role;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;

/**
 * One end's way into the tunnel: wraps each frame in a VXLAN header, or seals it with this end's next sequence
 * number in its current session (a fresh salt and session key for each sender, see {@link PacketSealer}), and sends the packets to the peer in batches on the tunnel's event loop, in the order the frames were
 * given. Knows the largest frame the path to the peer carries. Thread-safe.
 */
final class TunnelSender {
    /** IPv4 and UDP headers of the outer packet. */
    static final int OUTER_OVERHEAD = 28;
    /** IPv6 and UDP headers of the outer packet. */
    static final int OUTER_OVERHEAD_IPV6 = 48;
    private final MoveSpec spec;
    private final Counters counters;
    private final UdpTunnel tunnel;
    private final int direction;
    private final int configuredPathMtu;
    private final int tunnelOverhead;
    private volatile int pathMtu;
    private final Object lock = new Object();
    private PacketSealer sealer;
    private long nextSeq = 1;
    private List<byte[]> pending = new ArrayList<>();
    private boolean sendScheduled;

    TunnelSender(MoveSpec spec, UdpTunnel tunnel, int pathMtu, Counters counters) {
        this.spec = spec;
        this.counters = counters;
        this.tunnel = tunnel;
        this.direction = spec.role() == Role.SOURCE ? PacketSealer.TOWARD_DESTINATION : PacketSealer.TOWARD_SOURCE;
        this.sealer = spec.authenticated() ? PacketSealer.fresh(spec.key(), spec.vni(), direction) : null;
        this.configuredPathMtu = pathMtu;
        this.pathMtu = pathMtu;
        this.tunnelOverhead = (spec.peer().getAddress() instanceof Inet4Address ? OUTER_OVERHEAD : OUTER_OVERHEAD_IPV6)
                + (spec.authenticated() ? PacketSealer.sealedLength(0) : VxlanHeader.LENGTH);
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

    /** One frame into a tunnel packet, queued to leave after every packet queued before it. */
    void send(byte[] frame) {
        if (frame.length > maxFrame()) {
            counters.drop(DropReason.TOO_BIG);
            return;
        }
        int outerLength = spec.authenticated() ? PacketSealer.sealedLength(frame.length) : VxlanHeader.LENGTH + frame.length;
        byte[] packet = new byte[outerLength];
        synchronized (lock) {
            if (spec.authenticated()) {
                if (nextSeq > PacketSealer.SESSION_PACKETS) {
                    sealer = PacketSealer.fresh(spec.key(), spec.vni(), direction);
                    nextSeq = 1;
                }
                sealer.seal(nextSeq++, frame, 0, frame.length, packet);
            } else {
                VxlanHeader.write(packet, 0, spec.vni(), false);
                System.arraycopy(frame, 0, packet, VxlanHeader.LENGTH, frame.length);
            }
            pending.add(packet);
            scheduleSend();
        }
        counters.increment("sent");
        counters.add("bytesSent", frame.length);
    }

    /** Sends what is pending now (the event loop would soon anyway). */
    void sendPending() {
        synchronized (lock) {
            if (!pending.isEmpty()) {
                scheduleSend();
            }
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
}
