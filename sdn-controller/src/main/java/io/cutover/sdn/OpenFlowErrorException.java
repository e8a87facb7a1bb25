package io.cutover.sdn;

/** A switch answered a request with an OpenFlow ERROR message, matched to the request by its xid. */
public final class OpenFlowErrorException extends SdnException {
    private static final long serialVersionUID = 1L;

    private final Dpid dpid;
    private final long xid;
    private final String errorType;
    private final String errorCode;

    public OpenFlowErrorException(Dpid dpid, long xid, String errorType, String errorCode) {
        super("switch " + dpid + " rejected xid " + xid + ": " + errorType + "/" + errorCode);
        this.dpid = dpid;
        this.xid = xid;
        this.errorType = errorType;
        this.errorCode = errorCode;
    }

    /** The datapath id of the switch that rejected it. */
    public Dpid dpid() {
        return dpid;
    }

    /** The xid of the request the switch rejected. */
    public long xid() {
        return xid;
    }

    /** The OpenFlow error type, such as {@code BAD_MATCH}. */
    public String errorType() {
        return errorType;
    }

    /** The error code within its type, such as {@code BAD_FIELD}. */
    public String errorCode() {
        return errorCode;
    }
}
