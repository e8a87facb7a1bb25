package io.cutover.sdn;

/** A request needs a switch that is not connected, or that disconnected or timed out before it answered. */
public final class SwitchUnavailableException extends SdnException {
    private static final long serialVersionUID = 1L;

    private final Dpid dpid;

    public SwitchUnavailableException(Dpid dpid, String reason) {
        super("switch " + dpid + ": " + reason);
        this.dpid = dpid;
    }

    /** The switch's datapath id. */
    public Dpid dpid() {
        return dpid;
    }
}
