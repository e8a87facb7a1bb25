package io.cutover.migration;

/** Why a {@link MigrationTarget} turned a connection away before it reserved anything (counted in {@link TargetStats}). */
public enum Refusal {
    /** Too many connections, in all or from this peer. */
    CONNECTION_LIMIT,
    /** The connection closed before its HELLO (a port scan, a health check). */
    CLOSED_BEFORE_HELLO,
    /** No complete HELLO within the HELLO timeout. */
    HELLO_TIMEOUT,
    /** Bytes that are not a valid HELLO or RESOLVE. */
    NOT_A_MIGRATION,
    /** A HELLO whose secret the target does not expect (missing, unknown, expired or used). */
    UNEXPECTED,
    /** A HELLO for a larger guest than was expected. */
    TOO_LARGE,
    /** A HELLO over the limits on migrations or reserved bytes in progress, or for an id in progress. */
    BUSY,
    /** A RESOLVE that does not present its migration's secret: nothing is decided. */
    RESOLVE_REFUSED
}
