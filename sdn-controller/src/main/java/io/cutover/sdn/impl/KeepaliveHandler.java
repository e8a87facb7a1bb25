package io.cutover.sdn.impl;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.ReadTimeoutException;
import org.projectfloodlight.openflow.protocol.OFEchoRequest;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFType;
import org.projectfloodlight.openflow.protocol.OFVersion;

/**
 * Keeps a switch connection alive: answers the switch's ECHO_REQUESTs, sends one when the connection has been
 * idle (driven by the {@code idle} handler before it), and closes it when the switch stays silent.
 */
public final class KeepaliveHandler extends ChannelDuplexHandler {

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof OFMessage message && message.getType() == OFType.ECHO_REQUEST) {
            OFEchoRequest request = (OFEchoRequest) message;
            ctx.writeAndFlush(OFFactories.getFactory(request.getVersion()).buildEchoReply()
                    .setXid(request.getXid()).setData(request.getData()).build());
            return;
        }
        if (msg instanceof OFMessage message && message.getType() == OFType.ECHO_REPLY) {
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent idle) {
            if (idle.state() == IdleState.READER_IDLE) {
                ctx.fireExceptionCaught(ReadTimeoutException.INSTANCE);
            } else {
                ctx.writeAndFlush(OFFactories.getFactory(OFVersion.OF_13).buildEchoRequest().setXid(0).build());
            }
            return;
        }
        super.userEventTriggered(ctx, evt);
    }
}
