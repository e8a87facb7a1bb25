package io.cutover.tunnel.impl;

import io.cutover.tunnel.DropReason;
import io.cutover.tunnel.MalformedPacketException;
import io.cutover.tunnel.MoveSpec;
import io.cutover.tunnel.Role;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.LongAdder;

/**
 * One end's way out of the tunnel: a packet from the peer must be sealed or plain as the move says and, when
 * sealed, belong to the peer's current session or a later one ({@link ReceiveSessions}) and carry a sequence number
 * never accepted in it before, neither in the session's replay window nor up to its journaled ceiling that outlives
 * a restart. Its frame is then opened into a reused buffer and handed on; anything else is
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
    private final LongAdder receivedCount;
    private final InnerFrameHandler next;
    private final ReceiveSessions sessions;
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
        this.receivedCount = counters.counter("received");
        this.next = next;
        int direction = spec.role() == Role.SOURCE ? PacketSealer.TOWARD_SOURCE : PacketSealer.TOWARD_DESTINATION;
        this.sessions = spec.authenticated() ? new ReceiveSessions(spec.key(), spec.vni(), direction, journalNow != null) : null;
        this.journalNow = journalNow;
    }

    /** A tunnel packet from this move's peer, header already checked (event loop thread). */
    void received(byte[] packet, int length) {
        receivedCount.increment();
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
                ReceiveSessions.Session session = sessions.of(packet);
                if (!session.window().check(seq)) {
                    throw new MalformedPacketException(DropReason.REPLAYED, "sequence " + seq + " replayed or too old");
                }
                frameLength = session.sealer().open(packet, length, frameBuffer);
                if (!sessions.isCurrent(session)) {
                    sessions.begin(session);
                    LOG.info("move {}: the peer's session {} begins", spec.id(), session.sealer().saltHex());
                }
                ReplayCeiling ceiling = session.ceiling();
                if (!ceiling.covers(seq)) {
                    ceiling.claim(seq);
                    journalNow.run();
                }
                session.window().commit(seq);
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

    /** The highest sequence number accepted so far in the peer's current session. */
    long highest() {
        return sessions == null ? 0 : sessions.highest();
    }

    /** The sessions to journal now, with the current one's replay ceiling (the journal's lock held); none when plain. */
    ReceiveSessions.Journaled journalState(long nowNanos) {
        return sessions == null ? new ReceiveSessions.Journaled(null, null, 0, 0) : sessions.journal(nowNanos);
    }

    /** The state of {@link #journalState} is on disk. */
    void journaled(ReceiveSessions.Journaled state) {
        if (state.session() != null) {
            state.session().ceiling().persisted(state.ceiling());
        }
    }

    /**
     * After a restart: the peer's journaled session refuses everything up to its journaled replay ceiling, at or
     * above every sequence number accepted in it before the restart, and earlier sessions stay refused.
     */
    void resume(String salt, long rxFloor) {
        if (sessions != null && salt != null) {
            sessions.resume(salt, rxFloor);
        }
    }
}
