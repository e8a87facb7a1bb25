package io.cutover.tunnel;

/** A tunnel packet or inner frame that does not parse; the message names the field. Counted, never thrown to callers. */
public final class MalformedPacketException extends Exception {
    private static final long serialVersionUID = 1L;
    private final DropReason reason;

    public MalformedPacketException(DropReason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    /** The drop counter this packet goes to. */
    public DropReason reason() {
        return reason;
    }
}
