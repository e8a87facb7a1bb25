package io.cutover.migration.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * Writes {@link Frame}s. Batches of pages already laid out with {@link Frames#writeHeader} pass through as
 * plain {@link ByteBuf}s.
 */
@ChannelHandler.Sharable
public final class FrameEncoder extends MessageToByteEncoder<Frame> {
    /** Stateless, so shared. */
    public static final FrameEncoder INSTANCE = new FrameEncoder();

    private FrameEncoder() {
        super(Frame.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Frame frame, ByteBuf out) {
        ByteBuf payload = frame.content();
        Frames.writeHeader(out, frame.type(), frame.flags(), payload.readableBytes(), frame.arg());
        out.writeBytes(payload, payload.readerIndex(), payload.readableBytes());
    }
}
