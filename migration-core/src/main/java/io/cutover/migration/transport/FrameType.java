package io.cutover.migration.transport;

/** The frames of the migration stream, with who sends them and how much payload they may carry. */
public enum FrameType {
    /** Source → destination, first frame: the guest's geometry; {@code arg} = page count. */
    HELLO(1, true, Frames.MAX_HELLO_BYTES),
    /** Destination → source: a like guest is reserved; {@code arg} = page count. */
    RESERVED(2, false, 0),
    /** Source → destination: one page; {@code arg} = page index; flags say raw, zero or compressed. */
    PAGE(3, true, Frames.MAX_PAGE_SIZE),
    /** Source → destination: a pre-copy round begins; {@code arg} = round. */
    ROUND(4, true, 0),
    /** Source → destination: the CPU and device state, sent while paused. */
    DEVICE_STATE(5, true, Frames.MAX_DEVICE_STATE_BYTES),
    /** Source → destination: everything is sent; {@code arg} = the source's whole-memory digest. */
    COMMIT_REQUEST(6, true, 0),
    /** Destination → source: the memory is verified, the destination commits; {@code arg} = digest. */
    VERIFIED(7, false, 0),
    /** Source → destination: resume the guest. */
    ACTIVATE(8, true, 0),
    /** Destination → source: the guest runs at the destination. */
    ACTIVATED(9, false, 0),
    /** Either way: the migration is abandoned; payload = the reason (UTF-8). */
    ABORT(10, null, Frames.MAX_REASON_BYTES),
    /** Source → destination, post-copy: pages not sent yet, as bitmap words; {@code arg} = first word's index. */
    MISSING(11, true, Frames.MAX_MISSING_BYTES),
    /** Source → destination: switch to post-copy (after DEVICE_STATE and MISSING); {@code arg} = missing pages. */
    POSTCOPY_START(12, true, 0),
    /** Destination → source, post-copy: the guest touched a missing page; {@code arg} = page index. */
    PAGE_REQUEST(13, false, 0),
    /** Source → destination, post-copy: every page is sent; {@code arg} = the whole-memory digest at pause. */
    POSTCOPY_END(14, true, 0),
    /**
     * Source → destination, on every connection of a multifd migration: everything sent on this connection
     * before it belongs to sync point {@code arg} (increasing). The destination commits only when every
     * connection has reached the control connection's last sync point.
     */
    SYNC(15, true, 0),
    /**
     * Source → destination, alone on a new connection: the source lost the migration connection before it knew
     * the outcome and asks what the destination decided; payload = the migration id and its secret
     * ({@link Resolve}). The destination decides now if it had not (an uncommitted migration is discarded) and
     * answers RESOLVED; without the migration's secret it decides nothing.
     */
    RESOLVE(16, true, Frames.MAX_REASON_BYTES),
    /** Destination → source: the answer to RESOLVE; {@code arg} = 1 committed (the guest runs there), 0 not. */
    RESOLVED(17, false, 0);

    private final int code;
    private final Boolean fromSource;
    private final int maxPayload;

    FrameType(int code, Boolean fromSource, int maxPayload) {
        this.code = code;
        this.fromSource = fromSource;
        this.maxPayload = maxPayload;
    }

    /** The type byte on the wire. */
    public int code() {
        return code;
    }

    /** Largest payload this type may carry. */
    public int maxPayload() {
        return maxPayload;
    }

    /** Whether the source (when {@code fromSource}) or the destination may send this frame. */
    public boolean sentBy(boolean source) {
        return fromSource == null || fromSource == source;
    }

    private static final FrameType[] BY_CODE = new FrameType[32];

    static {
        for (FrameType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    /** The type of {@code code}, or {@code null}. */
    public static FrameType of(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
