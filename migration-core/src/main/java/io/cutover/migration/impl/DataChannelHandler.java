package io.cutover.migration.impl;

import io.cutover.migration.transport.Frame;
import io.cutover.migration.transport.MigrationProtocolException;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;

/**
 * A data connection of a multifd migration at the destination, once it has joined its control connection's
 * {@link DestinationSession}: hands its frames to the session, and tells it when the connection is lost or
 * sends something wrong. It runs on the session's event loop (the target has one I/O thread).
 */
final class DataChannelHandler extends ChannelInboundHandlerAdapter {
    private final DestinationSession session;
    private final int channel;

    DataChannelHandler(DestinationSession session, int channel) {
        this.session = session;
        this.channel = channel;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            session.dataFrame(channel, (Frame) msg);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        session.writeRun();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        session.dataChannelLost(channel, "data connection " + channel + " to the source was lost");
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable e = cause instanceof DecoderException && cause.getCause() instanceof MigrationProtocolException p
                ? p : cause;
        session.dataChannelLost(channel, e instanceof MigrationProtocolException
                ? "protocol error on data connection " + channel + ": " + e.getMessage()
                : "data connection " + channel + ": " + e);
        ctx.close();
    }
}
