package io.cutover.migration.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.buffer.Unpooled;

import java.nio.charset.StandardCharsets;

/** One frame of the migration stream; owns its payload (release it). */
public final class Frame extends DefaultByteBufHolder {
    private final FrameType type;
    private final int flags;
    private final long arg;

    public Frame(FrameType type, int flags, long arg, ByteBuf payload) {
        super(payload);
        this.type = type;
        this.flags = flags;
        this.arg = arg;
    }

    /** A frame without payload. */
    public static Frame of(FrameType type, long arg) {
        return new Frame(type, 0, arg, Unpooled.EMPTY_BUFFER);
    }

    /** An ABORT frame giving {@code reason} (cut to fit). */
    public static Frame abort(String reason) {
        byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
        int length = Math.min(bytes.length, Frames.MAX_REASON_BYTES);
        return new Frame(FrameType.ABORT, 0, 0, Unpooled.wrappedBuffer(bytes, 0, length));
    }

    public FrameType type() {
        return type;
    }

    public int flags() {
        return flags;
    }

    public long arg() {
        return arg;
    }

    /** The payload as UTF-8 text (for ABORT). */
    public String text() {
        return content().toString(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return type + "(flags=" + flags + ", arg=" + arg + ", " + content().readableBytes() + " bytes)";
    }
}
