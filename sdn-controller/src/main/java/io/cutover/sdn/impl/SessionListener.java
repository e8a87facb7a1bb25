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

    /** The connection is gone (after {@link #ready}, or during the handshake). */
    void closed(SwitchSession session);
}
