package io.cutover.migration.impl;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Cuts a connection that makes no progress: it sits after the decoder, so only a whole frame restarts the clock —
 * a sender that trickles a byte at a time is cut at the deadline all the same. The first frame (HELLO or RESOLVE)
 * must be complete within the HELLO timeout of the connect; every later one within the idle timeout of the one
 * before. On expiry it raises a {@link Expired} for the session to act on.
 */
final class Deadline extends ChannelDuplexHandler {
    private final long helloNanos;
    private final long idleNanos;
    private long deadline;
    private boolean greeted;
    private ScheduledFuture<?> check;

    /** The deadline passed. */
    static final class Expired extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final boolean beforeHello;

        Expired(boolean beforeHello, String message) {
            super(message, null, false, false);
            this.beforeHello = beforeHello;
        }
    }

    Deadline(Duration hello, Duration idle) {
        this.helloNanos = hello.toNanos();
        this.idleNanos = idle.toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        deadline = System.nanoTime() + helloNanos;
        schedule(ctx, helloNanos);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (check != null) {
            check.cancel(false);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        greeted = true;
        deadline = System.nanoTime() + idleNanos;
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (check != null) {
            check.cancel(false);
        }
        ctx.fireChannelInactive();
    }

    private void schedule(ChannelHandlerContext ctx, long delayNanos) {
        check = ctx.executor().schedule(() -> expire(ctx), delayNanos, TimeUnit.NANOSECONDS);
    }

    private void expire(ChannelHandlerContext ctx) {
        if (!ctx.channel().isActive()) {
            return;
        }
        long left = deadline - System.nanoTime();
        if (left > 0) {
            schedule(ctx, left);
            return;
        }
        ctx.fireExceptionCaught(greeted
                ? new Expired(false, "no complete frame for " + idleNanos / 1_000_000 + " ms")
                : new Expired(true, "no complete HELLO within " + helloNanos / 1_000_000 + " ms of the connect"));
    }
}
