package io.cutover.migration.transport;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * The RESOLVE frame's content: which migration the source asks about, and the secret it was admitted with (the
 * destination answers only a source that presents it).
 *
 * @param migrationId the migration
 * @param secret      the secret of its HELLO
 */
public record Resolve(String migrationId, String secret) {
    private static final int MAX_ID = 1024;

    public Resolve {
        if (migrationId.isEmpty() || Hello.utf8(migrationId).length > MAX_ID
                || Hello.utf8(secret).length > Hello.MAX_SECRET) {
            throw new IllegalArgumentException("migration id must be 1-" + MAX_ID + " bytes, secret at most "
                    + Hello.MAX_SECRET);
        }
    }

    /** The whole frame: header and payload. */
    public void writeFrame(ByteBuf out) {
        byte[] id = Hello.utf8(migrationId);
        byte[] key = Hello.utf8(secret);
        Frames.writeHeader(out, FrameType.RESOLVE, 0, 2 + id.length + 2 + key.length, 0);
        out.writeShort(id.length).writeBytes(id);
        out.writeShort(key.length).writeBytes(key);
    }

    /**
     * Reads a RESOLVE payload.
     *
     * @throws MigrationProtocolException naming the field that is wrong
     */
    public static Resolve read(ByteBuf payload) {
        String id = text(payload, "migration id");
        String secret = text(payload, "secret");
        if (payload.isReadable()) {
            throw new MigrationProtocolException("RESOLVE: " + payload.readableBytes() + " bytes after the secret");
        }
        try {
            return new Resolve(id, secret);
        } catch (IllegalArgumentException e) {
            throw new MigrationProtocolException("RESOLVE: " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "Resolve[" + migrationId + "]";
    }

    private static String text(ByteBuf payload, String field) {
        if (payload.readableBytes() < 2) {
            throw new MigrationProtocolException("RESOLVE: truncated " + field + " length");
        }
        int length = payload.readUnsignedShort();
        if (payload.readableBytes() < length) {
            throw new MigrationProtocolException("RESOLVE: truncated " + field);
        }
        return payload.readCharSequence(length, StandardCharsets.UTF_8).toString();
    }
}
