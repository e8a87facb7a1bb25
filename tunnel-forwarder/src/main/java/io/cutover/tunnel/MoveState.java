package io.cutover.tunnel;

/**
 * The life of one move in the forwarder. Each state says what it waits for.
 * {@code PLANNED -> HOLDING -> FORWARDING -> DRAINING -> CLOSED}; any state may go to {@code CLOSED}.
 */
public enum MoveState {
    /** Endpoints up, peer known; waits for SWITCHOVER. Frames caught now are ignored (the VM still runs here). */
    PLANNED,
    /** The blackout: everything caught is held in the bounded buffer; waits for ACTIVATED. */
    HOLDING,
    /** The buffer was flushed in order; live frames go straight into the tunnel; waits for DRAINING or the drain policy. */
    FORWARDING,
    /** The brownout: still forwarding, until the drain policy ends it. */
    DRAINING,
    /** Ended: nothing is caught, sent or injected for this move any more. */
    CLOSED;

    /** Whether frames caught in this state are sent into the tunnel (or injected, at the destination). */
    public boolean forwards() {
        return this == FORWARDING || this == DRAINING;
    }
}
