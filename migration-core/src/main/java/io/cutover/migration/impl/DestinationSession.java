package io.cutover.migration.impl;

import io.cutover.api.CutoverListener;
import io.cutover.api.CutoverStage;
import io.cutover.migration.Guest;
import io.cutover.migration.GuestAllocator;
import io.cutover.migration.IncomingMigration;
import io.cutover.migration.Refusal;
import io.cutover.migration.transport.Frame;
import io.cutover.migration.transport.FrameType;
import io.cutover.migration.transport.Frames;
import io.cutover.migration.transport.Hello;
import io.cutover.migration.transport.MigrationProtocolException;
import io.cutover.migration.transport.Resolve;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * One incoming migration at the destination, as a state machine whose states say what they wait for.
 * Pages are applied as they arrive and the whole-memory digest is kept up to date. VERIFIED is the commit:
 * the guest resumes right after it (the source's ACTIVATE, which follows, has nothing left to decide); before
 * it, anything else — ABORT, a protocol error, the connection lost, the source asking after losing it —
 * discards the reserved guest. Post-copy still waits for ACTIVATE (the source then starts pushing pages).
 *
 * <p>Nothing is reserved for a connection until its HELLO is admitted ({@link Admissions}): until then anything
 * wrong is a refusal — counted, logged on one line, answered ABORT — and no migration ends. A RESOLVE is answered
 * only when it presents the secret its migration was admitted with.
 */
final class DestinationSession extends ChannelInboundHandlerAdapter {
    /** The most pages written to the guest at once (1 MiB of 4 KiB pages; Linux takes 1,024 buffers a write). */
    private static final int RUN_PAGES = 256;
    private static final Logger LOG = LoggerFactory.getLogger(DestinationSession.class);

    enum State {
        /** Waiting for HELLO, then reserving the guest. */
        WAIT_HELLO,
        /** Applying pages and the device state until COMMIT_REQUEST. */
        RECEIVING,
        /** VERIFIED sent: waiting for ACTIVATE. */
        WAIT_ACTIVATE,
        /** Post-copy: the guest runs here; missing pages arrive, pushed or on request, until POSTCOPY_END. */
        POST_COPY,
        /** The guest runs here. */
        ACTIVE,
        /** The migration was abandoned and the guest freed. */
        DISCARDED
    }

    private final GuestAllocator allocator;
    private final Sessions sessions;
    private final Admissions admissions;
    private final List<CutoverListener> listeners;
    private final Consumer<IncomingMigration> onEnd;
    private final long startNanos = System.nanoTime();
    private State state = State.WAIT_HELLO;
    private Hello hello;
    private Guest guest;
    private EventDispatcher events;
    private PageDigest digestOf;
    private int[] pageCrc;
    private long digest;
    private byte[] deviceState;
    private long bytes;
    private long pages;
    private LZ4SafeDecompressor lz4;
    /** Whole pages received and not written yet: written at the end of each read, or before any other frame. */
    private final PageRun run = new PageRun(RUN_PAGES);
    private long[] missing;
    private long missingCount;
    private io.netty.channel.Channel channel;
    private final java.util.concurrent.atomic.AtomicLong faults = new java.util.concurrent.atomic.AtomicLong();
    /** Multifd: the connections (0 the control one), their last sync points, a commit waiting for them. */
    private MultifdConnections multifd;
    private Frame pendingCommit;
    private ChannelHandlerContext control;
    /** The hash of the secret this migration was admitted with; {@code null} until admitted. */
    private String key;
    /** The guest bytes counted as pending in {@link Admissions} until activation or discard, or -1. */
    private long pendingBytes = -1;
    private InetAddress peer;
    private String peerName = "?";

    /**
     * @param sessions the target's migrations, for data connections to join and sources to ask about
     */
    DestinationSession(GuestAllocator allocator, Sessions sessions, Admissions admissions,
                       List<CutoverListener> listeners, Consumer<IncomingMigration> onEnd) {
        this.allocator = allocator;
        this.sessions = sessions;
        this.admissions = admissions;
        this.listeners = listeners;
        this.onEnd = onEnd;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().remoteAddress() instanceof InetSocketAddress remote) {
            peer = remote.getAddress();
            peerName = remote.getAddress().getHostAddress() + ":" + remote.getPort();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (state == State.DISCARDED || state == State.ACTIVE) {
                return;
            }
            if (msg instanceof Hello h) {
                reserve(ctx, h);
            } else if (state == State.WAIT_HELLO && ((Frame) msg).type() == FrameType.RESOLVE) {
                answerResolve(ctx, (Frame) msg);
            } else {
                Frame frame = (Frame) msg;
                bytes += Frames.HEADER_BYTES + frame.content().readableBytes();
                writeRunBefore(frame);
                handle(ctx, frame);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void reserve(ChannelHandlerContext ctx, Hello h) {
        if (h.channel() > 0) {
            joinAsData(ctx, h);
            return;
        }
        if (sessions.get(h.migrationId()) != null) {
            refuse(ctx, Refusal.BUSY, "migration " + h.migrationId() + " is already in progress here");
            return;
        }
        long guestBytes = h.pageCount() * h.pageSize();
        try {
            key = admissions.admit(h.secret(), guestBytes, peer);
        } catch (Admissions.Refused r) {
            refuse(ctx, r.reason, r.getMessage());
            return;
        }
        pendingBytes = guestBytes;
        sessions.add(h.migrationId(), this);
        hello = h;
        channel = ctx.channel();
        control = ctx;
        long t0 = System.nanoTime();
        events = new EventDispatcher(h.migrationId(), listeners);
        try {
            guest = allocator.allocate(h.descriptor(), h.pageCount(), h.pageSize());
        } catch (RuntimeException e) {
            sessions.remove(h.migrationId(), this);
            reject(ctx, "cannot reserve the guest: " + e.getMessage());
            return;
        }
        digestOf = new PageDigest(h.pageSize());
        pageCrc = new int[Math.toIntExact(h.pageCount())];
        java.util.Arrays.fill(pageCrc, digestOf.zeroCrc());
        digest = digestOf.zeroDigest(h.pageCount());
        if (h.channels() > 1) {
            multifd = new MultifdConnections(ctx.channel(), h.channels());
        }
        state = State.RECEIVING;
        ctx.writeAndFlush(Frame.of(FrameType.RESERVED, h.pageCount()));
        events.emit(CutoverStage.RESERVED);
        LOG.info("{}: reserved {} pages of {} bytes for {} in {} ms", h.migrationId(), h.pageCount(), h.pageSize(),
                h.descriptor(), (System.nanoTime() - t0) / 1_000_000);
    }

    /** A data connection's HELLO: it joins its migration's session, or is turned away. */
    private void joinAsData(ChannelHandlerContext ctx, Hello h) {
        DestinationSession owner = sessions.get(h.migrationId());
        if (owner == null || !Admissions.matches(owner.key, h.secret())) {
            refuse(ctx, Refusal.UNEXPECTED, "no migration " + h.migrationId() + " over several connections here");
            return;
        }
        String problem = owner.join(ctx.channel(), h);
        if (problem != null) {
            refuse(ctx, Refusal.NOT_A_MIGRATION, problem);
            return;
        }
        state = State.DISCARDED;
        ctx.pipeline().replace(this, "data", new DataChannelHandler(owner, h.channel()));
    }

    /**
     * A source that lost its connection asks what was decided (on a connection of its own). An uncommitted
     * migration is discarded now, so the source may resume; a committed one activates now if it had not.
     */
    private void answerResolve(ChannelHandlerContext ctx, Frame frame) {
        Resolve ask;
        try {
            ask = Resolve.read(frame.content());
        } catch (MigrationProtocolException e) {
            refuse(ctx, Refusal.NOT_A_MIGRATION, "protocol error: " + e.getMessage());
            return;
        }
        String migrationId = ask.migrationId();
        DestinationSession session = sessions.get(migrationId);
        String admittedWith = session != null ? session.key : sessions.committedKey(migrationId);
        if (admittedWith != null && !Admissions.matches(admittedWith, ask.secret())) {
            refuse(ctx, Refusal.RESOLVE_REFUSED, "RESOLVE for " + migrationId + " without its secret: nothing decided");
            return;
        }
        state = State.DISCARDED;
        boolean committed = session != null ? session.decideForLostSource() : admittedWith != null;
        LOG.info("{}: the source asked for the outcome: {}", migrationId, committed ? "committed" : "not committed");
        ctx.writeAndFlush(Frame.of(FrameType.RESOLVED, committed ? 1 : 0)).addListener(ChannelFutureListener.CLOSE);
    }

    private boolean decideForLostSource() {
        switch (state) {
            case ACTIVE, POST_COPY -> {
                return true;
            }
            case WAIT_ACTIVATE -> {
                if (missing == null) {
                    activate(control, "the source lost its connection after the commit");
                    return true;
                }
                discard(control, "the source lost its connection before post-copy began", false);
                return false;
            }
            default -> {
                discard(control, "the source lost its connection before the commit", false);
                return false;
            }
        }
    }

    /** Accepts a data connection; returns why not, or {@code null}. */
    private String join(io.netty.channel.Channel data, Hello h) {
        if (state != State.RECEIVING || multifd == null) {
            return "migration " + h.migrationId() + " takes no connections in state " + state;
        }
        if (h.channels() != hello.channels() || h.pageSize() != hello.pageSize() || h.pageCount() != hello.pageCount()) {
            return "data connection " + h.channel() + " does not match the migration's HELLO";
        }
        return multifd.join(data, h.channel());
    }

    /** A frame of data connection {@code index} (on this session's event loop). */
    void dataFrame(int index, Frame frame) {
        if (state == State.DISCARDED || state == State.ACTIVE) {
            return;
        }
        bytes += Frames.HEADER_BYTES + frame.content().readableBytes();
        try {
            writeRunBefore(frame);
            switch (frame.type()) {
                case PAGE -> {
                    expect(State.RECEIVING, frame);
                    checkChannel(index, frame.arg());
                    applyPage(frame);
                }
                case SYNC -> sync(index, frame.arg());
                case ABORT -> discard(control, "the source aborted: " + frame.text(), false);
                default -> throw new MigrationProtocolException("data connection " + index + ": unexpected "
                        + frame.type());
            }
        } catch (MigrationProtocolException e) {
            discard(control, "protocol error: " + e.getMessage(), true);
        }
    }

    /** The end of a read on a connection of this session: the pages it brought are written to the guest. */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        writeRun();
        ctx.fireChannelReadComplete();
    }

    /** Writes the pages held in the run, so that the guest holds every page received (on this session's event loop). */
    void writeRun() {
        if (state == State.RECEIVING) {
            try {
                run.writeTo(guest);
            } catch (RuntimeException e) {
                discard(control, "cannot write the guest's memory: " + e.getMessage(), true);
            }
        } else {
            run.clear();
        }
    }

    /** Only whole pages may wait in the run: everything else sees (or changes) the guest after them. */
    private void writeRunBefore(Frame frame) {
        if (frame.type() != FrameType.PAGE
                || (frame.flags() != Frames.PAGE_RAW && frame.flags() != Frames.PAGE_ZERO)) {
            writeRun();
        }
    }

    /** Data connection {@code index} closed or failed: the migration cannot complete without its pages. */
    void dataChannelLost(int index, String reason) {
        if (state == State.RECEIVING) {
            discard(control, reason, true);
        }
    }

    private void checkChannel(int index, long page) {
        if (multifd != null) {
            multifd.checkPage(index, page);
        }
    }

    private void sync(int index, long point) {
        if (multifd == null) {
            throw new MigrationProtocolException("SYNC in a migration over one connection");
        }
        multifd.sync(index, point);
        if (pendingCommit != null && multifd.allSynced()) {
            Frame commit = pendingCommit;
            pendingCommit = null;
            try {
                verify(control, commit);
            } finally {
                commit.release();
            }
        }
    }

    private int connections() {
        return multifd != null ? multifd.joined() : hello == null ? 0 : 1;
    }

    private void handle(ChannelHandlerContext ctx, Frame frame) {
        if (pendingCommit != null && frame.type() != FrameType.ABORT) {
            throw new MigrationProtocolException(frame.type() + " after COMMIT_REQUEST");
        }
        switch (frame.type()) {
            case PAGE -> {
                if (state == State.POST_COPY) {
                    applyMissingPage(ctx, frame);
                } else {
                    expect(State.RECEIVING, frame);
                    checkChannel(0, frame.arg());
                    applyPage(frame);
                }
            }
            case SYNC -> {
                expect(State.RECEIVING, frame);
                sync(0, frame.arg());
            }
            case MISSING -> {
                expect(State.RECEIVING, frame);
                if (missing == null) {
                    missing = new long[(int) ((hello.pageCount() + 63) >>> 6)];
                }
                ByteBuf words = frame.content();
                for (int w = (int) frame.arg(); words.isReadable(); w++) {
                    missing[w] |= words.readLong();
                }
            }
            case POSTCOPY_START -> {
                expect(State.RECEIVING, frame);
                startPostCopy(ctx, frame.arg());
            }
            case POSTCOPY_END -> {
                expect(State.POST_COPY, frame);
                endPostCopy(ctx, frame.arg());
            }
            case ROUND -> expect(State.RECEIVING, frame);
            case DEVICE_STATE -> {
                expect(State.RECEIVING, frame);
                ByteBuf c = frame.content();
                deviceState = new byte[c.readableBytes()];
                c.readBytes(deviceState);
            }
            case COMMIT_REQUEST -> {
                expect(State.RECEIVING, frame);
                if (multifd != null && !multifd.allSynced()) {
                    pendingCommit = (Frame) frame.retain();
                } else {
                    verify(ctx, frame);
                }
            }
            case ACTIVATE -> {
                expect(State.WAIT_ACTIVATE, frame);
                activate(ctx, null);
            }
            case ABORT -> {
                if (state == State.POST_COPY) {
                    lose(ctx, "the source aborted: " + frame.text());
                } else {
                    discard(ctx, "the source aborted: " + frame.text(), false);
                }
            }
            default -> throw new MigrationProtocolException("unexpected " + frame.type());
        }
    }

    private void expect(State expected, Frame frame) {
        if (state != expected) {
            throw new MigrationProtocolException(frame.type() + " in state " + state);
        }
    }

    private void applyPage(Frame frame) {
        long index = frame.arg();
        ByteBuf payload = frame.content();
        int crc;
        if (frame.flags() == Frames.PAGE_RAW || frame.flags() == Frames.PAGE_ZERO) {
            // a whole page: written as such, so the guest need not map it in (see Guest.writePage), with the pages
            // after it in one write while the migration receives (in post-copy, the guest waits for it now)
            boolean zero = frame.flags() == Frames.PAGE_ZERO;
            ByteBuffer page = zero ? digestOf.zeroPage() : payload.nioBuffer(payload.readerIndex(), payload.readableBytes());
            crc = zero ? digestOf.zeroCrc() : digestOf.checksum(page.duplicate());
            if (state != State.RECEIVING) {
                guest.writePage(index, page);
            } else if (!run.add(index, page, zero ? null : payload)) {
                run.writeTo(guest);
                run.add(index, page, zero ? null : payload);
            }
            record(index, crc);
            return;
        }
        ByteBuffer view = guest.pageView(index);
        switch (frame.flags()) {
            case Frames.PAGE_XBZRLE -> {
                try {
                    io.cutover.migration.transport.XorDelta.decode(payload, view);
                } catch (MigrationProtocolException e) {
                    throw new MigrationProtocolException("PAGE " + index + ": " + e.getMessage());
                }
                crc = digestOf.checksum(view.position(0));
            }
            default -> {
                if (lz4 == null) {
                    lz4 = LZ4Factory.fastestInstance().safeDecompressor();
                }
                ByteBuffer src = payload.nioBuffer();
                int n;
                try {
                    n = lz4.decompress(src, src.position(), src.remaining(), view, 0, view.capacity());
                } catch (LZ4Exception e) {
                    throw new MigrationProtocolException("PAGE " + index + ": bad LZ4 data: " + e.getMessage());
                }
                if (n != view.capacity()) {
                    throw new MigrationProtocolException("PAGE " + index + ": LZ4 data gives " + n + " bytes, not "
                            + view.capacity());
                }
                crc = digestOf.checksum(view.position(0));
            }
        }
        record(index, crc);
    }

    private void record(long index, int crc) {
        int i = (int) index;
        digest += PageDigest.term(index, crc) - PageDigest.term(index, pageCrc[i]);
        pageCrc[i] = crc;
        pages++;
    }

    private void startPostCopy(ChannelHandlerContext ctx, long count) {
        if (multifd != null) {
            reject(ctx, "post-copy runs over one connection");
            return;
        }
        if (deviceState == null) {
            reject(ctx, "POSTCOPY_START without the device state");
            return;
        }
        if (!guest.supportsPostCopy()) {
            reject(ctx, "this guest cannot run with missing pages: post-copy refused");
            return;
        }
        long[] m = missing == null ? new long[(int) ((hello.pageCount() + 63) >>> 6)] : missing;
        long n = 0;
        for (long w : m) {
            n += Long.bitCount(w);
        }
        if (n != count) {
            reject(ctx, "POSTCOPY_START announces " + count + " missing pages, the bitmap has " + n);
            return;
        }
        missing = m;
        missingCount = n;
        try {
            guest.loadState(deviceState);
        } catch (RuntimeException e) {
            reject(ctx, "the device state does not load: " + e.getMessage());
            return;
        }
        guest.expectPages(m, this::requestPage);
        state = State.WAIT_ACTIVATE;
        ctx.writeAndFlush(Frame.of(FrameType.VERIFIED, 0));
        events.emit(CutoverStage.COMMITTED);
    }

    /** Called by the guest (on its own thread) when it touches a missing page. */
    private void requestPage(long page) {
        faults.incrementAndGet();
        channel.writeAndFlush(Frame.of(FrameType.PAGE_REQUEST, page));
    }

    private void applyMissingPage(ChannelHandlerContext ctx, Frame frame) {
        long index = frame.arg();
        int w = (int) (index >>> 6);
        long bit = 1L << index;
        if ((missing[w] & bit) == 0) {
            return;
        }
        applyPage(frame);
        missing[w] &= ~bit;
        missingCount--;
        guest.pageArrived(index);
    }

    private void endPostCopy(ChannelHandlerContext ctx, long expected) {
        String problem = missingCount != 0 ? missingCount + " pages never arrived"
                : digest != expected ? String.format("memory digest mismatch: received pages give %x, the source sent %x",
                digest, expected) : null;
        if (problem != null) {
            lose(ctx, "post-copy failed: " + problem);
            return;
        }
        state = State.ACTIVE;
        sessions.remove(hello.migrationId(), this);
        ctx.writeAndFlush(Frame.of(FrameType.VERIFIED, digest));
        LOG.info("{}: post-copy complete, {} pages fetched on demand", hello.migrationId(), faults.get());
        onEnd.accept(new IncomingMigration(hello.migrationId(), hello.descriptor(), guest, null, bytes, pages, digest,
                Duration.ofNanos(System.nanoTime() - startNanos), connections(), false));
    }

    /** Post-copy cannot be undone: without its source the running guest is lost (the known risk). */
    private void lose(ChannelHandlerContext ctx, String reason) {
        lose(ctx, reason, " (post-copy: the guest was running here and is lost)");
    }

    private void lose(ChannelHandlerContext ctx, String reason, String consequence) {
        state = State.DISCARDED;
        sessions.remove(hello.migrationId(), this);
        releasePending();
        run.clear();
        guest.close();
        LOG.error("{}: the guest is lost: {}", hello.migrationId(), reason);
        events.emit(CutoverStage.FAILED);
        if (ctx.channel().isActive()) {
            ctx.writeAndFlush(Frame.abort(reason)).addListener(ChannelFutureListener.CLOSE);
        }
        onEnd.accept(new IncomingMigration(hello.migrationId(), hello.descriptor(), null,
                reason + consequence, bytes, pages, 0,
                Duration.ofNanos(System.nanoTime() - startNanos), connections(), true));
    }

    private void verify(ChannelHandlerContext ctx, Frame frame) {
        long expected = frame.arg();
        if (deviceState == null) {
            reject(ctx, "COMMIT_REQUEST without the device state");
            return;
        }
        if (digest != expected) {
            reject(ctx, String.format("memory digest mismatch: received pages give %x, the source sent %x", digest,
                    expected));
            return;
        }
        if ((frame.flags() & Frames.COMMIT_FULL_CHECK) != 0) {
            long scanned = 0;
            for (long i = 0; i < guest.pageCount(); i++) {
                scanned += PageDigest.term(i, digestOf.checksum(guest.pageView(i)));
            }
            if (scanned != expected) {
                reject(ctx, String.format("memory digest mismatch: the memory gives %x, the source sent %x",
                        scanned, expected));
                return;
            }
        }
        try {
            guest.loadState(deviceState);
        } catch (RuntimeException e) {
            reject(ctx, "the device state does not load: " + e.getMessage());
            return;
        }
        state = State.WAIT_ACTIVATE;
        sessions.committed(hello.migrationId(), key);
        ctx.writeAndFlush(Frame.of(FrameType.VERIFIED, digest));
        events.emit(CutoverStage.COMMITTED);
        // committed: the destination owns the guest, waiting for ACTIVATE would only lengthen the blackout
        activate(ctx, null);
    }

    /**
     * Resumes the guest here: on ACTIVATE, or — after the commit (VERIFIED sent) — when the source is gone or
     * asks after losing its connection: from VERIFIED on the destination owns the guest.
     */
    private void activate(ChannelHandlerContext ctx, String alone) {
        if (alone != null) {
            LOG.warn("{}: activating without ACTIVATE: {}", hello.migrationId(), alone);
        }
        if (missing == null) {
            sessions.remove(hello.migrationId(), this);
        }
        try {
            guest.resume();
        } catch (RuntimeException e) {
            lose(ctx, "the guest did not resume here: " + e.getMessage(),
                    " (after the commit: the source does not resume it either)");
            return;
        }
        boolean post = missing != null;
        state = post ? State.POST_COPY : State.ACTIVE;
        releasePending();
        ctx.writeAndFlush(Frame.of(FrameType.ACTIVATED, 0));
        events.emit(CutoverStage.ACTIVATED);
        if (post) {
            LOG.info("{}: running in post-copy, {} pages missing", hello.migrationId(), missingCount);
            return;
        }
        LOG.info("{}: activated after {} pages, {} bytes", hello.migrationId(), pages, bytes);
        onEnd.accept(new IncomingMigration(hello.migrationId(), hello.descriptor(), guest, null, bytes, pages, digest,
                Duration.ofNanos(System.nanoTime() - startNanos), connections(), false));
    }

    private void reject(ChannelHandlerContext ctx, String reason) {
        discard(ctx, reason, true);
    }

    private void discard(ChannelHandlerContext ctx, String reason, boolean tellSource) {
        if (state == State.DISCARDED || state == State.ACTIVE) {
            return;
        }
        if (key == null) {
            refuse(ctx, Refusal.NOT_A_MIGRATION, reason);
            return;
        }
        State was = state;
        state = State.DISCARDED;
        if (pendingCommit != null) {
            pendingCommit.release();
            pendingCommit = null;
        }
        if (hello != null) {
            sessions.remove(hello.migrationId(), this);
        }
        if (multifd != null) {
            multifd.closeData();
        }
        run.clear();
        if (guest != null) {
            guest.close();
        }
        releasePending();
        LOG.info("{}: discarded in {}: {}", hello == null ? "?" : hello.migrationId(), was, reason);
        if (events != null) {
            events.emit(CutoverStage.FAILED);
        }
        if (tellSource && ctx.channel().isActive()) {
            ctx.writeAndFlush(Frame.abort(reason)).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
        onEnd.accept(new IncomingMigration(hello == null ? "?" : hello.migrationId(),
                hello == null ? "" : hello.descriptor(), null, reason, bytes, pages, 0,
                Duration.ofNanos(System.nanoTime() - startNanos), connections(), false));
    }

    /**
     * Turns away a connection that was not admitted: nothing was reserved for it and no migration ends; the refusal
     * is counted and logged on one line, and the peer told why.
     */
    private void refuse(ChannelHandlerContext ctx, Refusal reason, String detail) {
        if (state == State.DISCARDED) {
            return;
        }
        state = State.DISCARDED;
        admissions.count(reason);
        LOG.info("refused {} from {}: {}", reason, peerName, detail);
        if (ctx.channel().isActive()) {
            ctx.writeAndFlush(Frame.abort(detail)).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }

    /** The reservation no longer counts as pending: the guest was activated, discarded or lost. */
    private void releasePending() {
        if (pendingBytes >= 0) {
            admissions.ended(pendingBytes, peer);
            pendingBytes = -1;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (state == State.WAIT_HELLO) {
            refuse(ctx, Refusal.CLOSED_BEFORE_HELLO, "closed before HELLO");
            ctx.fireChannelInactive();
            return;
        }
        if (state == State.POST_COPY) {
            lose(ctx, "the connection to the source was lost during post-copy");
        } else if (state == State.WAIT_ACTIVATE && missing == null) {
            activate(ctx, "the connection to the source was lost after the commit");
        } else if (state != State.ACTIVE) {
            discard(ctx, "the connection to the source was lost", false);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable e = cause instanceof DecoderException && cause.getCause() instanceof MigrationProtocolException p
                ? p : cause;
        if (state == State.WAIT_HELLO) {
            if (e instanceof Deadline.Expired) {
                refuse(ctx, Refusal.HELLO_TIMEOUT, e.getMessage());
            } else if (e instanceof IOException) {
                refuse(ctx, Refusal.CLOSED_BEFORE_HELLO, e.toString());
            } else {
                refuse(ctx, Refusal.NOT_A_MIGRATION, e instanceof MigrationProtocolException
                        ? "protocol error: " + e.getMessage() : e.toString());
            }
            return;
        }
        String reason = e instanceof MigrationProtocolException ? "protocol error: " + e.getMessage()
                : e instanceof Deadline.Expired ? "the source fell silent: " + e.getMessage()
                : e.toString();
        if (state == State.DISCARDED) {
            ctx.close();
            return;
        }
        if (state == State.ACTIVE) {
            ctx.close();
            return;
        }
        if (state == State.POST_COPY) {
            lose(ctx, reason);
            return;
        }
        if (state == State.WAIT_ACTIVATE && missing == null) {
            activate(ctx, reason + " after the commit");
            ctx.close();
            return;
        }
        discard(ctx, reason, true);
    }
}
