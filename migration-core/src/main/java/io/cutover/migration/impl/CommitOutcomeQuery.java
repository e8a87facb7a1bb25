package io.cutover.migration.impl;

import io.cutover.migration.transport.Frame;
import io.cutover.migration.transport.FrameType;
import io.cutover.migration.transport.Resolve;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Asks a destination, on new connections, whether it committed a migration whose answer the source lost
 * (RESOLVE, answered RESOLVED). The destination decides at once if it had not, so the answer is final.
 */
final class CommitOutcomeQuery {
    private static final long RETRY_NANOS = 200_000_000L;

    /** Opens a connection to the destination ending in {@code handler}. */
    @FunctionalInterface
    interface Connector {
        Channel open(ChannelInboundHandlerAdapter handler) throws InterruptedException;
    }

    /** No answer came: the destination may or may not have committed. */
    static final class InDoubt extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        InDoubt(String message) {
            super(message);
        }
    }

    private CommitOutcomeQuery() {
    }

    /**
     * Whether the destination committed migration {@code id}, asked again until {@code timeout} has passed.
     *
     * @param secret the secret the migration was admitted with (the destination answers no one else)
     * @param lost what went wrong on the migration connection, for the message
     * @throws InDoubt if no answer came
     */
    static boolean ask(String id, String secret, Connector connector, Duration timeout, Exception lost)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        do {
            CompletableFuture<Boolean> answer = new CompletableFuture<>();
            Channel query = null;
            try {
                query = connector.open(new AnswerHandler(answer));
                ByteBuf ask = query.alloc().buffer();
                new Resolve(id, secret).writeFrame(ask);
                query.writeAndFlush(ask);
                return answer.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                last = String.valueOf(e.getCause());
            } catch (TimeoutException | RuntimeException e) {
                last = e.toString();
            } finally {
                if (query != null) {
                    query.close();
                }
            }
            Thread.sleep(RETRY_NANOS / 1_000_000);
        } while (System.nanoTime() - deadline < 0);
        throw new InDoubt(lost.getMessage() + "; the destination could not be asked whether it committed (" + last
                + "): the outcome is in doubt, the guest stays paused here (it runs at the destination if that"
                + " committed)");
    }

    /** Completes with the destination's RESOLVED answer. */
    private static final class AnswerHandler extends ChannelInboundHandlerAdapter {
        private final CompletableFuture<Boolean> answer;

        AnswerHandler(CompletableFuture<Boolean> answer) {
            this.answer = answer;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                Frame f = (Frame) msg;
                if (f.type() == FrameType.RESOLVED) {
                    answer.complete(f.arg() == 1);
                } else {
                    answer.completeExceptionally(new IllegalStateException("answered " + f.type()
                            + (f.type() == FrameType.ABORT ? ": " + f.text() : "")));
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            answer.completeExceptionally(new IllegalStateException("the connection closed without an answer"));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            answer.completeExceptionally(cause);
            ctx.close();
        }
    }
}
