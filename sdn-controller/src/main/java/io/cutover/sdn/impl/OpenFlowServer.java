package io.cutover.sdn.impl;

import io.cutover.sdn.ControllerOptions;
import io.cutover.sdn.SdnException;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The Netty server switches connect to. Each connection gets a row of named handlers:
 * {@value #TLS} (optional), {@value #DECODER}, {@value #ENCODER}, {@value #IDLE}, {@value #KEEPALIVE},
 * {@value #HANDSHAKE_TIMEOUT} (removed once the switch is ready) and {@value #SESSION}. With TLS, {@value #TLS_GATE}
 * stands in for the OpenFlow handlers until the TLS handshake has succeeded, within the handshake timeout.
 */
public final class OpenFlowServer implements AutoCloseable {
    public static final String TLS = "tls";
    public static final String TLS_GATE = "tls-gate";
    public static final String DECODER = "decoder";
    public static final String ENCODER = "encoder";
    public static final String IDLE = "idle";
    public static final String KEEPALIVE = "keepalive";
    public static final String HANDSHAKE_TIMEOUT = "handshake-timeout";
    public static final String SESSION = "session";

    private final EventLoopGroup group;
    private final Channel server;
    private final AtomicLong tlsRefusals;

    private OpenFlowServer(EventLoopGroup group, Channel server, AtomicLong tlsRefusals) {
        this.group = group;
        this.server = server;
        this.tlsRefusals = tlsRefusals;
    }

    /** Binds the server; {@code sessions} makes the session handler of each new connection. */
    public static OpenFlowServer start(ControllerOptions options, Supplier<SwitchSession> sessions) {
        EventLoopGroup group = options.threadFactory() == null
                ? new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory())
                : new MultiThreadIoEventLoopGroup(1, options.threadFactory(), NioIoHandler.newFactory());
        AtomicLong tlsRefusals = new AtomicLong();
        try {
            ServerBootstrap bootstrap = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ChannelPipeline p = ch.pipeline();
                            if (options.sslContext() == null) {
                                addOpenFlow(p, options, sessions);
                                return;
                            }
                            SslHandler tls = options.sslContext().newHandler(ch.alloc());
                            tls.setHandshakeTimeoutMillis(options.handshakeTimeout().toMillis());
                            p.addLast(TLS, tls);
                            p.addLast(TLS_GATE, new TlsGate(later -> addOpenFlow(later, options, sessions), tlsRefusals));
                        }
                    });
            return new OpenFlowServer(group, bindIn(options, bootstrap), tlsRefusals);
        } catch (Exception e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new SdnException("cannot listen on " + options.bindAddress() + ":" + options.port() + ": "
                    + e.getMessage(), e);
        }
    }

    private static void addOpenFlow(ChannelPipeline p, ControllerOptions options, Supplier<SwitchSession> sessions) {
        long echo = options.echoInterval().toMillis();
        p.addLast(DECODER, new OfFrameDecoder());
        p.addLast(ENCODER, new OfFrameEncoder());
        p.addLast(IDLE, new IdleStateHandler(3 * echo, 0, echo, TimeUnit.MILLISECONDS));
        p.addLast(KEEPALIVE, new KeepaliveHandler());
        p.addLast(HANDSHAKE_TIMEOUT, new HandshakeTimeoutHandler(options.handshakeTimeout()));
        p.addLast(SESSION, sessions.get());
    }

    /**
     * Binds on a thread made by the options' thread factory: a socket belongs to the network namespace of the
     * thread that creates it, and Netty creates the listening socket on the caller's thread.
     */
    private static Channel bindIn(ControllerOptions options, ServerBootstrap bootstrap) throws Exception {
        if (options.threadFactory() == null) {
            return bootstrap.bind(options.bindAddress(), options.port()).sync().channel();
        }
        java.util.concurrent.FutureTask<Channel> bind = new java.util.concurrent.FutureTask<>(
                () -> bootstrap.bind(options.bindAddress(), options.port()).sync().channel());
        options.threadFactory().newThread(bind).start();
        try {
            return bind.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    /** How many connections were closed because their TLS handshake failed (always 0 without TLS). */
    public long tlsRefusals() {
        return tlsRefusals.get();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
