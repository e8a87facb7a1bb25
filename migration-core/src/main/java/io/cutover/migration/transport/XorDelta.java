package io.cutover.migration.transport;

import io.netty.buffer.ByteBuf;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The XBZRLE-style delta of a page sent again: the page XOR the version the destination holds, as runs of
 * {@code skip, length, length bytes of XOR}, {@code skip} and {@code length} unsigned LEB128 varints of at most
 * three bytes. Runs cover the changed bytes only, so a page with a few changed words travels in a few bytes.
 */
public final class XorDelta {
    private static final int MAX_VARINT_BYTES = 3;

    private XorDelta() {
    }

    /**
     * Writes the delta from {@code old} to {@code now} (equal lengths) at {@code out}'s writer index, using at most
     * {@code limit} bytes.
     *
     * @return the bytes written; 0 if the pages are equal; -1 if the delta needs more than {@code limit} bytes
     *         (then {@code out}'s writer index is where it was)
     */
    public static int encode(byte[] old, byte[] now, ByteBuf out, int limit) {
        int start = out.writerIndex();
        int size = now.length;
        int pos = 0;
        while (pos < size) {
            int rel = Arrays.mismatch(old, pos, size, now, pos, size);
            if (rel < 0) {
                break;
            }
            int runStart = pos + rel;
            int runEnd = runStart + 1;
            // a run ends at two equal bytes in a row: one equal byte costs less inside the run than a new run
            while (runEnd < size && (old[runEnd] != now[runEnd]
                    || runEnd + 1 < size && old[runEnd + 1] != now[runEnd + 1])) {
                runEnd++;
            }
            int length = runEnd - runStart;
            if (out.writerIndex() - start + 2 * MAX_VARINT_BYTES + length > limit) {
                out.writerIndex(start);
                return -1;
            }
            writeVarint(out, runStart - pos);
            writeVarint(out, length);
            for (int i = runStart; i < runEnd; i++) {
                out.writeByte(old[i] ^ now[i]);
            }
            pos = runEnd;
        }
        return out.writerIndex() - start;
    }

    /**
     * Applies a delta to {@code page} (absolute positions 0 to its capacity).
     *
     * @throws MigrationProtocolException naming what is wrong: an empty delta, a truncated or overlong varint,
     *                                    a run of no bytes, a run past the end of the page, truncated data
     */
    public static void decode(ByteBuf delta, ByteBuffer page) {
        if (!delta.isReadable()) {
            throw new MigrationProtocolException("XBZRLE: empty delta");
        }
        int size = page.capacity();
        int pos = 0;
        while (delta.isReadable()) {
            int skip = readVarint(delta, "skip");
            int length = readVarint(delta, "run length");
            if (length == 0) {
                throw new MigrationProtocolException("XBZRLE: run of 0 bytes at offset " + (pos + skip));
            }
            if ((long) pos + skip + length > size) {
                throw new MigrationProtocolException("XBZRLE: run of " + length + " bytes at offset " + (pos + skip)
                        + " passes the end of the " + size + "-byte page");
            }
            if (delta.readableBytes() < length) {
                throw new MigrationProtocolException("XBZRLE: run of " + length + " bytes truncated to "
                        + delta.readableBytes());
            }
            pos += skip;
            for (int i = 0; i < length; i++, pos++) {
                page.put(pos, (byte) (page.get(pos) ^ delta.readByte()));
            }
        }
    }

    private static void writeVarint(ByteBuf out, int value) {
        while (value >= 0x80) {
            out.writeByte(value & 0x7f | 0x80);
            value >>>= 7;
        }
        out.writeByte(value);
    }

    private static int readVarint(ByteBuf in, String field) {
        int value = 0;
        for (int i = 0; i < MAX_VARINT_BYTES; i++) {
            if (!in.isReadable()) {
                throw new MigrationProtocolException("XBZRLE: truncated " + field);
            }
            int b = in.readUnsignedByte();
            value |= (b & 0x7f) << (7 * i);
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new MigrationProtocolException("XBZRLE: " + field + " longer than " + MAX_VARINT_BYTES + " bytes");
    }
}
