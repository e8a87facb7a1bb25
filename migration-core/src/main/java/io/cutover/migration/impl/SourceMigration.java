package io.cutover.migration.impl;

import io.cutover.api.CutoverListener;
import io.cutover.api.CutoverStage;
import io.cutover.migration.Guest;
import io.cutover.migration.IntegrityCheck;
import io.cutover.migration.LiveMigration;
import io.cutover.migration.MigrationException;
import io.cutover.migration.MigrationOptions;
import io.cutover.migration.MigrationProgress;
import io.cutover.migration.MigrationReport;
import io.cutover.migration.MigrationStalledException;
import io.cutover.migration.MigrationTimeoutException;
import io.cutover.migration.MigrationState;
import io.cutover.migration.SwitchoverReason;
import io.cutover.migration.transport.Frame;
import io.cutover.migration.transport.FrameDecoder;
import io.cutover.migration.transport.FrameEncoder;
import io.cutover.migration.transport.FrameType;
import io.cutover.migration.transport.Frames;
import io.cutover.migration.transport.Hello;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The source side of a live migration, run on its own thread as the explicit state machine of
 * {@link MigrationState}: connect and announce (0), reservation (1), iterative pre-copy (2), stop-and-copy
 * (3), commitment (4), activation (5). Every failure before the destination's VERIFIED resumes the guest.
 */
public final class SourceMigration implements LiveMigration {
    private static final Logger LOG = LoggerFactory.getLogger(SourceMigration.class);
    private static final Object CLOSED = new Object();
    /**
     * The switchover decision counts on this share of the estimated bandwidth: the stop-and-copy of a loaded
     * machine (the guest's last writes, the commit round trips, other processes) is slower than pre-copy.
     */
    static final double BANDWIDTH_HEADROOM = 0.75;

    private final String id;
    private final Guest guest;
    private final InetSocketAddress destination;
    private final MigrationOptions options;
    private final SwitchoverPolicy policy;
    private final BandwidthEstimate estimate;
    private final EventDispatcher events;
    private final CompletableFuture<MigrationReport> result = new CompletableFuture<>();
    private final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final long startNanos = System.nanoTime();
    private final io.netty.handler.ssl.SslContext ssl;

    private final Waits waits;

    private volatile MigrationState state = MigrationState.PRE_MIGRATION;
    private volatile int round;
    private volatile double bandwidth;
    private volatile long remainingBytes;
    private volatile long dirtyPagesPerSecond;
    private volatile long downtimeNanos;
    private volatile long endNanos;
    private volatile SwitchoverReason reason;
    private volatile long verifiedDigest;
    private volatile ShardedSender sender;
    private volatile boolean postCopy;
    private volatile long postCopyFaults;
    private EventLoopGroup group;
    private Channel channel;
    private final List<Channel> channels = new java.util.concurrent.CopyOnWriteArrayList<>();
    private boolean pausedHere;

    private SourceMigration(Guest guest, InetSocketAddress destination, MigrationOptions options,
                            List<CutoverListener> listeners) {
        this.id = "m-" + UUID.randomUUID().toString().substring(0, 8);
        this.guest = Objects.requireNonNull(guest, "guest");
        this.destination = Objects.requireNonNull(destination, "destination");
        this.options = Objects.requireNonNull(options, "options");
        this.policy = new SwitchoverPolicy(options);
        this.estimate = new BandwidthEstimate(options.maxBandwidth());
        this.waits = new Waits(options);
        this.events = new EventDispatcher(id, listeners);
        this.remainingBytes = guest.sizeBytes();
        this.ssl = options.tls() == null ? null : TlsContexts.client(options.tls());
    }

    /** See {@link LiveMigration#start}. */
    public static SourceMigration start(Guest guest, InetSocketAddress destination, MigrationOptions options,
                                        List<CutoverListener> listeners) {
        if (!guest.isRunning()) {
            throw new IllegalArgumentException("the guest must be running to be live-migrated");
        }
        SourceMigration m = new SourceMigration(guest, destination, options, listeners);
        Thread thread = new Thread(m::run, "migration-" + m.id);
        thread.setDaemon(true);
        thread.start();
        return m;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public CompletionStage<MigrationReport> result() {
        return result;
    }

    @Override
    public void cancel() {
        waits.cancel();
    }

    @Override
    public MigrationProgress progress() {
        ShardedSender s = sender;
        long end = endNanos == 0 ? System.nanoTime() : endNanos;
        double bw = bandwidth;
        long remaining = remainingBytes;
        Duration expected = bw > 0 ? Duration.ofNanos((long) (remaining / (bw * BANDWIDTH_HEADROOM) * 1e9)) : Duration.ZERO;
        return new MigrationProgress(id, state, round, Duration.ofNanos(end - startNanos),
                Duration.ofNanos(downtimeNanos), expected,
                options.downtimeLimitAt(Duration.ofNanos(end - startNanos), guest.sizeBytes()),
                s == null ? 0 : s.transferredBytes(), remaining, guest.sizeBytes(), dirtyPagesPerSecond,
                bw * 8 / 1e6, guest.throttlePercent(), s == null ? 0 : s.pagesSent(), s == null ? 0 : s.zeroPages(),
                s == null ? 0 : s.compressionSaved(), s == null ? 0 : s.deltaPages(), s == null ? 0 : s.deltaSaved());
    }

    private void run() {
        try {
            CompletableFuture<Void> planned = events.emit(CutoverStage.PLANNED);
            connect();
            LOG.debug("{}: connected to {} in {} ms", id, destination, (System.nanoTime() - startNanos) / 1_000_000);
            announce();
            joinDataChannels();
            precopy();
            stopAndCopy(planned);
            if (commit()) {
                activate();
            }
            if (postCopy) {
                pushMissingPages();
            }
            endNanos = System.nanoTime();
            move(MigrationState.COMPLETED);
            events.emit(CutoverStage.COMPLETED);
            result.complete(report(null));
        } catch (Throwable e) {
            fail(e);
        } finally {
            close();
        }
    }

    private void connect() throws InterruptedException {
        group = new MultiThreadIoEventLoopGroup(Math.min(options.channels(), 4), NioIoHandler.newFactory());
        channel = openChannel(new SourceHandler(), true);
    }

    /** Multifd: opens the data connections, each introduced by a HELLO naming its index; then the senders. */
    private void joinDataChannels() throws InterruptedException {
        for (int i = 1; i < options.channels(); i++) {
            Channel data = openChannel(new SourceHandler(), true);
            ByteBuf hello = data.alloc().buffer();
            hello(i).writeFrame(hello);
            data.writeAndFlush(hello);
        }
        sender = new ShardedSender(guest, channels, waits, options.compression(), options.batchBytes(),
                options.xbzrleCacheBytes());
        if (options.channels() > 1) {
            LOG.debug("{}: {} connections", id, options.channels());
        }
    }

    private Hello hello(int index) {
        return new Hello(id, guest.descriptor(), guest.pageSize(), guest.pageCount(),
                options.integrity() == IntegrityCheck.FULL_MEMORY, options.channels(), index, options.secret());
    }

    /** {@link #openChannel} for {@link CommitOutcomeQuery}: its question must be answered even after a cancel. */
    private Channel openUncancellable(ChannelInboundHandlerAdapter handler) throws InterruptedException {
        return openChannel(handler, false);
    }

    /** Opens a connection to the destination ending in {@code handler}, with its TLS handshake done. */
    private Channel openChannel(ChannelInboundHandlerAdapter handler, boolean cancellable) throws InterruptedException {
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                // a backstop: the connection's wait (Waits.forConnection) gives up first
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) waits.connectTimeout().toMillis() + 1000)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(2 << 20, 8 << 20))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (ssl != null) {
                            ch.pipeline().addLast("tls", ssl.newHandler(ch.alloc(), destination.getHostString(),
                                    destination.getPort()));
                        }
                        ch.pipeline()
                                .addLast("decoder", new FrameDecoder(false, Long.MAX_VALUE)
                                        .geometry(guest.pageSize(), guest.pageCount()))
                                .addLast("encoder", FrameEncoder.INSTANCE)
                                .addLast("source", handler);
                    }
                });
        Waits.Wait wait = waits.forConnection(destination, cancellable);
        ChannelFuture f = b.connect(destination);
        Channel opened = f.channel();
        try {
            Waits.await(f, wait);
            if (!f.isSuccess()) {
                throw new IllegalStateException("cannot connect to " + destination + ": " + f.cause().getMessage(),
                        f.cause());
            }
            io.netty.handler.ssl.SslHandler tls = opened.pipeline().get(io.netty.handler.ssl.SslHandler.class);
            if (tls != null) {
                io.netty.util.concurrent.Future<Channel> handshake = tls.handshakeFuture();
                Waits.await(handshake, wait);
                if (!handshake.isSuccess()) {
                    throw new IllegalStateException("TLS handshake with " + destination + " failed: "
                            + handshake.cause().getMessage(), handshake.cause());
                }
            }
        } catch (RuntimeException | InterruptedException e) {
            opened.close();
            throw e;
        }
        if (handler instanceof SourceHandler) {
            channels.add(opened);
        }
        return opened;
    }

    private void announce() throws InterruptedException {
        ByteBuf hello = channel.alloc().buffer();
        hello(0).writeFrame(hello);
        channel.writeAndFlush(hello);
        move(MigrationState.RESERVATION);
        Frame reserved = await(FrameType.RESERVED);
        long pages = reserved.arg();
        reserved.release();
        if (pages != guest.pageCount()) {
            throw new IllegalStateException("the destination reserved " + pages + " pages, not " + guest.pageCount());
        }
        events.emit(CutoverStage.RESERVED);
    }

    private void precopy() {
        move(MigrationState.ITERATIVE_PRECOPY);
        long pages = guest.pageCount();
        long[] bitmap = new long[(int) ((pages + 63) >>> 6)];
        // the log is cleared first: a page written from here on is in the next round's log if not in this one
        guest.collectDirty(bitmap);
        java.util.Arrays.fill(bitmap, 0L);
        guest.populatedPages(bitmap);
        sender.skippedAsZero(pages - popcount(bitmap, pages));
        long previousRemaining = guest.sizeBytes();
        long previousSent = 0;
        long lowest = Long.MAX_VALUE;
        long lowestAt = System.nanoTime();
        double dirtyBytesPerSecond = 0;
        // a round ends early at the completion timeout: its action does not wait for a long round
        java.util.function.BooleanSupplier stop = () -> waits.cancelled()
                || policy.pastCompletion(Duration.ofNanos(System.nanoTime() - startNanos));
        for (int r = 0; ; r++) {
            round = r;
            events.emit(CutoverStage.PRECOPY, r);
            channel.write(Frame.of(FrameType.ROUND, r), channel.voidPromise());
            int throttle = guest.throttlePercent();
            long rate = policy.rateFor(r, dirtyBytesPerSecond);
            long roundStart = System.nanoTime();
            long sent = r == 0 ? probe(bitmap, rate, stop) : 0;
            long pacedStart = System.nanoTime();
            long pacedSent = send(bitmap, rate, stop);
            sent += pacedSent;
            waits.checkCancelled();
            long now = System.nanoTime();
            long roundNanos = Math.max(1, now - roundStart);
            estimate.sample(pacedSent - sender.pendingBytes(), now - pacedStart, rate);
            bandwidth = estimate.bytesPerSecond();
            guest.collectDirty(bitmap);
            long dirtyPages = popcount(bitmap, pages);
            dirtyPagesPerSecond = (long) (dirtyPages * 1e9 / roundNanos);
            dirtyBytesPerSecond = dirtyPagesPerSecond * (double) guest.pageSize();
            long remaining = dirtyPages * guest.pageSize();
            remainingBytes = remaining;
            now = System.nanoTime();
            if (remaining < lowest) {
                lowest = remaining;
                lowestAt = now;
            }
            RoundOutcome outcome = new RoundOutcome(r, remaining, previousRemaining, bandwidth * BANDWIDTH_HEADROOM,
                    sender.transferredBytes(), guest.sizeBytes(), throttle, Duration.ofNanos(now - startNanos),
                    Duration.ofNanos(now - lowestAt), rate, sent, previousSent);
            Decision decision = policy.decide(outcome);
            LOG.debug("{} round {}: sent {} B in {} ms at {} B/s, {} dirty pages, throttle {} %, expected downtime {} -> {}",
                    id, r, sent, roundNanos / 1_000_000, rate, dirtyPages, throttle, outcome.expectedDowntime(),
                    decision);
            switch (decision.action()) {
                case ABORT -> throw switch (decision.abort()) {
                    case COMPLETION_TIMEOUT -> new TimedOut(decision.detail(), decision.limit());
                    case NO_PROGRESS -> new Waits.Stalled(decision.detail(), decision.limit());
                };
                case SWITCHOVER -> {
                    reason = decision.reason();
                    postCopy = policy.postCopyAfter(reason);
                    this.pendingBitmap = bitmap;
                    return;
                }
                case CONTINUE -> {
                    if (options.autoConverge()) {
                        guest.throttle(SwitchoverPolicy.nextThrottle(throttle, dirtyPages * guest.pageSize(), sent));
                    }
                    previousRemaining = remaining;
                    previousSent = sent;
                }
            }
        }
    }

    /**
     * With dynamic rate limiting, the first round's first {@link BandwidthEstimate#MIN_SAMPLE_BYTES} go at the
     * stop-and-copy's pace, not at the round's {@code rate}: the rounds that follow are paced below it and cannot
     * measure it (see {@link BandwidthEstimate}). Returns the bytes sent.
     */
    private long probe(long[] bitmap, long rate, java.util.function.BooleanSupplier stop) {
        long pace = options.maxBandwidth();
        if (estimate.atStopAndCopyPace(rate)) {
            return 0;
        }
        long before = sender.transferredBytes();
        long start = System.nanoTime();
        long sent = send(bitmap, pace, () -> stop.getAsBoolean()
                || sender.transferredBytes() - before >= BandwidthEstimate.MIN_SAMPLE_BYTES);
        estimate.sample(sent - sender.pendingBytes(), System.nanoTime() - start, pace);
        return sent;
    }

    /** Sends the pages set in {@code bitmap} at {@code rate} bytes/s (0: unpaced) until done or {@code stop}. */
    private long send(long[] bitmap, long rate, java.util.function.BooleanSupplier stop) {
        sender.pace(rate);
        return sender.sendDirty(bitmap, stop);
    }

    /** The completion timeout passed with policy ABORT. */
    static final class TimedOut extends IllegalStateException {
        private static final long serialVersionUID = 1L;
        private final Duration timeout;

        TimedOut(String message, Duration timeout) {
            super(message);
            this.timeout = timeout;
        }
    }

    private long[] pendingBitmap;

    private void stopAndCopy(CompletableFuture<Void> planned) throws InterruptedException {
        if (options.holdSwitchover()) {
            try {
                planned.get(options.listenerTimeout().toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                throw new IllegalStateException("the listeners of PLANNED did not complete within "
                        + options.listenerTimeout() + ": switchover not allowed");
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("a listener of PLANNED failed: " + e.getCause(), e.getCause());
            }
        }
        waits.checkCancelled();
        move(MigrationState.STOP_AND_COPY);
        guest.pause();
        pausedHere = true;
        long pausedAt = System.nanoTime();
        this.pausedAt = pausedAt;
        events.emit(CutoverStage.SWITCHOVER);
        long[] bitmap = pendingBitmap;
        guest.collectDirty(bitmap);
        if (postCopy) {
            startPostCopy(bitmap);
            return;
        }
        sender.pace(options.maxBandwidth());
        sender.sendDirty(bitmap, () -> false);
        remainingBytes = 0;
        byte[] state = guest.saveState();
        channel.write(new Frame(FrameType.DEVICE_STATE, 0, 0, Unpooled.wrappedBuffer(state)));
        long digest = sender.digest();
        if (options.integrity() == IntegrityCheck.FULL_MEMORY) {
            long scanned = sender.control().scanDigest();
            if (scanned != digest) {
                throw new IllegalStateException(String.format(
                        "the memory at pause (digest %x) differs from what was sent (%x): a write escaped the dirty log",
                        scanned, digest));
            }
        }
        commitWrite = channel.writeAndFlush(new Frame(FrameType.COMMIT_REQUEST,
                options.integrity() == IntegrityCheck.FULL_MEMORY ? Frames.COMMIT_FULL_CHECK : 0, digest,
                Unpooled.EMPTY_BUFFER));
        this.expectedDigest = digest;
    }

    private long pausedAt;
    private long expectedDigest;
    private ChannelFuture commitWrite;

    /** Sends the device state and the map of pages not sent yet, then asks the destination to run. */
    private void startPostCopy(long[] bitmap) {
        byte[] state = guest.saveState();
        channel.write(new Frame(FrameType.DEVICE_STATE, 0, 0, Unpooled.wrappedBuffer(state)));
        long missing = popcount(bitmap, guest.pageCount());
        int wordsPerFrame = 128 * 1024;
        for (int from = 0; from < bitmap.length; from += wordsPerFrame) {
            int to = Math.min(bitmap.length, from + wordsPerFrame);
            ByteBuf words = channel.alloc().buffer((to - from) * 8);
            for (int w = from; w < to; w++) {
                words.writeLong(bitmap[w]);
            }
            channel.write(new Frame(FrameType.MISSING, 0, from, words));
        }
        channel.writeAndFlush(Frame.of(FrameType.POSTCOPY_START, missing));
        remainingBytes = missing * guest.pageSize();
        expectedDigest = 0;
        LOG.debug("{}: post-copy with {} pages missing", id, missing);
    }

    /**
     * Post-copy: pushes the missing pages in order, serving the destination's page requests first, then
     * proves the memory with the digest of the memory at pause.
     */
    private void pushMissingPages() throws InterruptedException {
        move(MigrationState.POST_COPY);
        long[] bitmap = pendingBitmap;
        long pages = guest.pageCount();
        long left = popcount(bitmap, pages);
        sender.pace(options.maxBandwidth());
        int sinceCheck = 0;
        for (int w = 0; w < bitmap.length; w++) {
            while (bitmap[w] != 0) {
                if (++sinceCheck >= 8) {
                    sinceCheck = 0;
                    left -= serveRequests(bitmap);
                    if (bitmap[w] == 0) {
                        break;
                    }
                }
                int bit = Long.numberOfTrailingZeros(bitmap[w]);
                bitmap[w] &= ~(1L << bit);
                long page = ((long) w << 6) + bit;
                if (page < pages) {
                    sender.control().sendPage(page);
                    left--;
                    remainingBytes = left * guest.pageSize();
                }
            }
        }
        sender.control().flush();
        remainingBytes = 0;
        long digest = sender.digest();
        channel.writeAndFlush(Frame.of(FrameType.POSTCOPY_END, digest));
        Frame verified = await(FrameType.VERIFIED);
        long theirs = verified.arg();
        verified.release();
        if (theirs != digest) {
            throw new IllegalStateException(String.format(
                    "post-copy: the destination verified digest %x, expected %x", theirs, digest));
        }
        verifiedDigest = digest;
    }

    /** Sends the pages the destination asked for (if not sent yet); returns how many were sent. */
    private int serveRequests(long[] bitmap) {
        int sent = 0;
        Object o;
        while ((o = inbox.poll()) != null) {
            if (o instanceof Frame f && f.type() == FrameType.PAGE_REQUEST) {
                long page = f.arg();
                f.release();
                postCopyFaults++;
                int w = (int) (page >>> 6);
                long bit = 1L << page;
                if ((bitmap[w] & bit) != 0) {
                    bitmap[w] &= ~bit;
                    sender.control().sendPage(page);
                    sent++;
                }
                continue;
            }
            inbox.add(o);
            throw new IllegalStateException("post-copy interrupted: " + describeInbox(o));
        }
        if (sent > 0) {
            sender.control().flush();
        }
        return sent;
    }

    private static String describeInbox(Object o) {
        if (o == CLOSED) {
            return "the connection to the destination closed";
        }
        if (o instanceof Frame f) {
            return f.type() == FrameType.ABORT ? "the destination aborted: " + f.text() : "unexpected " + f.type();
        }
        return String.valueOf(o);
    }

    /** Waits for VERIFIED and sends ACTIVATE; false if the destination already runs the guest (see resolve). */
    private boolean commit() throws InterruptedException {
        move(MigrationState.COMMITMENT);
        Frame verified;
        try {
            verified = await(FrameType.VERIFIED);
        } catch (DestinationAborted e) {
            throw e;
        } catch (IllegalStateException e) {
            if (postCopy || !commitRequestLeft()) {
                throw e;
            }
            resolve(e);
            return false;
        }
        long digest = verified.arg();
        verified.release();
        // VERIFIED is the commit, whatever it says: the destination runs the guest from now on
        move(MigrationState.ACTIVATION);
        if (digest != expectedDigest) {
            throw new IllegalStateException(String.format("the destination verified digest %x, expected %x", digest,
                    expectedDigest));
        }
        verifiedDigest = digest;
        events.emit(CutoverStage.COMMITTED);
        channel.writeAndFlush(Frame.of(FrameType.ACTIVATE, 0));
        return true;
    }

    private void activate() throws InterruptedException {
        Frame activated;
        try {
            activated = await(FrameType.ACTIVATED);
        } catch (IllegalStateException e) {
            if (postCopy || e instanceof DestinationAborted
                    || !CommitOutcomeQuery.ask(id, options.secret(), this::openUncancellable, options.ioTimeout(), e)) {
                throw e;
            }
            downtimeNanos = System.nanoTime() - pausedAt;
            events.emit(CutoverStage.ACTIVATED);
            return;
        }
        downtimeNanos = System.nanoTime() - pausedAt;
        activated.release();
        events.emit(CutoverStage.ACTIVATED);
    }

    /**
     * The connection failed while waiting for VERIFIED: the destination may have committed (VERIFIED lost on the
     * way) or not. Asks it on a new connection — it decides at once if it had not. Committed: the guest runs
     * there and the migration completes. Not committed: fails, and the source resumes. No answer: the outcome is
     * in doubt; the source must not resume (the destination may run the guest), so the migration fails as
     * committed with the guest paused here.
     */
    private void resolve(Exception lost) throws InterruptedException {
        boolean committed;
        try {
            committed = CommitOutcomeQuery.ask(id, options.secret(), this::openUncancellable, options.ioTimeout(),
                    lost);
        } catch (CommitOutcomeQuery.InDoubt e) {
            move(MigrationState.ACTIVATION);
            throw e;
        }
        if (!committed) {
            throw new IllegalStateException(lost.getMessage() + "; the destination confirms it did not commit");
        }
        verifiedDigest = expectedDigest;
        move(MigrationState.ACTIVATION);
        events.emit(CutoverStage.COMMITTED);
        downtimeNanos = System.nanoTime() - pausedAt;
        events.emit(CutoverStage.ACTIVATED);
        LOG.warn("{}: {}; the destination confirms it committed and runs the guest", id, lost.getMessage());
    }

    /** Whether COMMIT_REQUEST reached the socket: if it did not, the destination cannot have committed. */
    private boolean commitRequestLeft() {
        ChannelFuture write = commitWrite;
        return write != null && write.awaitUninterruptibly(1000) && write.isSuccess();
    }

    /** The destination's ABORT. */
    private static final class DestinationAborted extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        DestinationAborted(String reason) {
            super("the destination aborted: " + reason);
        }
    }

    private void fail(Throwable e) {
        endNanos = System.nanoTime();
        String message = e instanceof PageSender.ChannelClosedException || e.getMessage() == null
                ? describe(e) : e.getMessage();
        MigrationState failedIn = state;
        if (!state.isCommitted()) {
            if (channel != null && channel.isActive()) {
                // behind what a stalled destination does not read, the ABORT would not arrive either
                boolean takesBytes = channel.isWritable();
                ChannelFuture abort = channel.writeAndFlush(Frame.abort(message));
                if (takesBytes) {
                    abort.awaitUninterruptibly(1000);
                }
            }
            guest.throttle(0);
            if (pausedHere || !guest.isRunning()) {
                guest.resume();
            }
            remainingBytes = guest.sizeBytes();
            move(MigrationState.ROLLED_BACK);
            events.emit(CutoverStage.FAILED);
            events.emit(CutoverStage.ROLLED_BACK);
            LOG.info("{} rolled back in {}: {}", id, failedIn, message);
            result.completeExceptionally(failure(failedIn, true, message, e, report(message)));
        } else {
            move(MigrationState.FAILED_AFTER_COMMIT);
            events.emit(CutoverStage.FAILED);
            if (postCopy) {
                message = message + " during post-copy: the guest, running at the destination without all its"
                        + " pages, is lost (the known risk of post-copy)";
            }
            LOG.warn("{} failed after commit in {}: {}", id, failedIn, message);
            result.completeExceptionally(failure(failedIn, false,
                    message + " (after commit: the destination owns the guest)", e, report(message)));
        }
    }

    /**
     * What the result fails with: a {@link MigrationStalledException} when the migration made no progress, a
     * {@link MigrationTimeoutException} when it did not converge within the completion timeout.
     */
    private MigrationException failure(MigrationState failedIn, boolean sourceResumed, String message, Throwable e,
                                       MigrationReport report) {
        if (e instanceof Waits.Stalled stalled) {
            return new MigrationStalledException(id, failedIn, sourceResumed, message, e, report, stalled.limit());
        }
        if (e instanceof TimedOut timedOut) {
            return new MigrationTimeoutException(id, failedIn, sourceResumed, message, e, report, timedOut.timeout);
        }
        return new MigrationException(id, failedIn, sourceResumed, message, e, report);
    }

    private static String describe(Throwable e) {
        return e instanceof PageSender.ChannelClosedException ? e.getMessage() : e.toString();
    }

    private MigrationReport report(String failure) {
        return new MigrationReport(progress(), reason, failure, events.events(), options.integrity(), verifiedDigest,
                postCopy && state.isCommitted(), postCopyFaults);
    }

    private void close() {
        if (sender != null) {
            sender.discard();
        }
        for (Channel ch : channels) {
            ch.close().awaitUninterruptibly(2000);
        }
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5000);
        }
        Object o;
        while ((o = inbox.poll()) != null) {
            ReferenceCountUtil.release(o);
        }
    }

    private void move(MigrationState next) {
        if (!state.canMoveTo(next)) {
            throw new IllegalStateException("illegal transition " + state + " -> " + next);
        }
        LOG.debug("{}: {} -> {}", id, state, next);
        state = next;
    }

    /**
     * Waits for a frame of {@code type} from the destination, failing on ABORT, a closed connection, a cancel or the
     * deadline of {@link Waits#forAnswer}.
     */
    private Frame await(FrameType type) throws InterruptedException {
        Waits.Wait wait = waits.forAnswer(type);
        while (true) {
            Object o = inbox.poll(wait.next(), TimeUnit.NANOSECONDS);
            if (o == null) {
                continue;
            }
            if (o == CLOSED) {
                throw new IllegalStateException("the connection to the destination closed while waiting for " + type);
            }
            if (o instanceof Throwable t) {
                throw new IllegalStateException("transport error while waiting for " + type + ": " + t.getMessage(), t);
            }
            Frame frame = (Frame) o;
            if (frame.type() == type) {
                return frame;
            }
            if (frame.type() == FrameType.PAGE_REQUEST) {
                // post-copy: a request for a page already on its way
                frame.release();
                continue;
            }
            String text = frame.type() == FrameType.ABORT ? frame.text() : null;
            frame.release();
            if (text != null) {
                throw new DestinationAborted(text);
            }
            throw new IllegalStateException("expected " + type + " from the destination, got " + frame.type());
        }
    }

    private static long popcount(long[] bitmap, long pages) {
        long n = 0;
        for (long w : bitmap) {
            n += Long.bitCount(w);
        }
        return Math.min(n, pages);
    }

    private final class SourceHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            inbox.add(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            inbox.add(CLOSED);
            ShardedSender s = sender;
            if (s != null) {
                s.wakeUp();
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            ShardedSender s = sender;
            if (s != null) {
                s.wakeUp();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            inbox.add(cause);
            ctx.close();
        }
    }
}
