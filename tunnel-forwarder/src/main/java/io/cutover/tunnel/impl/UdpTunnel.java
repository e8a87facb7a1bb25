package io.cutover.tunnel.impl;

import io.cutover.tunnel.ForwarderOptions;
import io.cutover.tunnel.TunnelException;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * The tunnel's UDP socket on Netty: the native epoll transport where available (batched receive with
 * recvmmsg, batched send with sendmmsg), NIO otherwise. Its pipeline is one named handler, {@code "receive"},
 * that copies each datagram into a reused buffer and hands it to the {@link Receiver}. On epoll the socket has
 * path MTU discovery "do": every outer packet carries DF and none is ever fragmented; one larger than the path
 * MTU the kernel knows is refused ({@code EMSGSIZE}) and reported to {@code tooBig}. A datagram received that is
 * larger than the tunnel's largest, {@code max(2048, path MTU)} bytes, is reported to {@code tooBig} too, never handed
 * on cut to fit: each datagram is read into room for one byte more, so that the kernel's silent truncation shows.
 */
public final class UdpTunnel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UdpTunnel.class);
    /** How many datagrams one epoll read may take at once. */
    static final int RECEIVE_BATCH = 32;

    /** Gets every datagram, on the event loop thread; {@code payload} is reused after the call. */
    @FunctionalInterface
    public interface Receiver {
        void receive(InetSocketAddress sender, byte[] payload, int length);
    }

    private final EventLoopGroup group;
    private final Channel channel;
    private final boolean nativeTransport;
    private final boolean dontFragment;
    /** The socket's {@code sk_drops} (32 bits in the kernel) as {@link #socketDrops} counted them. */
    private final Wrapping32 socketDrops = new Wrapping32();

    private UdpTunnel(EventLoopGroup group, Channel channel, boolean nativeTransport, boolean dontFragment) {
        this.group = group;
        this.channel = channel;
        this.nativeTransport = nativeTransport;
        this.dontFragment = dontFragment;
    }

    /**
     * Binds the socket; {@code receiver} runs on the single event loop thread, {@code tooBig} there too, once per
     * packet the kernel refused as larger than the path MTU and once per datagram received larger than
     * {@link #maxPayload}.
     */
    public static UdpTunnel bind(ForwarderOptions options, Receiver receiver, Runnable tooBig) {
        boolean epoll = options.nativeTransport() && Epoll.isAvailable();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, options.threadFactory(),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        int maxPayload = maxPayload(options);
        // one byte more than the largest datagram taken: a longer one, cut by the kernel, is told apart
        int slot = maxPayload + 1;
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                .option(ChannelOption.SO_RCVBUF, 4 * 1024 * 1024)
                .option(ChannelOption.SO_SNDBUF, 4 * 1024 * 1024)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast("receive", new ReceiveHandler(receiver, tooBig, maxPayload));
                    }
                });
        if (epoll) {
            bootstrap.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, slot)
                    .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(slot * RECEIVE_BATCH));
        } else {
            bootstrap.option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(slot));
        }
        try {
            Channel channel = bootstrap.bind(options.bind()).sync().channel();
            boolean df = epoll && SocketOptions.setDontFragment(((EpollDatagramChannel) channel).fd().intValue());
            if (!df) {
                LOG.warn("tunnel socket: cannot set IP_PMTUDISC_DO; the kernel may fragment outer packets larger than the route's MTU");
            }
            LOG.info("tunnel listening on udp {} ({} transport{})", channel.localAddress(), epoll ? "epoll" : "nio",
                    df ? ", DF set" : "");
            return new UdpTunnel(group, channel, epoll, df);
        } catch (Exception e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new TunnelException(null, "cannot bind the tunnel to udp " + options.bind() + ": " + e.getMessage(), e);
        }
    }

    /** The largest datagram the tunnel takes: {@code max(2048, path MTU)} bytes of UDP payload. */
    static int maxPayload(ForwarderOptions options) {
        return Math.max(2048, options.pathMtu());
    }

    /** Runs {@code task} on the event loop (after what was submitted before it). */
    public void execute(Runnable task) {
        channel.eventLoop().execute(task);
    }

    /**
     * A buffer for one datagram of {@code length} bytes, from the socket's allocator (pooled, direct: the native
     * transport sends it as it is, without copying it again); any thread may fill it and hand it to {@link #writeAll}.
     */
    public ByteBuf buffer(int length) {
        return channel.alloc().directBuffer(length, length);
    }

    /**
     * On the event loop: writes the datagrams in order, then flushes them once (one sendmmsg where possible); the
     * buffers, from {@link #buffer}, are released once sent (or refused).
     */
    public void writeAll(List<ByteBuf> packets, InetSocketAddress peer) {
        for (ByteBuf packet : packets) {
            channel.write(new DatagramPacket(packet, peer), channel.voidPromise());
        }
        channel.flush();
    }

    /** Sends the packets in order, to {@code peer}, in one task on the event loop (one sendmmsg where possible). */
    public void sendAll(List<byte[]> packets, InetSocketAddress peer) {
        if (packets.isEmpty()) {
            return;
        }
        channel.eventLoop().execute(() -> {
            for (byte[] packet : packets) {
                ByteBuf buf = channel.alloc().directBuffer(packet.length);
                buf.writeBytes(packet);
                channel.write(new DatagramPacket(buf, peer), channel.voidPromise());
            }
            channel.flush();
        });
    }

    /** The bound UDP port. */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /**
     * What the kernel dropped for the tunnel's socket so far (a full receive buffer, mostly): one {@code getsockopt}
     * on the native transport (the kernel's counter is 32 bits; its wraps are counted through), else the
     * {@code /proc/net/udp} table of this thread's namespace for the port.
     */
    public synchronized long socketDrops() {
        if (channel instanceof EpollDatagramChannel epoll) {
            OptionalLong drops = SocketOptions.drops(epoll.fd().intValue());
            if (drops.isPresent()) {
                return socketDrops.advance(drops.getAsLong());
            }
        }
        return SocketDrops.of(port());
    }

    public boolean nativeTransport() {
        return nativeTransport;
    }

    /** Whether the socket's IPv4 path MTU discovery mode, read back from the kernel, is "do" (DF set, never fragmented). */
    public boolean dontFragment() {
        return dontFragment && channel instanceof EpollDatagramChannel epoll
                && SocketOptions.dontFragmentMode(epoll.fd().intValue()) == SocketOptions.PMTUDISC_DO;
    }

    /** Runs what was queued, then closes the socket and stops the event loop. */
    @Override
    public void close() {
        try {
            channel.eventLoop().submit(() -> channel.flush()).await(2, TimeUnit.SECONDS);
            channel.close().await(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        }
    }

    /** Copies a datagram into a reused array and hands it on; one over the largest is reported as too big. */
    private static final class ReceiveHandler extends SimpleChannelInboundHandler<DatagramPacket> {
        private final Receiver receiver;
        private final Runnable tooBig;
        private final int maxPayload;
        private final byte[] buffer;

        ReceiveHandler(Receiver receiver, Runnable tooBig, int maxPayload) {
            this.receiver = receiver;
            this.tooBig = tooBig;
            this.maxPayload = maxPayload;
            this.buffer = new byte[Math.max(maxPayload, 65_536)];
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            ByteBuf content = packet.content();
            if (content.readableBytes() > maxPayload) {
                tooBig.run();
                return;
            }
            int length = content.readableBytes();
            content.getBytes(content.readerIndex(), buffer, 0, length);
            receiver.receive(packet.sender(), buffer, length);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof java.io.IOException && String.valueOf(cause.getMessage()).contains("Message too long")) {
                tooBig.run();
                return;
            }
            LOG.warn("tunnel socket error (kept open): {}", cause.toString());
        }
    }
}
