package io.cutover.tunnel;

/** A forwarder operation failed; the message names the move and what went wrong. */
public class TunnelException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String moveId;

    public TunnelException(String moveId, String message, Throwable cause) {
        super((moveId == null ? "" : "move " + moveId + ": ") + message, cause);
        this.moveId = moveId;
    }

    public TunnelException(String moveId, String message) {
        this(moveId, message, null);
    }

    /** The move concerned, or {@code null} for the forwarder as a whole. */
    public String moveId() {
        return moveId;
    }
}
