package io.cutover.bench.sim;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Many simulated OpenFlow 1.3 switches in one process, all on one small event loop group, each connected to the
 * controller as Open vSwitch connects ({@code tcp:HOST:PORT}, plain TCP). Closing it disconnects them all.
 *
 * <pre>{@code
 * try (SwitchSimulator sim = SwitchSimulator.connect(controller, specs, 2)) {
 *     sim.awaitDescribed(Duration.ofSeconds(30));
 *     sim.get(dpid).flows();
 * }
 * }</pre>
 */
public final class SwitchSimulator implements AutoCloseable {
    private final EventLoopGroup group;
    private final Map<Long, SimulatedSwitch> switches;
    private final List<Channel> channels = Collections.synchronizedList(new ArrayList<>());

    private SwitchSimulator(EventLoopGroup group, Map<Long, SimulatedSwitch> switches) {
        this.group = group;
        this.switches = switches;
    }

    /**
     * Starts connecting every switch of {@code specs} to {@code controller} (the connections proceed in the
     * background: see {@link #awaitDescribed}).
     *
     * @param threads the event loop's threads, shared by all the switches
     */
    public static SwitchSimulator connect(InetSocketAddress controller, List<SwitchSpec> specs, int threads) {
        return connect(List.of(controller), specs, threads);
    }

    /**
     * Starts connecting every switch of {@code specs} to each of {@code controllers}, as Open vSwitch does with
     * several controller targets: one flow table per switch, one role per connection.
     */
    public static SwitchSimulator connect(List<InetSocketAddress> controllers, List<SwitchSpec> specs, int threads) {
        EventLoopGroup group = new NioEventLoopGroup(threads, r -> {
            Thread t = new Thread(r, "switch-sim");
            t.setDaemon(true);
            return t;
        });
        Map<Long, SimulatedSwitch> switches = new LinkedHashMap<>();
        for (SwitchSpec spec : specs) {
            if (switches.put(spec.dpid(), new SimulatedSwitch(spec, group.next())) != null) {
                group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
                throw new IllegalArgumentException("two simulated switches have datapath id " + spec.dpid());
            }
        }
        SwitchSimulator sim = new SwitchSimulator(group, switches);
        for (SimulatedSwitch sw : switches.values()) {
            for (InetSocketAddress controller : controllers) {
                sim.connect(sw, controller);
            }
        }
        return sim;
    }

    private void connect(SimulatedSwitch sw, InetSocketAddress controller) {
        Bootstrap bootstrap = new Bootstrap().group(sw.loop()).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true).option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new SimFrameDecoder(), new SimulatedSwitch.Encoder(), sw.connection());
                        }
                    });
            ChannelFuture connecting = bootstrap.connect(controller);
            channels.add(connecting.channel());
            connecting.addListener(f -> {
                if (!f.isSuccess()) {
                    sw.described().completeExceptionally(new IllegalStateException("switch " + sw.spec().name()
                            + " cannot connect to " + controller + ": " + f.cause()));
                }
            });
    }

    /** Waits until the controller has read every switch's port descriptions (the end of its handshake). */
    public void awaitDescribed(Duration timeout) {
        CompletableFuture.allOf(switches.values().stream().map(SimulatedSwitch::described)
                .toArray(CompletableFuture[]::new)).orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    /** The simulated switch with datapath id {@code dpid}. */
    public SimulatedSwitch get(long dpid) {
        SimulatedSwitch sw = switches.get(dpid);
        if (sw == null) {
            throw new IllegalArgumentException("no simulated switch has datapath id " + dpid);
        }
        return sw;
    }

    public List<SimulatedSwitch> switches() {
        return List.copyOf(switches.values());
    }

    /** The flows of every switch together. */
    public long totalFlows() {
        return switches.values().stream().mapToLong(SimulatedSwitch::flowCount).sum();
    }

    @Override
    public void close() {
        synchronized (channels) {
            channels.forEach(Channel::close);
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
