package io.cutover.sdn.impl;

import io.cutover.sdn.Dpid;
import io.cutover.sdn.OpenFlowErrorException;
import io.cutover.sdn.SwitchUnavailableException;
import io.cutover.support.TokenBucket;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.ReadTimeoutException;
import org.projectfloodlight.openflow.protocol.OFBarrierReply;
import org.projectfloodlight.openflow.protocol.OFControllerRole;
import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFeaturesReply;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFFlowStatsReply;
import org.projectfloodlight.openflow.protocol.OFHello;
import org.projectfloodlight.openflow.protocol.OFHelloElem;
import org.projectfloodlight.openflow.protocol.OFHelloElemVersionbitmap;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFPacketIn;
import org.projectfloodlight.openflow.protocol.OFPortDesc;
import org.projectfloodlight.openflow.protocol.OFPortDescStatsReply;
import org.projectfloodlight.openflow.protocol.OFPortReason;
import org.projectfloodlight.openflow.protocol.OFPortStatus;
import org.projectfloodlight.openflow.protocol.OFRoleReply;
import org.projectfloodlight.openflow.protocol.OFStatsReplyFlags;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.types.OFBufferId;
import org.projectfloodlight.openflow.types.OFGroup;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U32;
import org.projectfloodlight.openflow.types.U64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One switch connection: the OpenFlow 1.3 handshake as a state machine, then requests matched to their answers by
 * xid. Flow-mods are confirmed by a barrier (or a bundle commit); an ERROR carrying their xid fails their future
 * with an {@link OpenFlowErrorException}. All exceptions of the connection are mapped to actions here, in
 * {@link #exceptionCaught}: log one line and close this session, never the controller.
 */
public final class SwitchSession extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(SwitchSession.class);
    /** The factory of every message the controller sends. */
    public static final OFFactory OF = OFFactories.getFactory(OFVersion.OF_13);
    private static final int OF13_WIRE = 4;
    /**
     * The packets a switch may send up in a second (and {@value #PACKET_IN_BURST} at once): those go to the
     * controller's thread (neighbour solicitations it answers); more are dropped here, counted, and the first of them
     * logged once. A guest that floods solicitations floods no controller.
     */
    static final int PACKET_INS_PER_SECOND = 500;
    static final int PACKET_IN_BURST = 200;

    /** The handshake and life of a session; each state says what it waits for. */
    public enum State {
        /** HELLO sent; waits for the switch's HELLO (its version bitmap must include 1.3), then asks FEATURES. */
        WAIT_HELLO,
        /** Waits for FEATURES_REPLY (the datapath id), then asks for the port descriptions. */
        WAIT_FEATURES_REPLY,
        /** Waits for the last PORT_DESC reply part, then the switch is ready. */
        WAIT_PORT_DESC,
        /** Ready: requests and flow-mods go through. */
        ACTIVE,
        /** The connection is gone. */
        CLOSED
    }

    private final SessionListener listener;
    private final TokenBucket packetIns = new TokenBucket(PACKET_INS_PER_SECOND, PACKET_IN_BURST);
    private final AtomicLong packetInsDropped = new AtomicLong();
    private final Duration requestTimeout;
    private final AtomicLong xids = new AtomicLong(1);
    private final Map<Long, Transaction> transactions = new ConcurrentHashMap<>();
    private final Map<Long, FlowDump> dumps = new ConcurrentHashMap<>();
    /** Role requests waiting for their reply, by xid. */
    private final Map<Long, CompletableFuture<OFControllerRole>> roleRequests = new ConcurrentHashMap<>();
    private final Map<String, Integer> ports = new ConcurrentHashMap<>();
    private final List<OFPortDesc> portDescs = new ArrayList<>();
    /** The controller's flows as believed to be on the switch; touched only by the controller's core thread. */
    final Map<FlowKey, FlowSpec> installed = new HashMap<>();
    /**
     * Completes once the switch has confirmed every change of {@link #installed} sent to it so far, failing if one of
     * those still in flight failed; touched only by the controller's core thread.
     */
    CompletableFuture<Void> unconfirmed = CompletableFuture.completedFuture(null);
    /**
     * Completes once the switch's turn in the commits under way came (their levels nearer their destinations are
     * confirmed, or failed): until then, no other change sends it its changed flows; core thread only.
     */
    CompletableFuture<Void> turn = CompletableFuture.completedFuture(null);
    volatile boolean bundles = true;
    private volatile State state = State.WAIT_HELLO;
    private volatile Channel channel;
    private volatile long dpid;
    private volatile String name;

    public SwitchSession(SessionListener listener, Duration requestTimeout, boolean bundles) {
        this.listener = listener;
        this.requestTimeout = requestTimeout;
        this.bundles = bundles;
    }

    public State state() {
        return state;
    }

    /** The name of the switch's LOCAL port (the bridge's name: a label, not unique), or {@code null} before it is known. */
    public String name() {
        return name;
    }

    /** The switch's datapath id (its key), known from FEATURES_REPLY on. */
    public Dpid dpid() {
        return Dpid.of(dpid);
    }

    /** The switch for a log line: its datapath id and, once known, its bridge's name. */
    public String label() {
        return name == null ? dpid().toString() : dpid() + " (" + name + ")";
    }

    /** The certificate the switch presented over TLS, or {@code null} (plain TCP, or none). */
    public java.security.cert.X509Certificate peerCertificate() {
        Channel ch = channel;
        io.netty.handler.ssl.SslHandler tls = ch == null ? null : ch.pipeline().get(io.netty.handler.ssl.SslHandler.class);
        if (tls == null) {
            return null;
        }
        try {
            java.security.cert.Certificate[] chain = tls.engine().getSession().getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof java.security.cert.X509Certificate leaf ? leaf : null;
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            return null;
        }
    }

    /** The switch's address, or {@code null} before the connection is up. */
    public java.net.SocketAddress remoteAddress() {
        Channel ch = channel;
        return ch == null ? null : ch.remoteAddress();
    }

    /** Port names to numbers, as the switch reported them. */
    public Map<String, Integer> ports() {
        return Map.copyOf(ports);
    }

    public boolean active() {
        return state == State.ACTIVE;
    }

    long nextXid() {
        return xids.getAndIncrement() & 0xFFFFFFFFL;
    }

    // ---- handshake --------------------------------------------------------------------------------------------

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        OFHelloElem bitmap = OF.buildHelloElemVersionbitmap().setBitmaps(List.of(U32.of(1L << OF13_WIRE))).build();
        ctx.writeAndFlush(OF.buildHello().setXid(nextXid()).setElements(List.of(bitmap)).build());
        state = State.WAIT_HELLO;
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof OnfBundleMessage.Control control) {
            completeFinal(control.xid());
            return;
        }
        if (msg instanceof OnfRoleStatus status) {
            if (status.slave()) {
                listener.deposed(this, status.generation());
            }
            return;
        }
        if (!(msg instanceof OFMessage message)) {
            return;
        }
        if (message instanceof OFErrorMsg error) {
            onError(ctx, error);
            return;
        }
        switch (state) {
            case WAIT_HELLO -> onHello(ctx, message);
            case WAIT_FEATURES_REPLY -> onFeatures(ctx, message);
            case WAIT_PORT_DESC -> onPortDesc(ctx, message);
            case ACTIVE -> onActive(message);
            case CLOSED -> {
            }
        }
    }

    private void onHello(ChannelHandlerContext ctx, OFMessage message) {
        if (!(message instanceof OFHello hello)) {
            protocolError(ctx, "expected HELLO, got " + message.getType());
            return;
        }
        if (!speaksOf13(hello)) {
            protocolError(ctx, "the switch does not speak OpenFlow 1.3 (its HELLO is " + hello.getVersion() + ")");
            return;
        }
        state = State.WAIT_FEATURES_REPLY;
        ctx.writeAndFlush(OF.buildFeaturesRequest().setXid(nextXid()).build());
    }

    private static boolean speaksOf13(OFHello hello) {
        for (OFHelloElem element : hello.getElements()) {
            if (element instanceof OFHelloElemVersionbitmap bitmap) {
                List<U32> words = bitmap.getBitmaps();
                return !words.isEmpty() && (words.get(0).getValue() & (1L << OF13_WIRE)) != 0;
            }
        }
        return hello.getVersion() == OFVersion.OF_13 || hello.getVersion().compareTo(OFVersion.OF_13) > 0;
    }

    private void onFeatures(ChannelHandlerContext ctx, OFMessage message) {
        if (!(message instanceof OFFeaturesReply features)) {
            protocolError(ctx, "expected FEATURES_REPLY, got " + message.getType());
            return;
        }
        dpid = features.getDatapathId().getLong();
        state = State.WAIT_PORT_DESC;
        ctx.writeAndFlush(OF.buildPortDescStatsRequest().setXid(nextXid()).build());
    }

    private void onPortDesc(ChannelHandlerContext ctx, OFMessage message) {
        if (!(message instanceof OFPortDescStatsReply reply)) {
            return; // a PORT_STATUS may come first; the description that follows covers it
        }
        portDescs.addAll(reply.getEntries());
        if (reply.getFlags().contains(OFStatsReplyFlags.REPLY_MORE)) {
            return;
        }
        for (OFPortDesc desc : portDescs) {
            if (desc.getPortNo().equals(OFPort.LOCAL)) {
                name = desc.getName();
            } else {
                ports.put(desc.getName(), desc.getPortNo().getPortNumber());
            }
        }
        portDescs.clear();
        state = State.ACTIVE;
        if (ctx.pipeline().get(OpenFlowServer.HANDSHAKE_TIMEOUT) != null) {
            ctx.pipeline().remove(OpenFlowServer.HANDSHAKE_TIMEOUT);
        }
        listener.ready(this);
    }

    /** The packets this switch sent up beyond its rate, dropped before the controller's thread saw them. */
    long packetInsDropped() {
        return packetInsDropped.get();
    }

    private void protocolError(ChannelHandlerContext ctx, String reason) {
        LOG.warn("closing switch connection {}: {}", ctx.channel().remoteAddress(), reason);
        ctx.close();
    }

    // ---- active -----------------------------------------------------------------------------------------------

    private void onActive(OFMessage message) {
        if (message instanceof OFBarrierReply) {
            completeFinal(message.getXid());
        } else if (message instanceof OFFlowStatsReply reply) {
            FlowDump dump = dumps.get(reply.getXid());
            if (dump != null) {
                dump.entries.addAll(reply.getEntries());
                if (!reply.getFlags().contains(OFStatsReplyFlags.REPLY_MORE)) {
                    dumps.remove(reply.getXid());
                    dump.future.complete(List.copyOf(dump.entries));
                }
            }
        } else if (message instanceof OFPacketIn packetIn) {
            if (packetIns.tryTake(System.nanoTime())) {
                listener.packetIn(this, packetIn);
            } else {
                listener.packetInDropped(this);
                if (packetInsDropped.getAndIncrement() == 0) {
                    LOG.warn("switch {} sends more than {} packets a second to the controller: the rest are dropped "
                            + "and counted (cutover.sdn.packets.limited)", label(), PACKET_INS_PER_SECOND);
                }
            }
        } else if (message instanceof OFRoleReply reply) {
            CompletableFuture<OFControllerRole> request = roleRequests.remove(reply.getXid());
            if (request != null) {
                request.complete(reply.getRole());
            }
        } else if (message instanceof OFPortStatus status) {
            OFPortDesc desc = status.getDesc();
            if (desc.getPortNo().equals(OFPort.LOCAL)) {
                return;
            }
            boolean deleted = status.getReason() == OFPortReason.DELETE;
            if (deleted) {
                ports.remove(desc.getName(), desc.getPortNo().getPortNumber());
            } else {
                ports.put(desc.getName(), desc.getPortNo().getPortNumber());
            }
            listener.portChanged(this, desc.getName(), desc.getPortNo().getPortNumber(), deleted);
        }
    }

    private void onError(ChannelHandlerContext ctx, OFErrorMsg error) {
        if (state != State.ACTIVE) {
            // type and code only: the error's own text would print its data, up to 64 KiB of the switch's bytes
            protocolError(ctx, "error during the handshake: " + error.getErrType() + " " + ErrorCodes.code(error));
            return;
        }
        long xid = error.getXid();
        OpenFlowErrorException failure = new OpenFlowErrorException(dpid(), xid, error.getErrType().toString(),
                ErrorCodes.code(error));
        Transaction tx = transactions.get(xid);
        if (tx != null) {
            finish(tx, failure);
            return;
        }
        FlowDump dump = dumps.remove(xid);
        if (dump != null) {
            dump.future.completeExceptionally(failure);
            return;
        }
        CompletableFuture<OFControllerRole> roleRequest = roleRequests.remove(xid);
        if (roleRequest != null) {
            roleRequest.completeExceptionally(failure);
            return;
        }
        LOG.warn("switch {}: error for unknown xid {}: {}", label(), xid, failure.getMessage());
    }

    private void completeFinal(long xid) {
        Transaction tx = transactions.get(xid);
        if (tx != null && tx.finalXid == xid) {
            finish(tx, null);
        }
    }

    private void finish(Transaction tx, Throwable failure) {
        for (long xid : tx.xids) {
            transactions.remove(xid);
        }
        if (failure == null) {
            tx.future.complete(null);
        } else {
            tx.future.completeExceptionally(failure);
        }
    }

    // ---- requests ---------------------------------------------------------------------------------------------

    /**
     * Sends flow-mods in order and a barrier; completes when the barrier is answered, or fails with the first
     * ERROR that names one of them.
     */
    public CompletableFuture<Void> sendOrdered(List<OFFlowMod> mods) {
        List<Object> messages = new ArrayList<>(mods.size() + 1);
        long[] xids = new long[mods.size() + 1];
        for (int i = 0; i < mods.size(); i++) {
            OFFlowMod mod = mods.get(i).createBuilder().setXid(nextXid()).build();
            xids[i] = mod.getXid();
            messages.add(mod);
        }
        long barrier = nextXid();
        xids[mods.size()] = barrier;
        messages.add(OF.buildBarrierRequest().setXid(barrier).build());
        return transact(messages, xids, barrier, "barrier");
    }

    /**
     * Sends flow-mods as one atomic, ordered ONF bundle; completes when the commit is answered, or fails with the
     * first ERROR that names one of them (then the switch discards the whole bundle).
     */
    public CompletableFuture<Void> sendBundle(List<OFFlowMod> mods) {
        long bundleId = nextXid();
        List<Object> messages = new ArrayList<>(mods.size() + 2);
        long[] xids = new long[mods.size() + 2];
        long open = nextXid();
        xids[0] = open;
        messages.add(new OnfBundleMessage.Control(open, bundleId, OnfBundleMessage.ControlType.OPEN_REQUEST,
                OnfBundleMessage.FLAGS_ATOMIC_ORDERED));
        for (int i = 0; i < mods.size(); i++) {
            OFFlowMod mod = mods.get(i).createBuilder().setXid(nextXid()).build();
            xids[i + 1] = mod.getXid();
            messages.add(new OnfBundleMessage.Add(bundleId, OnfBundleMessage.FLAGS_ATOMIC_ORDERED, mod));
        }
        long commit = nextXid();
        xids[mods.size() + 1] = commit;
        messages.add(new OnfBundleMessage.Control(commit, bundleId, OnfBundleMessage.ControlType.COMMIT_REQUEST,
                OnfBundleMessage.FLAGS_ATOMIC_ORDERED));
        return transact(messages, xids, commit, "bundle commit");
    }

    /**
     * Sends each of {@code frames} into the switch's pipeline as if it had arrived on port {@code inPort} (a packet-out
     * whose action is {@code output:TABLE}), then a barrier; completes when the barrier is answered, or fails with the
     * first ERROR that names one of them.
     */
    public CompletableFuture<Void> sendPacketsIn(int inPort, List<byte[]> frames) {
        List<Object> messages = new ArrayList<>(frames.size() + 1);
        long[] xids = new long[frames.size() + 1];
        for (int i = 0; i < frames.size(); i++) {
            xids[i] = nextXid();
            messages.add(OF.buildPacketOut().setXid(xids[i]).setBufferId(OFBufferId.NO_BUFFER)
                    .setInPort(OFPort.of(inPort)).setActions(List.of(OF.actions().output(OFPort.TABLE, 0)))
                    .setData(frames.get(i)).build());
        }
        long barrier = nextXid();
        xids[frames.size()] = barrier;
        messages.add(OF.buildBarrierRequest().setXid(barrier).build());
        return transact(messages, xids, barrier, "barrier");
    }

    /** Sends {@code frame} out of port {@code port} (a packet-out from the controller), unconfirmed. */
    public void sendPacketOut(int port, byte[] frame) {
        Channel ch = channel;
        if (!active() || ch == null) {
            return;
        }
        ch.writeAndFlush(OF.buildPacketOut().setXid(nextXid()).setBufferId(OFBufferId.NO_BUFFER)
                .setInPort(OFPort.CONTROLLER).setActions(List.of(OF.actions().output(OFPort.of(port), 0)))
                .setData(frame).build());
    }

    /** Reads the switch's flows whose cookie matches {@code cookie} under {@code mask}, from every table. */
    public CompletableFuture<List<OFFlowStatsEntry>> dumpFlows(long cookie, long mask) {
        CompletableFuture<List<OFFlowStatsEntry>> future = new CompletableFuture<>();
        Channel ch = channel;
        if (!active() || ch == null) {
            future.completeExceptionally(new SwitchUnavailableException(dpid(), "not connected"));
            return future;
        }
        long xid = nextXid();
        dumps.put(xid, new FlowDump(future));
        ch.writeAndFlush(OF.buildFlowStatsRequest().setXid(xid).setTableId(TableId.ALL).setOutPort(OFPort.ANY)
                .setOutGroup(OFGroup.ANY).setCookie(U64.of(cookie)).setCookieMask(U64.of(mask))
                .setMatch(OF.buildMatch().build()).build());
        ch.eventLoop().schedule(() -> {
            if (dumps.remove(xid) != null) {
                future.completeExceptionally(new SwitchUnavailableException(dpid(),
                        "no flow statistics reply to xid " + xid + " within " + requestTimeout.toMillis() + " ms"));
            }
        }, requestTimeout.toNanos(), TimeUnit.NANOSECONDS);
        return future;
    }

    /**
     * Asks the switch to take this connection's controller as {@code role} (OpenFlow 1.3 role request): the switch
     * refuses a master or slave request whose {@code generationId} is older than the newest it has seen (a
     * {@code ROLE_REQUEST_FAILED STALE} error, which fails the future), makes the previous master a slave when another
     * connection becomes master, and refuses a slave's writes ({@code BAD_REQUEST IS_SLAVE}). Completes with the role
     * the switch answers.
     */
    public CompletableFuture<OFControllerRole> requestRole(OFControllerRole role, long generationId) {
        CompletableFuture<OFControllerRole> future = new CompletableFuture<>();
        Channel ch = channel;
        if (!active() || ch == null) {
            future.completeExceptionally(new SwitchUnavailableException(dpid(), "not connected"));
            return future;
        }
        long xid = nextXid();
        roleRequests.put(xid, future);
        ch.writeAndFlush(OF.buildRoleRequest().setXid(xid).setRole(role).setGenerationId(U64.of(generationId)).build());
        ch.eventLoop().schedule(() -> {
            if (roleRequests.remove(xid) != null) {
                future.completeExceptionally(new SwitchUnavailableException(dpid(),
                        "no role reply to xid " + xid + " within " + requestTimeout.toMillis() + " ms"));
            }
        }, requestTimeout.toNanos(), TimeUnit.NANOSECONDS);
        return future;
    }

    private CompletableFuture<Void> transact(List<Object> messages, long[] xids, long finalXid, String what) {
        Transaction tx = new Transaction(xids, finalXid);
        Channel ch = channel;
        if (!active() || ch == null) {
            tx.future.completeExceptionally(new SwitchUnavailableException(dpid(), "not connected"));
            return tx.future;
        }
        for (long xid : xids) {
            transactions.put(xid, tx);
        }
        ch.eventLoop().execute(() -> {
            if (!ch.isActive()) {
                finish(tx, new SwitchUnavailableException(dpid(), "disconnected before " + what));
                return;
            }
            for (Object message : messages) {
                ch.write(message, ch.voidPromise());
            }
            ch.flush();
            ch.eventLoop().schedule(() -> {
                if (!tx.future.isDone()) {
                    finish(tx, new SwitchUnavailableException(dpid(), "no " + what + " reply to xid " + finalXid
                            + " within " + requestTimeout.toMillis() + " ms"));
                }
            }, requestTimeout.toNanos(), TimeUnit.NANOSECONDS);
        });
        return tx.future;
    }

    // ---- errors and close -------------------------------------------------------------------------------------

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        String peer = String.valueOf(ctx.channel().remoteAddress());
        if (cause instanceof DecoderException) {
            LOG.warn("closing switch connection {} ({}): malformed frame: {}", label(), peer,
                    cause.getCause() != null && cause.getMessage() == null ? cause.getCause().getMessage()
                            : cause.getMessage());
        } else if (cause instanceof HandshakeTimeoutHandler.HandshakeTimeoutException) {
            LOG.warn("closing switch connection {}: {} (in state {})", peer, cause.getMessage(), state);
        } else if (cause instanceof ReadTimeoutException) {
            LOG.warn("closing switch connection {} ({}): no message within the keepalive time", label(), peer);
        } else if (cause instanceof IOException) {
            LOG.info("switch connection {} ({}) lost: {}", label(), peer, cause.getMessage());
        } else {
            LOG.warn("closing switch connection {} ({}): {}", label(), peer, cause.toString());
        }
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        state = State.CLOSED;
        SwitchUnavailableException gone = new SwitchUnavailableException(dpid(), "disconnected");
        for (Transaction tx : List.copyOf(transactions.values())) {
            finish(tx, gone);
        }
        for (FlowDump dump : List.copyOf(dumps.values())) {
            dump.future.completeExceptionally(gone);
        }
        dumps.clear();
        roleRequests.values().forEach(request -> request.completeExceptionally(gone));
        roleRequests.clear();
        listener.closed(this);
        ctx.fireChannelInactive();
    }

    /** Closes the connection. */
    public void close() {
        Channel ch = channel;
        if (ch != null) {
            ch.close();
        }
    }

    private static final class Transaction {
        final long[] xids;
        final long finalXid;
        final CompletableFuture<Void> future = new CompletableFuture<>();

        Transaction(long[] xids, long finalXid) {
            this.xids = xids;
            this.finalXid = finalXid;
        }
    }

    private static final class FlowDump {
        final CompletableFuture<List<OFFlowStatsEntry>> future;
        final List<OFFlowStatsEntry> entries = new ArrayList<>();

        FlowDump(CompletableFuture<List<OFFlowStatsEntry>> future) {
            this.future = future;
        }
    }
}
