package io.cutover.bench.sim;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.MessageToByteEncoder;
import org.projectfloodlight.openflow.protocol.OFBarrierRequest;
import org.projectfloodlight.openflow.protocol.OFControllerRole;
import org.projectfloodlight.openflow.protocol.OFGroupMod;
import org.projectfloodlight.openflow.protocol.OFRoleRequestFailedCode;
import org.projectfloodlight.openflow.protocol.OFBadRequestCode;
import org.projectfloodlight.openflow.protocol.OFCapabilities;
import org.projectfloodlight.openflow.protocol.OFEchoReply;
import org.projectfloodlight.openflow.protocol.OFEchoRequest;
import org.projectfloodlight.openflow.protocol.OFFeaturesRequest;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFFlowStatsRequest;
import org.projectfloodlight.openflow.protocol.OFGetConfigRequest;
import org.projectfloodlight.openflow.protocol.OFHello;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFPacketOut;
import org.projectfloodlight.openflow.protocol.OFPortDesc;
import org.projectfloodlight.openflow.protocol.OFPortDescStatsRequest;
import org.projectfloodlight.openflow.protocol.OFPortState;
import org.projectfloodlight.openflow.protocol.OFRoleRequest;
import org.projectfloodlight.openflow.protocol.OFSetConfig;
import org.projectfloodlight.openflow.protocol.OFStatsReplyFlags;
import org.projectfloodlight.openflow.types.DatapathId;
import org.projectfloodlight.openflow.types.MacAddress;
import org.projectfloodlight.openflow.types.OFErrorCauseData;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.U32;
import org.projectfloodlight.openflow.types.U64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static io.cutover.bench.sim.FlowTable.OF;

/**
 * One simulated switch, answering its controllers as Open vSwitch does: HELLO, FEATURES_REPLY, the port descriptions,
 * echo, barriers, role requests, flow-mods on its {@link FlowTable}, flow statistics from it, and ONF bundles (open,
 * add, commit applies the bundle's flow-mods all or none, discard). What it does not know gets an OpenFlow error with
 * the request's xid, never a closed connection.
 *
 * <p>It may be connected to several controllers ({@link #connection()} per controller): one flow table shared by all
 * connections; each connection has its role, EQUAL until a role request changes it. A MASTER request demotes the
 * switch's other MASTER connections to SLAVE; a MASTER or SLAVE request whose generation id is older than the newest
 * seen is refused (ROLE_REQUEST_FAILED, STALE); a SLAVE's flow-mods, group-mods, packet-outs and bundles are refused
 * (BAD_REQUEST, IS_SLAVE). Every connection of a switch runs on the switch's one event loop.
 */
public final class SimulatedSwitch {
    private static final Logger LOG = LoggerFactory.getLogger(SimulatedSwitch.class);
    private static final int OF13_BIT = 1 << 4;
    private static final int BUNDLE_OPEN = 0;
    private static final int BUNDLE_CLOSE = 2;
    private static final int BUNDLE_COMMIT = 4;
    private static final int BUNDLE_DISCARD = 6;
    /** Entries per flow statistics reply part, well within a 64 KiB message. */
    private static final int ENTRIES_PER_PART = 200;

    private final SwitchSpec spec;
    private final EventLoop loop;
    private final FlowTable table = new FlowTable();
    private final Set<Connection> connections = new LinkedHashSet<>();
    private final CompletableFuture<Void> described = new CompletableFuture<>();
    private Long generationId;
    private volatile int flowCount;
    private volatile long flowModsApplied;
    private volatile long errorsSent;

    SimulatedSwitch(SwitchSpec spec, EventLoop loop) {
        this.spec = spec;
        this.loop = loop;
    }

    /** A new connection to one controller, its handler for the channel's pipeline. */
    Connection connection() {
        return new Connection();
    }

    /** The event loop all this switch's connections run on. */
    EventLoop loop() {
        return loop;
    }

    public SwitchSpec spec() {
        return spec;
    }

    /** Completes once the controller has read this switch's port descriptions (the end of its handshake). */
    public CompletableFuture<Void> described() {
        return described;
    }

    /** How many flows the table holds (as of the last change). */
    public int flowCount() {
        return flowCount;
    }

    /** How many flow-mods were applied, in bundles or alone. */
    public long flowModsApplied() {
        return flowModsApplied;
    }

    /** How many OpenFlow errors this switch sent. */
    public long errorsSent() {
        return errorsSent;
    }

    /** Whether at least one controller connection is up. */
    public boolean connected() {
        return onLoop(() -> connections.stream().anyMatch(c -> c.channel.isActive()));
    }

    private volatile long masteredAt;

    /** The roles of the connections that are up by their controller's port, in the order they connected. */
    public Map<Integer, OFControllerRole> roles() {
        return onLoop(() -> {
            Map<Integer, OFControllerRole> roles = new LinkedHashMap<>();
            connections.stream().filter(c -> c.channel.isActive()).forEach(c -> roles.put(
                    ((InetSocketAddress) c.channel.remoteAddress()).getPort(), c.role));
            return roles;
        });
    }

    /** When a controller last took the MASTER role ({@link System#nanoTime}), or 0. */
    public long masteredAt() {
        return masteredAt;
    }

    /** Whether a connection that is up has the MASTER role. */
    public boolean hasMaster() {
        return onLoop(() -> connections.stream().anyMatch(c -> c.channel.isActive()
                && c.role == OFControllerRole.ROLE_MASTER));
    }

    /** The table's flows, read on the switch's event loop. */
    public List<OFFlowStatsEntry> flows() {
        return onLoop(() -> table.stats(0xff, 0, 0, OF.buildMatch().build()));
    }

    private <T> T onLoop(Callable<T> read) {
        try {
            return loop.submit(read).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading switch " + spec.name(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read switch " + spec.name() + ": " + e, e);
        }
    }

    private List<OFPortDesc> portDescs() {
        List<OFPortDesc> descs = new ArrayList<>(spec.ports().size() + 1);
        descs.add(portDesc(OFPort.LOCAL, spec.name()));
        for (int i = 0; i < spec.ports().size(); i++) {
            descs.add(portDesc(OFPort.of(i + 1), spec.ports().get(i)));
        }
        return descs;
    }

    private OFPortDesc portDesc(OFPort number, String name) {
        long mac = 0x020000000000L | ((spec.dpid() & 0xffffff) << 16 | (number.getPortNumber() & 0xffff)) & 0xffffffffffL;
        return OF.buildPortDesc().setPortNo(number).setName(name).setHwAddr(MacAddress.of(mac))
                .setState(Set.of(OFPortState.LIVE)).setConfig(Set.of()).setCurr(Set.of()).setAdvertised(Set.of())
                .setSupported(Set.of()).setPeer(Set.of()).build();
    }

    private void apply(OFFlowMod mod) {
        table.apply(mod);
        flowModsApplied++;
        flowCount = table.size();
    }

    /** One controller's connection to this switch: its role and its open bundles. */
    final class Connection extends ChannelInboundHandlerAdapter {
        private final Map<Long, List<OFFlowMod>> bundles = new HashMap<>();
        private Channel channel;
        private OFControllerRole role = OFControllerRole.ROLE_EQUAL;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            channel = ctx.channel();
            connections.add(this);
            ctx.writeAndFlush(OF.buildHello().setXid(0).setElements(List.of(OF.buildHelloElemVersionbitmap()
                    .setBitmaps(List.of(U32.of(OF13_BIT))).build())).build());
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof SimMessage.Parsed parsed) {
                    onMessage(ctx, parsed.message(), parsed.head());
                } else if (msg instanceof SimMessage.BundleControl control) {
                    onBundleControl(ctx, control);
                } else if (msg instanceof SimMessage.BundleAdd add) {
                    onBundleAdd(ctx, add);
                } else if (msg instanceof SimMessage.Unparsed unparsed) {
                    badRequest(ctx, unparsed.xid(), unparsed.type() == 4 ? OFBadRequestCode.BAD_EXPERIMENTER
                            : OFBadRequestCode.BAD_TYPE, unparsed.head(), unparsed.reason());
                }
            } catch (RuntimeException e) {
                LOG.warn("simulated switch {}: cannot handle {}: {}", spec.name(), msg.getClass().getSimpleName(), e.toString());
            }
        }

        private void onMessage(ChannelHandlerContext ctx, OFMessage message, byte[] head) {
            if (role == OFControllerRole.ROLE_SLAVE && (message instanceof OFFlowMod || message instanceof OFGroupMod
                    || message instanceof OFPacketOut)) {
                badRequest(ctx, message.getXid(), OFBadRequestCode.IS_SLAVE, head, "a " + message.getType() + " from a slave");
                return;
            }
            if (message instanceof OFHello || message instanceof OFEchoReply || message instanceof OFSetConfig
                    || message instanceof OFPacketOut) {
                return; // a packet-out goes nowhere: the simulator has no datapath
            }
            if (message instanceof OFEchoRequest echo) {
                ctx.writeAndFlush(OF.buildEchoReply().setXid(echo.getXid()).setData(echo.getData()).build());
            } else if (message instanceof OFFeaturesRequest) {
                ctx.writeAndFlush(OF.buildFeaturesReply().setXid(message.getXid()).setDatapathId(DatapathId.of(spec.dpid()))
                        .setNBuffers(0).setNTables((short) 254)
                        .setCapabilities(EnumSet.of(OFCapabilities.FLOW_STATS, OFCapabilities.TABLE_STATS,
                                OFCapabilities.PORT_STATS, OFCapabilities.GROUP_STATS, OFCapabilities.QUEUE_STATS))
                        .build());
            } else if (message instanceof OFPortDescStatsRequest) {
                ctx.writeAndFlush(OF.buildPortDescStatsReply().setXid(message.getXid()).setEntries(portDescs()).build());
                described.complete(null);
            } else if (message instanceof OFBarrierRequest) {
                ctx.writeAndFlush(OF.buildBarrierReply().setXid(message.getXid()).build());
            } else if (message instanceof OFFlowMod mod) {
                FlowTable.Refusal refusal = FlowTable.check(mod);
                if (refusal != null) {
                    flowModFailed(ctx, mod.getXid(), refusal, head);
                } else {
                    apply(mod);
                }
            } else if (message instanceof OFFlowStatsRequest request) {
                flowStats(ctx, request);
            } else if (message instanceof OFRoleRequest request) {
                onRoleRequest(ctx, request, head);
            } else if (message instanceof OFGetConfigRequest) {
                ctx.writeAndFlush(OF.buildGetConfigReply().setXid(message.getXid()).setMissSendLen(0xffff).build());
            } else {
                badRequest(ctx, message.getXid(), OFBadRequestCode.BAD_TYPE, head, "message type " + message.getType());
            }
        }

        /** As Open vSwitch: NOCHANGE and EQUAL take no generation id; MASTER and SLAVE must not be stale. */
        private void onRoleRequest(ChannelHandlerContext ctx, OFRoleRequest request, byte[] head) {
            OFControllerRole wanted = request.getRole();
            if (wanted == OFControllerRole.ROLE_MASTER || wanted == OFControllerRole.ROLE_SLAVE) {
                long generation = request.getGenerationId().getValue();
                if (generationId != null && generation - generationId < 0) {
                    errorsSent++;
                    LOG.debug("simulated switch {}: stale generation {} (newest {})", spec.name(), generation, generationId);
                    ctx.writeAndFlush(OF.errorMsgs().buildRoleRequestFailedErrorMsg().setXid(request.getXid())
                            .setCode(OFRoleRequestFailedCode.STALE).setData(OFErrorCauseData.of(head, OF.getVersion()))
                            .build());
                    return;
                }
                generationId = generation;
            }
            if (wanted == OFControllerRole.ROLE_MASTER) {
                connections.stream().filter(c -> c != this && c.role == OFControllerRole.ROLE_MASTER)
                        .forEach(c -> c.role = OFControllerRole.ROLE_SLAVE);
                masteredAt = System.nanoTime();
            }
            if (wanted != OFControllerRole.ROLE_NOCHANGE) {
                role = wanted;
            }
            ctx.writeAndFlush(OF.buildRoleReply().setXid(request.getXid()).setRole(role)
                    .setGenerationId(U64.of(generationId == null ? 0 : generationId))
                    .build());
        }

        private void flowStats(ChannelHandlerContext ctx, OFFlowStatsRequest request) {
            List<OFFlowStatsEntry> entries = table.stats(request.getTableId().getValue(), request.getCookie().getValue(),
                    request.getCookieMask().getValue(), request.getMatch());
            int parts = Math.max(1, (entries.size() + ENTRIES_PER_PART - 1) / ENTRIES_PER_PART);
            for (int part = 0; part < parts; part++) {
                List<OFFlowStatsEntry> slice = entries.subList(part * ENTRIES_PER_PART,
                        Math.min(entries.size(), (part + 1) * ENTRIES_PER_PART));
                ctx.write(OF.buildFlowStatsReply().setXid(request.getXid()).setEntries(slice)
                        .setFlags(part + 1 < parts ? Set.of(OFStatsReplyFlags.REPLY_MORE) : Set.of()).build());
            }
            ctx.flush();
        }

        // ---- ONF bundles: what Open vSwitch does for OpenFlow 1.3 ------------------------------------------------------

        private void onBundleControl(ChannelHandlerContext ctx, SimMessage.BundleControl control) {
            if (role == OFControllerRole.ROLE_SLAVE) {
                badRequest(ctx, control.xid(), OFBadRequestCode.IS_SLAVE, control.head(), "a bundle control from a slave");
                return;
            }
            switch (control.type()) {
                case BUNDLE_OPEN -> {
                    if (bundles.putIfAbsent(control.bundleId(), new ArrayList<>()) != null) {
                        bundleFailed(ctx, control, "bundle " + control.bundleId() + " is open already");
                        return;
                    }
                    bundleReply(ctx, control);
                }
                case BUNDLE_CLOSE -> {
                    if (!bundles.containsKey(control.bundleId())) {
                        bundleFailed(ctx, control, "no bundle " + control.bundleId());
                        return;
                    }
                    bundleReply(ctx, control);
                }
                case BUNDLE_COMMIT -> commit(ctx, control);
                case BUNDLE_DISCARD -> {
                    bundles.remove(control.bundleId());
                    bundleReply(ctx, control);
                }
                default -> badRequest(ctx, control.xid(), OFBadRequestCode.BAD_EXPERIMENTER_TYPE, control.head(),
                        "bundle control type " + control.type());
            }
        }

        private void onBundleAdd(ChannelHandlerContext ctx, SimMessage.BundleAdd add) {
            if (role == OFControllerRole.ROLE_SLAVE) {
                badRequest(ctx, add.xid(), OFBadRequestCode.IS_SLAVE, add.head(), "a bundled message from a slave");
                return;
            }
            List<OFFlowMod> bundle = bundles.get(add.bundleId());
            if (bundle == null) {
                // Open vSwitch opens a bundle implicitly on its first message; so does the simulator
                bundle = new ArrayList<>();
                bundles.put(add.bundleId(), bundle);
            }
            if (!(add.inner() instanceof OFFlowMod mod)) {
                badRequest(ctx, add.xid(), OFBadRequestCode.BAD_TYPE, add.head(), "a bundled " + add.inner().getType()
                        + " (the simulator bundles flow-mods only)");
                bundles.remove(add.bundleId());
                return;
            }
            bundle.add(mod);
        }

        /** Applies the bundle's flow-mods all or none: each is checked before any is applied. */
        private void commit(ChannelHandlerContext ctx, SimMessage.BundleControl control) {
            List<OFFlowMod> mods = bundles.remove(control.bundleId());
            if (mods == null) {
                bundleFailed(ctx, control, "no bundle " + control.bundleId() + " to commit");
                return;
            }
            for (OFFlowMod mod : mods) {
                FlowTable.Refusal refusal = FlowTable.check(mod);
                if (refusal != null) {
                    flowModFailed(ctx, mod.getXid(), refusal, new byte[0]);
                    return;
                }
            }
            mods.forEach(SimulatedSwitch.this::apply);
            bundleReply(ctx, control);
        }

        private void bundleReply(ChannelHandlerContext ctx, SimMessage.BundleControl request) {
            ctx.writeAndFlush(new BundleControlReply(request.xid(), request.bundleId(), request.type() + 1, request.flags()));
        }

        /**
         * A bundle control the switch cannot follow (an unknown or already open bundle). Open vSwitch answers with an ONF
         * experimenter error, which OpenFlowJ-Loxi cannot build for OpenFlow 1.3: a BAD_REQUEST (BAD_EXPERIMENTER_TYPE)
         * stands in. A commit whose flow-mod fails is answered by that flow-mod's FLOW_MOD_FAILED alone.
         */
        private void bundleFailed(ChannelHandlerContext ctx, SimMessage.BundleControl control, String reason) {
            badRequest(ctx, control.xid(), OFBadRequestCode.BAD_EXPERIMENTER_TYPE, control.head(), reason);
        }

        private void badRequest(ChannelHandlerContext ctx, long xid, OFBadRequestCode code, byte[] head, String reason) {
            errorsSent++;
            LOG.debug("simulated switch {}: refused {}: {}", spec.name(), xid, reason);
            ctx.writeAndFlush(OF.errorMsgs().buildBadRequestErrorMsg().setXid(xid).setCode(code)
                    .setData(OFErrorCauseData.of(head, OF.getVersion())).build());
        }

        private void flowModFailed(ChannelHandlerContext ctx, long xid, FlowTable.Refusal refusal, byte[] head) {
            errorsSent++;
            LOG.debug("simulated switch {}: flow-mod {} refused: {}", spec.name(), xid, refusal.reason());
            ctx.writeAndFlush(OF.errorMsgs().buildFlowModFailedErrorMsg().setXid(xid).setCode(refusal.code())
                    .setData(OFErrorCauseData.of(head, OF.getVersion())).build());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            bundles.clear();
            connections.remove(this);
            described.completeExceptionally(new IllegalStateException("switch " + spec.name() + " was disconnected"));
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.warn("simulated switch {}: closing its connection: {}", spec.name(), cause.toString());
            ctx.close();
        }
    }

    /** A bundle control reply: the request's xid and bundle id, the reply type, the flags. */
    record BundleControlReply(long xid, long bundleId, int type, int flags) {
    }

    /** Loxi's messages and the bundle control replies to bytes. */
    static final class Encoder extends MessageToByteEncoder<Object> {
        @Override
        public boolean acceptOutboundMessage(Object msg) {
            return msg instanceof OFMessage || msg instanceof BundleControlReply;
        }

        @Override
        protected void encode(ChannelHandlerContext ctx, Object msg, ByteBuf out) {
            if (msg instanceof OFMessage message) {
                message.writeTo(out);
            } else if (msg instanceof BundleControlReply reply) {
                out.writeByte(4).writeByte(4).writeShort(24).writeInt((int) reply.xid());
                out.writeInt((int) SimFrameDecoder.ONF_EXPERIMENTER).writeInt(SimFrameDecoder.ET_BUNDLE_CONTROL);
                out.writeInt((int) reply.bundleId()).writeShort(reply.type()).writeShort(reply.flags());
            }
        }
    }
}
