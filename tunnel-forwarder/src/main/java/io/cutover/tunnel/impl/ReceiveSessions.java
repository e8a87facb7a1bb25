package io.cutover.tunnel.impl;

import io.cutover.tunnel.DropReason;
import io.cutover.tunnel.MalformedPacketException;
import io.cutover.tunnel.TunnelKey;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The sessions a receiver has seen of its peer's sender (see {@link PacketSealer}): the current one, with its
 * replay window and ceiling, and the salts of the {@value #RETIRED_KEPT} before it. A packet of an unknown salt
 * starts a new session once its tag verifies under the key derived for that salt (a forgery changes nothing); a
 * packet of a retired session is a replay, refused. Replays are thus refused within a session by its window and
 * journaled ceiling, and across the sessions this receiver has seen by their salts. Sessions change on the
 * receiving thread; the journal reads them from another, under this object's lock.
 */
final class ReceiveSessions {
    /** How many ended sessions' salts are remembered (and journaled) to refuse their replays. */
    static final int RETIRED_KEPT = 64;

    /** One session of the peer's sender: its key, and the sequence numbers accepted in it. */
    record Session(PacketSealer sealer, ReplayWindow window, ReplayCeiling ceiling) {
    }

    /** What the journal keeps: the current session's salt ({@code null}: none yet), its replay state, the retired. */
    record Journaled(Session session, String salt, long highest, long ceiling, List<String> retired) {
    }

    private final TunnelKey key;
    private final int vni;
    private final int direction;
    private final boolean journaled;
    private final LinkedHashSet<String> retired = new LinkedHashSet<>();
    private volatile Session current;

    /** @param journaled whether a journal keeps the sessions (and replay ceilings) over a restart */
    ReceiveSessions(TunnelKey key, int vni, int direction, boolean journaled) {
        this.key = key;
        this.vni = vni;
        this.direction = direction;
        this.journaled = journaled;
    }

    /**
     * The session of a sealed packet (header, salt and sequence number present): the current one, or a new one for a
     * salt never seen, not yet current (see {@link #begin}).
     *
     * @throws MalformedPacketException REPLAYED for a session that has ended
     */
    Session of(byte[] packet) throws MalformedPacketException {
        Session session = current;
        if (session != null && session.sealer().owns(packet)) {
            return session;
        }
        byte[] salt = VxlanHeader.readSalt(packet, 0);
        String hex = HexFormat.of().formatHex(salt);
        synchronized (this) {
            if (retired.contains(hex)) {
                throw new MalformedPacketException(DropReason.REPLAYED, "session " + hex + " has ended");
            }
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
        if (current != null) {
            retired.remove(current.sealer().saltHex());
            retired.add(current.sealer().saltHex());
            for (Iterator<String> it = retired.iterator(); retired.size() > RETIRED_KEPT; ) {
                it.next();
                it.remove();
            }
        }
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
        List<String> ended = new ArrayList<>(retired);
        if (session == null) {
            return new Journaled(null, null, 0, 0, ended);
        }
        long highest = session.window().highest();
        return new Journaled(session, session.sealer().saltHex(), highest, session.ceiling().propose(highest, nowNanos), ended);
    }

    /**
     * After a restart: the journaled session is current again and refuses everything up to {@code floor}; the
     * journaled ended sessions stay ended.
     */
    synchronized void resume(String salt, long floor, List<String> ended) {
        retired.addAll(ended);
        if (salt != null) {
            Session session = newSession(PacketSealer.forSalt(key, vni, direction, HexFormat.of().parseHex(salt)));
            session.window().resumeAfter(floor);
            session.ceiling().resumeAt(floor);
            current = session;
        }
    }
}
