package io.cutover.tunnel.impl;

import io.cutover.tunnel.DropReason;
import io.cutover.tunnel.MalformedPacketException;
import io.cutover.tunnel.MoveSpec;
import io.cutover.tunnel.Role;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One end's way out of the tunnel: a packet from the peer must be sealed or plain as the move says and, when
 * sealed, carry a sequence number never accepted before, neither in the replay window nor up to the journaled
 * ceiling that outlives a restart. Its frame is then opened into a reused buffer and handed on; anything else is
 * dropped and counted. Packets arrive on the tunnel's event loop thread only.
 */
final class TunnelReceiver {
    private static final Logger LOG = LoggerFactory.getLogger(TunnelReceiver.class);

    /** Takes a frame out of the tunnel, {@code frame[0..length)}, reused after the call; refuses it with its reason. */
    @FunctionalInterface
    interface InnerFrameHandler {
        void take(byte[] frame, int length) throws MalformedPacketException;
    }

    private final MoveSpec spec;
    private final Counters counters;
    private final InnerFrameHandler next;
    private final PacketSealer sealer;
    private final int direction;
    private final ReplayWindow window = new ReplayWindow();
    private final ReplayCeiling ceiling;
    private final Runnable journalNow;
    private final byte[] frameBuffer = new byte[65_536 + 64];

    /**
     * @param journalNow writes the journal before a sequence number above its ceiling is accepted, or {@code null}
     *                   without a journal
     * @param next       where the opened frames go
     */
    TunnelReceiver(MoveSpec spec, Runnable journalNow, Counters counters, InnerFrameHandler next) {
        this.spec = spec;
        this.counters = counters;
        this.next = next;
        this.sealer = spec.authenticated() ? new PacketSealer(spec.key()) : null;
        this.direction = spec.role() == Role.SOURCE ? PacketSealer.TOWARD_SOURCE : PacketSealer.TOWARD_DESTINATION;
        this.journalNow = journalNow;
        this.ceiling = new ReplayCeiling(journalNow != null, System.nanoTime());
    }

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
                frameLength = sealer.open(direction, packet, length, frameBuffer);
                if (!ceiling.covers(seq)) {
                    ceiling.claim(seq);
                    journalNow.run();
                }
                window.commit(seq);
                ceiling.accepted();
            } else {
                frameLength = length - VxlanHeader.LENGTH;
                System.arraycopy(packet, VxlanHeader.LENGTH, frameBuffer, 0, Math.max(0, frameLength));
            }
            next.take(frameBuffer, frameLength);
        } catch (MalformedPacketException e) {
            counters.drop(e.reason());
            LOG.debug("move {}: dropped {}: {}", spec.id(), e.reason(), e.getMessage());
        }
    }

    /** The highest sequence number accepted so far. */
    long highest() {
        return window.highest();
    }

    /** The replay ceiling to journal now (the journal's lock held). */
    long proposeCeiling(long nowNanos) {
        return ceiling.propose(window.highest(), nowNanos);
    }

    /** The ceiling of {@link #proposeCeiling} is on disk. */
    void ceilingJournaled(long value) {
        ceiling.persisted(value);
    }

    /**
     * After a restart: refuses everything up to the journaled replay ceiling, at or above every sequence number
     * accepted before the restart.
     */
    void resumeAfter(long rxFloor) {
        window.resumeAfter(rxFloor);
        ceiling.resumeAt(rxFloor);
    }
}
