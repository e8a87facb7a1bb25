package io.cutover.tunnel.impl;

import io.cutover.tunnel.DropReason;
import io.cutover.tunnel.MalformedPacketException;
import io.cutover.tunnel.TunnelKey;

import java.util.HexFormat;

/**
 * The peer's sender's current session (see {@link PacketSealer}), with its replay window and ceiling. A packet of
 * another salt starts a new session if that session began later than the current one, by the sender's clock in the
 * salt, and once its tag verifies under the key derived for that salt (a forgery changes nothing); a packet of a
 * session that began before the current one is a replay, refused. Replays are thus refused within a session by its
 * window and journaled ceiling, and across sessions by their order. Sessions change on the receiving thread; the
 * journal reads them from another, under this object's lock.
 */
final class ReceiveSessions {
    /** One session of the peer's sender: its key, and the sequence numbers accepted in it. */
    record Session(PacketSealer sealer, ReplayWindow window, ReplayCeiling ceiling) {
    }

    /** What the journal keeps: the current session's salt ({@code null}: none yet) and its replay state. */
    record Journaled(Session session, String salt, long highest, long ceiling) {
    }

    private final TunnelKey key;
    private final int vni;
    private final int direction;
    private final boolean journaled;
    private volatile Session current;

    /** @param journaled whether a journal keeps the session (and its replay ceiling) over a restart */
    ReceiveSessions(TunnelKey key, int vni, int direction, boolean journaled) {
        this.key = key;
        this.vni = vni;
        this.direction = direction;
        this.journaled = journaled;
    }

    /**
     * The session of a sealed packet (header, salt and sequence number present): the current one, or a new one that
     * began after it, not yet current (see {@link #begin}).
     *
     * @throws MalformedPacketException REPLAYED for a session that began before the current one
     */
    Session of(byte[] packet) throws MalformedPacketException {
        Session session = current;
        if (session != null && session.sealer().owns(packet)) {
            return session;
        }
        byte[] salt = VxlanHeader.readSalt(packet, 0);
        if (session != null && Long.compareUnsigned(PacketSealer.startOf(salt), session.sealer().start()) <= 0) {
            throw new MalformedPacketException(DropReason.REPLAYED, "session " + HexFormat.of().formatHex(salt)
                    + " began before the current one");
        }
        return newSession(PacketSealer.forSalt(key, vni, direction, salt));
    }

    private Session newSession(PacketSealer sealer) {
        return new Session(sealer, new ReplayWindow(), new ReplayCeiling(journaled, System.nanoTime()));
    }

    /** Whether {@code session} is the current one. */
    boolean isCurrent(Session session) {
        return session == current;
    }

    /** Makes {@code session}, whose first packet verified, the current one; the one before ends. */
    synchronized void begin(Session session) {
        current = session;
    }

    /** The highest sequence number accepted in the current session. */
    long highest() {
        Session session = current;
        return session == null ? 0 : session.window().highest();
    }

    /** What to journal now, with the current session's replay ceiling to write (the journal's lock held). */
    synchronized Journaled journal(long nowNanos) {
        Session session = current;
        if (session == null) {
            return new Journaled(null, null, 0, 0);
        }
        long highest = session.window().highest();
        return new Journaled(session, session.sealer().saltHex(), highest, session.ceiling().propose(highest, nowNanos));
    }

    /** After a restart: the journaled session is current again and refuses everything up to {@code floor}. */
    synchronized void resume(String salt, long floor) {
        Session session = newSession(PacketSealer.forSalt(key, vni, direction, HexFormat.of().parseHex(salt)));
        session.window().resumeAfter(floor);
        session.ceiling().resumeAt(floor);
        current = session;
    }
}
