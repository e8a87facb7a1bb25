package io.cutover.migration.transport;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * The HELLO frame's content: who migrates what.
 *
 * @param migrationId  the source's id for the migration
 * @param descriptor   the guest's descriptor, to allocate a like one
 * @param pageSize     bytes per page
 * @param pageCount    pages
 * @param fullCheck    whether the commit will re-read the whole memory
 * @param channels     connections of this migration (multifd), 1 to {@value #MAX_CHANNELS}
 * @param channel      which one this connection is: 0 the control connection, which sends HELLO first and
 *                     reserves the guest; 1 to {@code channels - 1} the data connections that join it after
 * @param secret       the secret the destination expects this migration with (empty: none, which a destination
 *                     refuses); every connection of the migration presents it
 */
public record Hello(String migrationId, String descriptor, int pageSize, long pageCount, boolean fullCheck,
                    int channels, int channel, String secret) {
    private static final int MAX_TEXT = 1024;
    /** Longest secret, in UTF-8 bytes. */
    public static final int MAX_SECRET = 256;
    /** Most connections one migration may use. */
    public static final int MAX_CHANNELS = 16;

    /** The HELLO of a migration over one connection. */
    public Hello(String migrationId, String descriptor, int pageSize, long pageCount, boolean fullCheck, String secret) {
        this(migrationId, descriptor, pageSize, pageCount, fullCheck, 1, 0, secret);
    }

    public Hello {
        checkGeometry(pageSize, pageCount);
        if (channels < 1 || channels > MAX_CHANNELS || channel < 0 || channel >= channels) {
            throw new IllegalArgumentException("channel " + channel + " of " + channels + ": channels must be 1 to "
                    + MAX_CHANNELS + " and the channel one of them");
        }
        if (migrationId.isEmpty() || utf8(migrationId).length > MAX_TEXT || utf8(descriptor).length > MAX_TEXT) {
            throw new IllegalArgumentException("migration id must be 1-" + MAX_TEXT + " bytes, descriptor at most "
                    + MAX_TEXT);
        }
        if (secret == null || utf8(secret).length > MAX_SECRET) {
            throw new IllegalArgumentException("secret must be at most " + MAX_SECRET + " bytes");
        }
    }

    /** Everything but the secret. */
    @Override
    public String toString() {
        return "Hello[" + migrationId + ", " + descriptor + ", " + pageCount + " x " + pageSize + ", channel " + channel
                + " of " + channels + "]";
    }

    static void checkGeometry(int pageSize, long pageCount) {
        if (Integer.bitCount(pageSize) != 1 || pageSize < Frames.MIN_PAGE_SIZE || pageSize > Frames.MAX_PAGE_SIZE) {
            throw new IllegalArgumentException("page size must be a power of two from " + Frames.MIN_PAGE_SIZE
                    + " to " + Frames.MAX_PAGE_SIZE + ", was " + pageSize);
        }
        if (pageCount < 1 || pageCount > (1L << 50) / pageSize) {
            throw new IllegalArgumentException("page count out of range: " + pageCount);
        }
    }

    /** The whole frame: header and payload. */
    public void writeFrame(ByteBuf out) {
        byte[] id = utf8(migrationId);
        byte[] desc = utf8(descriptor);
        byte[] key = utf8(secret);
        int length = 2 + 4 + 1 + 2 + 2 + id.length + 2 + desc.length + 2 + key.length;
        Frames.writeHeader(out, FrameType.HELLO, 0, length, pageCount);
        out.writeShort(Frames.VERSION);
        out.writeInt(pageSize);
        out.writeByte(fullCheck ? 1 : 0);
        out.writeByte(channels).writeByte(channel);
        out.writeShort(id.length).writeBytes(id);
        out.writeShort(desc.length).writeBytes(desc);
        out.writeShort(key.length).writeBytes(key);
    }

    /**
     * Reads a HELLO payload.
     *
     * @throws MigrationProtocolException naming the field that is wrong
     */
    static Hello read(ByteBuf payload, long pageCount) {
        int version = need(payload, 2, "version").readUnsignedShort();
        if (version != Frames.VERSION) {
            throw new MigrationProtocolException("HELLO: unsupported protocol version " + version + " (this end speaks "
                    + Frames.VERSION + ")");
        }
        int pageSize = need(payload, 4, "page size").readInt();
        int full = need(payload, 1, "integrity flag").readUnsignedByte();
        if (full > 1) {
            throw new MigrationProtocolException("HELLO: integrity flag must be 0 or 1, was " + full);
        }
        int channels = need(payload, 1, "channels").readUnsignedByte();
        int channel = need(payload, 1, "channel").readUnsignedByte();
        String id = text(payload, "migration id");
        String desc = text(payload, "descriptor");
        String secret = text(payload, "secret");
        if (payload.isReadable()) {
            throw new MigrationProtocolException("HELLO: " + payload.readableBytes() + " bytes after the secret");
        }
        try {
            return new Hello(id, desc, pageSize, pageCount, full == 1, channels, channel, secret);
        } catch (IllegalArgumentException e) {
            throw new MigrationProtocolException("HELLO: " + e.getMessage());
        }
    }

    private static String text(ByteBuf payload, String field) {
        int length = need(payload, 2, field + " length").readUnsignedShort();
        return need(payload, length, field).readCharSequence(length, StandardCharsets.UTF_8).toString();
    }

    private static ByteBuf need(ByteBuf payload, int bytes, String field) {
        if (payload.readableBytes() < bytes) {
            throw new MigrationProtocolException("HELLO: truncated " + field);
        }
        return payload;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
