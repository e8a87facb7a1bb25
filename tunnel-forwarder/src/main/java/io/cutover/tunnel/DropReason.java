package io.cutover.tunnel;

/** Why a packet was dropped. Every drop is counted under one of these, never silent. */
public enum DropReason {
    /** Came from an address that is not the peer of any registered move. */
    UNKNOWN_PEER,
    /** Carried a VNI no move of its peer uses, or a VXLAN header with the I flag clear. */
    WRONG_VNI,
    /** Shorter than its headers say. */
    TRUNCATED,
    /** Headers that do not parse (bad flags, sealed when plain is expected or the reverse, unknown type). */
    MALFORMED,
    /** The AES-GCM tag did not verify: forged, corrupted, or sealed under another key. */
    BAD_TAG,
    /** A sequence number already seen, or older than the replay window. */
    REPLAYED,
    /** An inner frame not addressed to the move's VM MAC or registered addresses: the forwarder is no open relay. */
    NOT_REGISTERED,
    /** The hold buffer was full: the oldest held frame was dropped. */
    HOLD_OVERFLOW,
    /** Lost before the forwarder saw it: the kernel's capture buffer was full (as libpcap's ps_drop reports). */
    CAPTURE_OVERFLOW,
    /**
     * Lost before the forwarder saw it: the tunnel socket's receive buffer was full (the kernel's drops of the
     * socket, as {@code /proc/net/udp} shows them and {@code UdpRcvbufErrors} counts them).
     */
    SOCKET_OVERFLOW,
    /** Too big for the tunnel's path MTU (the outer packet is never fragmented). */
    TOO_BIG,
    /**
     * The operating system refused to send or inject it, or the queue toward the tunnel or the injection was full.
     */
    SEND_FAILED
}
