package io.cutover.tunnel.impl;

import io.cutover.tunnel.DropReason;
import io.cutover.tunnel.MoveSpec;
import io.cutover.tunnel.Role;
import io.netty.buffer.ByteBuf;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * One end's way into the tunnel: wraps each frame in a VXLAN header, or seals it with this end's next sequence
 * number in its current session (a fresh salt and session key for each sender, see {@link PacketSealer}), and sends the packets to the peer in batches on the tunnel's event loop, in the order the frames were
 * given. Knows the largest frame the path to the peer carries. Thread-safe.
 *
 * <p>The caller's thread (a capture thread, mostly) only queues the frame; the tunnel's event loop takes the queued
 * frames as a batch, numbers and seals each one there (one thread: the sequence numbers and session changes need no
 * lock, and capturing and sealing run on two cores at once), and sends the batch with one flush. Per frame it
 * allocates nothing on the Java heap but its DatagramPacket: a packet is sealed into a reused array and copied once
 * into a pooled direct buffer of the tunnel's (a plain one is written there directly), which the native transport
 * sends as it is; the batches alternate between two reused lists.
 */
final class TunnelSender {
    /** IPv4 and UDP headers of the outer packet. */
    static final int OUTER_OVERHEAD = 28;
    /** IPv6 and UDP headers of the outer packet. */
    static final int OUTER_OVERHEAD_IPV6 = 48;
    /**
     * Live frames beyond this many waiting for the event loop are dropped as SEND_FAILED: a capture faster than the
     * sealing (the capture ring's is, under a flood) would otherwise queue without bound; the bench saw 235,000 frames
     * (330 MB) waiting, and the collector's pauses stalled the tunnel for over 500 ms. A flush's held frames are never
     * dropped here ({@link #sendHeld}) nor counted: the hold's own limits bound them.
     */
    static final int MAX_PENDING = 16_384;
    private final MoveSpec spec;
    private final Counters counters;
    private final LongAdder sentCount;
    private final LongAdder bytesSent;
    private final UdpTunnel tunnel;
    private final int direction;
    private final int configuredPathMtu;
    private final int tunnelOverhead;
    /** The VXLAN header of every plain packet. */
    private final byte[] plainHeader = new byte[VxlanHeader.LENGTH];
    private volatile int pathMtu;
    private final Object lock = new Object();
    /** The current session: the event loop's only. */
    private PacketSealer sealer;
    /** The next sequence number in {@link #sealer}'s session: the event loop's only. */
    private long nextSeq = 1;
    /** Where the event loop seals a packet before it copies it into its buffer; grows to the largest one. */
    private byte[] sealed = new byte[2048];
    /** The frames queued to leave (under the lock); the event loop swaps the list with {@link #taken}. */
    private List<byte[]> pending = new ArrayList<>();
    /** How many of {@link #pending} are live frames (under the lock). */
    private int livePending;
    /** The frames the event loop sends now, emptied once sent (event loop only). */
    private List<byte[]> taken = new ArrayList<>();
    /** The packets of {@link #taken}, emptied once handed to the channel (event loop only). */
    private final List<ByteBuf> packets = new ArrayList<>();
    private boolean sendScheduled;

    TunnelSender(MoveSpec spec, UdpTunnel tunnel, int pathMtu, Counters counters) {
        this.spec = spec;
        this.counters = counters;
        this.sentCount = counters.counter("sent");
        this.bytesSent = counters.counter("bytesSent");
        this.tunnel = tunnel;
        this.direction = spec.role() == Role.SOURCE ? PacketSealer.TOWARD_DESTINATION : PacketSealer.TOWARD_SOURCE;
        this.sealer = spec.authenticated() ? PacketSealer.fresh(spec.key(), spec.vni(), direction) : null;
        VxlanHeader.write(plainHeader, 0, spec.vni(), false);
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

    /**
     * One frame into a tunnel packet, queued to leave after every packet queued before it. The frame is read later,
     * on the event loop: the caller must not change it after the call (each caller hands over a frame of its own).
     */
    void send(byte[] frame) {
        send(frame, true);
    }

    /** As {@link #send}, for a frame of a flushed hold: queued whatever waits before it. */
    void sendHeld(byte[] frame) {
        send(frame, false);
    }

    private void send(byte[] frame, boolean live) {
        if (frame.length > maxFrame()) {
            counters.drop(DropReason.TOO_BIG);
            return;
        }
        if (tunnel == null) {
            counters.drop(DropReason.SEND_FAILED);
            return;
        }
        synchronized (lock) {
            if (live) {
                if (livePending == MAX_PENDING) {
                    counters.drop(DropReason.SEND_FAILED);
                    return;
                }
                livePending++;
            }
            pending.add(frame);
            scheduleSend();
        }
        sentCount.increment();
        bytesSent.add(frame.length);
    }

    /**
     * Whether as many live frames wait for the event loop as it may queue: the capture then leaves the next ones in the
     * kernel's ring instead of catching them only to drop them here, and the event loop gets the CPU it lacks.
     */
    boolean backlogged() {
        synchronized (lock) {
            return livePending >= MAX_PENDING;
        }
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
            pending = taken;
            taken = batch;
            livePending = 0;
            sendScheduled = false;
        }
        try {
            for (byte[] frame : batch) {
                packets.add(packet(frame));
            }
        } catch (RuntimeException e) {
            packets.forEach(ByteBuf::release); // none was handed to the channel yet
            packets.clear();
            throw e;
        } finally {
            batch.clear();
        }
        try {
            if (!packets.isEmpty()) {
                tunnel.writeAll(packets, spec.peer()); // the channel releases them once sent or refused
            }
        } finally {
            packets.clear();
        }
    }

    /** The tunnel packet of {@code frame}, sealed with the next sequence number of the current session (event loop). */
    private ByteBuf packet(byte[] frame) {
        if (!spec.authenticated()) {
            return tunnel.buffer(VxlanHeader.LENGTH + frame.length).writeBytes(plainHeader).writeBytes(frame);
        }
        if (nextSeq > PacketSealer.SESSION_PACKETS) {
            sealer = PacketSealer.fresh(spec.key(), spec.vni(), direction);
            nextSeq = 1;
        }
        int outerLength = PacketSealer.sealedLength(frame.length);
        if (sealed.length < outerLength) {
            sealed = new byte[outerLength];
        }
        int length = sealer.seal(nextSeq++, frame, 0, frame.length, sealed);
        return tunnel.buffer(length).writeBytes(sealed, 0, length);
    }
}
