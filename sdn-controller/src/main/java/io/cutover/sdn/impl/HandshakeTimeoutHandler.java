package io.cutover.sdn.impl;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection whose handshake has not finished in time (a silent peer, a truncated frame). The session
 * removes this handler from the pipeline when the switch is ready.
 */
public final class HandshakeTimeoutHandler extends ChannelInboundHandlerAdapter {
    private final Duration timeout;
    private ScheduledFuture<?> timer;

    public HandshakeTimeoutHandler(Duration timeout) {
        this.timeout = timeout;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            schedule(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        schedule(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
        }
    }

    private void schedule(ChannelHandlerContext ctx) {
        if (timer == null) {
            timer = ctx.executor().schedule(() -> ctx.fireExceptionCaught(new HandshakeTimeoutException(timeout)),
                    timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** The handshake did not finish in time. */
    public static final class HandshakeTimeoutException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        HandshakeTimeoutException(Duration timeout) {
            super("handshake not finished within " + timeout.toMillis() + " ms");
        }
    }
}
