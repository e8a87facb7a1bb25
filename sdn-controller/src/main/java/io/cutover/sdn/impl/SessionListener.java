package io.cutover.sdn.impl;

/** What a switch session tells the controller. Called on the session's event loop. */
public interface SessionListener {
    /** The handshake is done: the switch's ports and name are known. */
    void ready(SwitchSession session);

    /** A port was added, changed or deleted. */
    void portChanged(SwitchSession session, String port, int number, boolean deleted);

    /** The switch says another controller's role request made this one a slave, with the newer generation. */
    default void deposed(SwitchSession session, long generation) {
    }

    /** The switch sent a packet to the controller (a flow's {@code output:CONTROLLER}). */
    default void packetIn(SwitchSession session, org.projectfloodlight.openflow.protocol.OFPacketIn packetIn) {
    }

    /** The switch sent a packet beyond its rate ({@link SwitchSession#PACKET_INS_PER_SECOND}): dropped unread. */
    default void packetInDropped(SwitchSession session) {
    }

    /** The connection is gone (after {@link #ready}, or during the handshake). */
    void closed(SwitchSession session);
}
