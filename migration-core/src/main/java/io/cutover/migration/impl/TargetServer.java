package io.cutover.migration.impl;

import io.cutover.api.CutoverListener;
import io.cutover.migration.GuestAllocator;
import io.cutover.migration.IncomingMigration;
import io.cutover.migration.MigrationTarget;
import io.cutover.migration.Refusal;
import io.cutover.migration.TargetOptions;
import io.cutover.migration.TargetStats;
import io.cutover.migration.transport.FrameDecoder;
import io.cutover.migration.transport.FrameEncoder;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The Netty server behind {@link MigrationTarget}: one {@link DestinationSession} per connection, behind the
 * connection limits and the deadlines; {@link Admissions} decides which HELLO is served.
 */
public final class TargetServer implements MigrationTarget {
    private static final Logger LOG = LoggerFactory.getLogger(TargetServer.class);

    /** The most receive buffers kept for reuse: a few a connection (a read, a partial frame) for several connections. */
    private static final int KEPT_RECEIVE_BUFFERS = 16;
    /** Reads land in 1 MiB buffers kept for the next read (see {@link ReceiveBuffers}). */
    private final ReceiveBuffers receiveBuffers = new ReceiveBuffers(1 << 20, KEPT_RECEIVE_BUFFERS);
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final Channel server;
    /** Migrations in progress and recently committed; all connections are served by the one I/O thread. */
    private final Sessions sessions = new Sessions();
    private final Admissions admissions;

    private TargetServer(InetSocketAddress bind, GuestAllocator allocator, TargetOptions options,
                         List<CutoverListener> listeners, Consumer<IncomingMigration> onEnd) {
        admissions = new Admissions(options);
        io.netty.handler.ssl.SslContext ssl = options.tls() == null ? null : TlsContexts.server(options.tls());
        boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        // one I/O thread: the connections of a multifd migration share their session without locks
        workers = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        List<CutoverListener> copy = List.copyOf(listeners);
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, receiveBuffers)
                .childOption(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(receiveBuffers.bufferBytes()))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        InetAddress peer = ch.remoteAddress().getAddress();
                        if (!admissions.connected(peer)) {
                            LOG.info("refused {} from {}: too many connections", Refusal.CONNECTION_LIMIT, peer
                                    .getHostAddress());
                            ch.close();
                            return;
                        }
                        ch.closeFuture().addListener(f -> admissions.disconnected(peer));
                        channels.add(ch);
                        if (ssl != null) {
                            ch.pipeline().addLast("tls", ssl.newHandler(ch.alloc()));
                        }
                        ch.pipeline()
                                .addLast("decoder", new FrameDecoder(true, options.maxGuestBytes()))
                                .addLast("deadline", new Deadline(options.helloTimeout(), options.idleTimeout()))
                                .addLast("encoder", FrameEncoder.INSTANCE)
                                .addLast("destination", new DestinationSession(allocator, sessions, admissions, copy,
                                        onEnd));
                    }
                });
        try {
            server = b.bind(bind).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            shutdown();
            throw new IllegalArgumentException("cannot listen on " + bind + ": " + e.getMessage(), e);
        }
    }

    /** See {@link MigrationTarget#listen}. */
    public static TargetServer listen(InetSocketAddress bind, GuestAllocator allocator, TargetOptions options,
                                      List<CutoverListener> listeners, Consumer<IncomingMigration> onEnd) {
        return new TargetServer(bind, allocator, options, listeners, onEnd);
    }

    @Override
    public String expect(long maxGuestBytes, Duration validFor) {
        return admissions.expect(maxGuestBytes, validFor);
    }

    @Override
    public void admit(String secret, long maxGuestBytes) {
        admissions.admit(secret, maxGuestBytes);
    }

    @Override
    public boolean withdraw(String secret) {
        return admissions.withdraw(secret);
    }

    @Override
    public TargetStats stats() {
        return admissions.stats();
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) server.localAddress();
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly(2000);
        channels.close().awaitUninterruptibly(2000);
        shutdown();
    }

    private void shutdown() {
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5000);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5000);
    }
}
