package io.cutover.tunnel.impl;

import io.cutover.tunnel.DropReason;
import io.cutover.tunnel.MalformedPacketException;
import io.cutover.tunnel.TunnelKey;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReceiveSessionsTest {
    private static final TunnelKey KEY = TunnelKey.of(new byte[16], null);
    private final ReceiveSessions sessions = new ReceiveSessions(KEY, 7, PacketSealer.TOWARD_DESTINATION, false);

    private static byte[] sealed(PacketSealer sealer, long seq) {
        byte[] frame = new byte[60];
        byte[] out = new byte[PacketSealer.sealedLength(frame.length)];
        sealer.seal(seq, frame, 0, frame.length, out);
        return out;
    }

    private static PacketSealer sender() {
        return PacketSealer.fresh(KEY, 7, PacketSealer.TOWARD_DESTINATION);
    }

    /** What the receiver does with a packet: the session it belongs to, begun once its tag verifies. */
    private ReceiveSessions.Session accept(byte[] packet) throws MalformedPacketException {
        ReceiveSessions.Session session = sessions.of(packet);
        session.sealer().open(packet, packet.length, new byte[2048]);
        if (!sessions.isCurrent(session)) {
            sessions.begin(session);
        }
        return session;
    }

    @Test
    void aLaterSessionEndsTheOneBeforeWhosePacketsAreThenReplays() throws Exception {
        PacketSealer first = sender();
        PacketSealer second = sender();
        assertThat(second.start()).as("sessions of one process begin in order").isGreaterThan(first.start());
        ReceiveSessions.Session one = accept(sealed(first, 1));
        assertThat(sessions.of(sealed(first, 2))).as("the current session, found by its salt").isSameAs(one);
        accept(sealed(second, 1));
        assertThat(sessions.journal(0).salt()).isEqualTo(second.saltHex());
        assertThatThrownBy(() -> sessions.of(sealed(first, 3)))
                .satisfies(e -> assertThat(((MalformedPacketException) e).reason()).isEqualTo(DropReason.REPLAYED));
    }

    @Test
    void aRecordedSessionTheReceiverNeverSawCannotEndTheCurrentOne() throws Exception {
        PacketSealer unseen = sender();
        byte[] recorded = sealed(unseen, 1);
        PacketSealer current = sender();
        accept(sealed(current, 1));
        assertThatThrownBy(() -> accept(recorded)).as("it began before the current one")
                .satisfies(e -> assertThat(((MalformedPacketException) e).reason()).isEqualTo(DropReason.REPLAYED));
        assertThat(sessions.journal(0).salt()).isEqualTo(current.saltHex());
    }

    @Test
    void aForgedPacketOfAnUnknownSaltChangesNothing() throws Exception {
        PacketSealer genuine = sender();
        accept(sealed(genuine, 1));
        PacketSealer forger = PacketSealer.fresh(TunnelKey.of(new byte[32], null), 7, PacketSealer.TOWARD_DESTINATION);
        assertThatThrownBy(() -> accept(sealed(forger, 1)))
                .satisfies(e -> assertThat(((MalformedPacketException) e).reason()).isEqualTo(DropReason.BAD_TAG));
        assertThat(sessions.journal(0).salt()).isEqualTo(genuine.saltHex());
    }

    @Test
    void aResumedSessionRefusesUpToItsFloorAndEarlierSessionsStayRefused() throws Exception {
        PacketSealer before = sender();
        PacketSealer current = sender();
        sessions.resume(current.saltHex(), 100);
        ReceiveSessions.Session session = sessions.of(sealed(current, 100));
        assertThat(sessions.isCurrent(session)).isTrue();
        assertThat(session.window().check(100)).isFalse();
        assertThat(session.window().check(101)).isTrue();
        assertThatThrownBy(() -> sessions.of(sealed(before, 500)))
                .satisfies(e -> assertThat(((MalformedPacketException) e).reason()).isEqualTo(DropReason.REPLAYED));
    }
}
