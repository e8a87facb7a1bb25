package io.cutover.migration.transport;

import io.netty.buffer.ByteBuf;

/**
 * The frame layout: a 16-byte header — type (u8), flags (u8), magic {@code 0x4356} (u16), payload length
 * (u32), argument (u64: a page index, a round, a digest) — then the payload.
 */
public final class Frames {
    /** Header bytes. */
    public static final int HEADER_BYTES = 16;
    /** Every header carries it, so that a stray stream is told apart from a migration at once. */
    public static final int MAGIC = 0x4356;
    /** Protocol version carried by HELLO. */
    public static final int VERSION = 3;
    /** PAGE flag: the payload is the page as it is. */
    public static final int PAGE_RAW = 0;
    /** PAGE flag: the page is all zeros; no payload. */
    public static final int PAGE_ZERO = 1;
    /** PAGE flag: the payload is the page compressed with LZ4 (shorter than the page). */
    public static final int PAGE_LZ4 = 2;
    /** PAGE flags: an XBZRLE delta ({@link XorDelta}) against the version the destination holds. */
    public static final int PAGE_XBZRLE = 3;
    /** COMMIT_REQUEST flag: re-read the whole memory before answering. */
    public static final int COMMIT_FULL_CHECK = 1;
    /** Smallest page size accepted. */
    public static final int MIN_PAGE_SIZE = 512;
    /** Largest page size accepted. */
    public static final int MAX_PAGE_SIZE = 64 * 1024;
    static final int MAX_HELLO_BYTES = 4096;
    static final int MAX_DEVICE_STATE_BYTES = 1 << 20;
    static final int MAX_REASON_BYTES = 4096;
    static final int MAX_MISSING_BYTES = 1 << 20;

    private Frames() {
    }

    /**
     * The connection a page travels on in a migration over {@code channels} connections (multifd): pages are
     * sharded by bitmap word, 64 pages at a time, so each connection sends long runs and a page always takes the
     * same connection (its versions arrive in order).
     */
    public static int channelOf(long page, int channels) {
        return (int) ((page >>> 6) % channels);
    }

    /** Writes a header at {@code out}'s writer index. */
    public static void writeHeader(ByteBuf out, FrameType type, int flags, int payloadLength, long arg) {
        out.writeByte(type.code());
        out.writeByte(flags);
        out.writeShort(MAGIC);
        out.writeInt(payloadLength);
        out.writeLong(arg);
    }
}
