package io.cutover.sdn.impl;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Holds a connection's OpenFlow handlers back until its TLS handshake has succeeded, so that a peer that fails TLS
 * (no certificate, one the CA did not sign, plain TCP, silence past the deadline) never reaches the OpenFlow
 * handshake, let alone claims a datapath id. On success it adds them behind itself, tells them the channel is
 * active and leaves; on failure it counts the refusal, logs one line and closes. A peer that hangs up before TLS is
 * done gets one line too, but is not counted.
 */
public final class TlsGate extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(TlsGate.class);

    private final Consumer<ChannelPipeline> openflow;
    private final AtomicLong refusals;
    private boolean decided;
    /** What went wrong before the handshake's end was told, if anything: it names the cause better than a close. */
    private Throwable early;

    /**
     * @param openflow adds the OpenFlow handlers at the end of the pipeline
     * @param refusals counts connections refused for their TLS
     */
    public TlsGate(Consumer<ChannelPipeline> openflow, AtomicLong refusals) {
        this.openflow = openflow;
        this.refusals = refusals;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // the OpenFlow handlers learn of it once TLS has let the peer in
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (!(evt instanceof SslHandshakeCompletionEvent done) || decided) {
            super.userEventTriggered(ctx, evt);
            return;
        }
        decided = true;
        if (done.isSuccess()) {
            LOG.info("switch connection {} passed TLS as {}", ctx.channel().remoteAddress(), peer(ctx));
            openflow.accept(ctx.pipeline());
            ctx.fireChannelActive();
            ctx.pipeline().remove(this);
        } else if (peerLeft(done.cause())) {
            LOG.info("switch connection {} closed by its peer before TLS was done{}", ctx.channel().remoteAddress(),
                    early == null ? "" : ": " + reason(early));
            ctx.close();
        } else {
            LOG.warn("refusing switch connection {}: TLS failed: {} ({} refused)", ctx.channel().remoteAddress(),
                    reason(early == null ? done.cause() : early), refusals.incrementAndGet());
            ctx.close();
        }
    }

    /** The handshake's own failure is logged once, from its completion event; what follows only closes. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("switch connection {} before TLS was done: {}", ctx.channel().remoteAddress(), cause.toString());
        if (!decided && early == null) {
            early = cause;
        }
        ctx.close();
    }

    /**
     * Whether the peer hung up (or the connection broke) before TLS was done, rather than failing it: a switch that
     * reconnects because its controller settings changed does that, and is not counted as refused.
     */
    private boolean peerLeft(Throwable handshakeFailure) {
        return early == null ? handshakeFailure instanceof ClosedChannelException
                : early instanceof IOException && !(early instanceof SSLException);
    }

    private static String peer(ChannelHandlerContext ctx) {
        SslHandler tls = ctx.pipeline().get(SslHandler.class);
        try {
            return tls.engine().getSession().getPeerPrincipal().getName();
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            return "a peer without a certificate";
        }
    }

    private static String reason(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
