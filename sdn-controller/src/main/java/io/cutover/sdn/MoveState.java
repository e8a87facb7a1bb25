package io.cutover.sdn;

/** Where a move stands. */
public enum MoveState {
    /** Destination flows installed; traffic still goes to the source. */
    PREPARED,
    /** At the source, traffic for the endpoint goes to the tunnel forwarder's port. */
    REDIRECTED,
    /** Every switch forwards to the destination; the old location's flows remain until cleanup. */
    COMMITTED,
    /** The old location's flows are deleted: the move is over. */
    CLEANED,
    /** The old state is restored. */
    ROLLED_BACK
}
