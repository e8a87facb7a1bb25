package io.cutover.sdn.impl;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.MessageToByteEncoder;
import org.projectfloodlight.openflow.protocol.OFMessage;

/** OpenFlow messages (Loxi's, and the ONF bundle extension's) to bytes. */
public final class OfFrameEncoder extends MessageToByteEncoder<Object> {

    @Override
    public boolean acceptOutboundMessage(Object msg) {
        return msg instanceof OFMessage || msg instanceof OnfBundleMessage.Control || msg instanceof OnfBundleMessage.Add;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Object msg, ByteBuf out) {
        if (msg instanceof OFMessage message) {
            message.writeTo(out);
        } else if (msg instanceof OnfBundleMessage.Control control) {
            control.writeTo(out);
        } else if (msg instanceof OnfBundleMessage.Add add) {
            add.writeTo(out);
        } else {
            throw new EncoderException("not an OpenFlow message: " + msg.getClass().getName());
        }
    }
}
