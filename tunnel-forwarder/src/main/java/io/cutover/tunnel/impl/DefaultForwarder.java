package io.cutover.tunnel.impl;

import io.cutover.api.CutoverEvent;
import io.cutover.api.CutoverStage;
import io.cutover.tunnel.DrainPolicy;
import io.cutover.tunnel.DropReason;
import io.cutover.tunnel.Forwarder;
import io.cutover.tunnel.ForwarderOptions;
import io.cutover.tunnel.ForwarderStats;
import io.cutover.tunnel.MalformedPacketException;
import io.cutover.tunnel.MoveSpec;
import io.cutover.tunnel.MoveState;
import io.cutover.tunnel.MoveStatus;
import io.cutover.tunnel.Role;
import io.cutover.tunnel.TunnelException;
import io.cutover.tunnel.TunnelMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The forwarder: one UDP tunnel, moves by id and by VNI, a control thread that opens interfaces, applies
 * the drain policies and writes the journal.
 */
public final class DefaultForwarder implements Forwarder {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultForwarder.class);
    /** How often the drain policies are checked. */
    static final Duration DRAIN_CHECK = Duration.ofMillis(200);
    /** How often counters and sequence numbers are journaled (also at every change of a move). */
    static final Duration JOURNAL_INTERVAL = Duration.ofSeconds(1);

    private final ForwarderOptions options;
    private final ScheduledExecutorService control;
    private final FlushPacer pacer;
    private final Map<String, MoveRuntime> moves = new ConcurrentHashMap<>();
    /** The moves this end receives tunnel packets for: destinations, and sources with a reverse tunnel. */
    private final Map<Integer, MoveRuntime> receiversByVni = new ConcurrentHashMap<>();
    private final Map<InetAddress, Integer> peers = new ConcurrentHashMap<>();
    private final Counters unattributed = new Counters();
    /** The counters of the moves removed since the start, summed. */
    private final Counters removed = new Counters();
    private final StateJournal journal;
    private final Object journalLock = new Object();
    /** The journal's last write is done ({@link #close}): what closing the moves does after it is not journaled. */
    private boolean journalFinal;
    /** Whether moves open their interfaces (capture, injection); tests of the forwarder's own logic attach their own. */
    private final boolean interfaces;
    private volatile UdpTunnel tunnel;
    private volatile boolean closed;
    private long socketDropsSeen;

    private DefaultForwarder(ForwarderOptions options, boolean interfaces) {
        this.options = options;
        this.interfaces = interfaces;
        this.control = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = options.threadFactory().newThread(r);
            t.setName("tunnel-control");
            t.setDaemon(true);
            return t;
        });
        this.pacer = new FlushPacer(options.flushRate(), options.threadFactory());
        this.journal = options.stateDir() == null ? null : new StateJournal(options.stateDir());
    }

    /** See {@link Forwarder#start}. */
    public static DefaultForwarder start(ForwarderOptions options) {
        return start(options, true);
    }

    /** For tests of the forwarder's own logic: moves, also resumed ones, open no interface. */
    static DefaultForwarder startDetached(ForwarderOptions options) {
        return start(options, false);
    }

    private static DefaultForwarder start(ForwarderOptions options, boolean interfaces) {
        DefaultForwarder forwarder = new DefaultForwarder(options, interfaces);
        try {
            forwarder.tunnel = UdpTunnel.bind(options, forwarder::receive, () -> forwarder.unattributed.drop(DropReason.TOO_BIG));
            forwarder.onControlThread(null, () -> forwarder.socketDropsSeen = forwarder.tunnel.socketDrops());
            if (forwarder.journal != null) {
                for (StateJournal.Entry entry : forwarder.journal.read()) {
                    if (entry.state() != MoveState.CLOSED) {
                        forwarder.resume(entry);
                    }
                }
                forwarder.writeJournal();
                forwarder.control.scheduleWithFixedDelay(forwarder::journalQuietly, JOURNAL_INTERVAL.toMillis(),
                        JOURNAL_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
            }
            forwarder.control.scheduleWithFixedDelay(forwarder::checkDrain, DRAIN_CHECK.toMillis(),
                    DRAIN_CHECK.toMillis(), TimeUnit.MILLISECONDS);
            return forwarder;
        } catch (RuntimeException e) {
            forwarder.close();
            throw e;
        }
    }

    private void resume(StateJournal.Entry entry) {
        // the replay floor is in place before the capture starts (a sender needs nothing: it starts a new session)
        MoveRuntime move = open(entry.spec(), entry.state(), interfaces,
                m -> m.resume(entry.rxSession(), entry.rxFloor()));
        move.counters.restore(entry.counters(), entry.drops());
        LOG.info("move {}: resumed from the journal in state {}", entry.spec().id(), entry.state());
    }

    @Override
    public void add(MoveSpec spec) {
        add(spec, MoveState.PLANNED);
    }

    @Override
    public void add(MoveSpec spec, MoveState state) {
        if (closed) {
            throw new TunnelException(spec.id(), "the forwarder is closed");
        }
        MoveSpec kept = spec;
        if (journal != null && spec.key() != null && spec.key().reference() == null) {
            kept = spec.withKey(journal.keep(spec.id(), spec.key()));
        }
        open(kept, state);
        writeJournal();
    }

    private MoveRuntime open(MoveSpec spec, MoveState state) {
        return open(spec, state, interfaces, m -> { });
    }

    /** For tests of the forwarder's own logic: a move whose capture and injection the test attaches. */
    MoveRuntime openDetached(MoveSpec spec, MoveState state) {
        return open(spec, state, false, m -> { });
    }

    private synchronized MoveRuntime open(MoveSpec spec, MoveState state, boolean interfaces,
                                          java.util.function.Consumer<MoveRuntime> beforeInterfaces) {
        MoveRuntime existing = moves.get(spec.id());
        if (existing != null && existing.state() != MoveState.CLOSED) {
            throw new IllegalArgumentException("move " + spec.id() + " already exists");
        }
        for (MoveRuntime other : moves.values()) {
            if (other.spec.vni() == spec.vni() && other.state() != MoveState.CLOSED
                    && (other.spec.role() == spec.role() || receives(other.spec) && receives(spec))) {
                throw new IllegalArgumentException("vni " + spec.vni() + " is already used by move " + other.spec.id());
            }
        }
        MoveRuntime move = new MoveRuntime(spec, state, tunnel, options.pathMtu(), pacer, journal == null ? null : this::journalQuietly);
        beforeInterfaces.accept(move);
        if (interfaces) {
            onControlThread(spec.id(), () -> {
                try {
                    attachInterfaces(move);
                } catch (RuntimeException e) {
                    move.close(false);
                    throw e;
                }
            });
        }
        moves.put(spec.id(), move);
        if (receives(spec)) {
            receiversByVni.put(spec.vni(), move);
            peers.merge(spec.peer().getAddress(), 1, Integer::sum);
        }
        LOG.info("move {}: added as {} {} vni {} peer {}{}{}", spec.id(), spec.role(), spec.mode(), spec.vni(),
                MoveJson.formatSocket(spec.peer()), spec.authenticated() ? " (authenticated)" : "",
                spec.reverse() ? " with reverse tunnel" : "");
        return move;
    }

    /** Whether this end of the move receives tunnel packets: the destination, and a source with a reverse tunnel. */
    private static boolean receives(MoveSpec spec) {
        return spec.role() == Role.DESTINATION || spec.reverse();
    }

    /**
     * On the control thread (in the forwarder's namespace). SOURCE: the capture and, in L3 mode, the old site's LAN
     * side (proxy ARP/ND, ICMP answers, the reverse tunnel's replies). DESTINATION: the injection and, with a reverse
     * tunnel, the capture of the VM's replies.
     */
    private void attachInterfaces(MoveRuntime move) {
        MoveSpec spec = move.spec;
        if (spec.role() == Role.SOURCE) {
            if (spec.mode() == TunnelMode.L3) {
                byte[] hostMac = SocketOptions.hardwareAddress(spec.iface()).orElseThrow(() -> new TunnelException(spec.id(),
                        "cannot read the MAC of " + spec.iface() + " for proxy ARP/ND"));
                move.attachReplySink(new QueuedSink(PacketSocketSink.open(spec.id(), spec.iface()), QueuedSink.DEFAULT_CAPACITY,
                        options.threadFactory(), "tunnel-emit-" + spec.id(), move::sendFailed));
                move.attachProxy(new NeighbourAnswers(hostMac, spec.vmAddresses().stream().map(InetAddress::getAddress).toList()));
            }
            move.attachSource(RingCapture.start(spec.id(), spec.iface(), move.captureFilter(), options.pathMtu(), move::caught,
                    move::backlogged, options.threadFactory()));
        } else {
            move.attachSink(new QueuedSink(PacketSocketSink.open(spec.id(), spec.iface()), QueuedSink.DEFAULT_CAPACITY,
                    options.threadFactory(), "tunnel-inject-" + spec.id(), move::sendFailed));
            if (spec.reverse()) {
                move.attachSource(RingCapture.start(spec.id(), spec.iface(), move.replyFilter(), options.pathMtu(),
                        move::caughtReply, move::backlogged, options.threadFactory()));
            }
        }
    }

    private void onControlThread(String moveId, Runnable task) {
        try {
            control.submit(task).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TunnelException(moveId, "interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new TunnelException(moveId, e.getCause().toString(), e.getCause());
        }
    }

    /** A datagram from the tunnel (event loop thread). */
    void receive(InetSocketAddress sender, byte[] packet, int length) {
        if (!peers.containsKey(sender.getAddress())) {
            unattributed.drop(DropReason.UNKNOWN_PEER);
            return;
        }
        int vni;
        try {
            vni = VxlanHeader.readVni(packet, 0, length);
        } catch (MalformedPacketException e) {
            unattributed.drop(e.reason());
            return;
        }
        MoveRuntime move = receiversByVni.get(vni);
        if (move == null) {
            unattributed.drop(DropReason.WRONG_VNI);
            return;
        }
        if (!move.spec.peer().getAddress().equals(sender.getAddress())) {
            move.counters.drop(DropReason.UNKNOWN_PEER);
            return;
        }
        move.received(packet, length);
    }

    @Override
    public CompletionStage<Void> onEvent(CutoverEvent event) {
        try {
            if (moves.containsKey(event.migrationId())) {
                stage(event.migrationId(), event.stage());
            }
            return CompletableFuture.completedFuture(null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public void hold(String moveId, Instant from) {
        MoveRuntime move = moves.get(moveId);
        if (move == null) {
            throw new IllegalArgumentException("no move " + moveId);
        }
        move.holdStart(from);
        writeJournal();
    }

    @Override
    public void drain(String moveId, DrainPolicy.DnsChange dns) {
        MoveRuntime move = moves.get(moveId);
        if (move == null) {
            throw new IllegalArgumentException("no move " + moveId);
        }
        move.draining(dns);
        writeJournal();
    }

    @Override
    public void stage(String moveId, CutoverStage stage) {
        MoveRuntime move = moves.get(moveId);
        if (move == null) {
            throw new IllegalArgumentException("no move " + moveId);
        }
        switch (stage) {
            case SWITCHOVER -> move.holdStart();
            case ACTIVATED -> move.activate();
            case DRAINING -> move.draining(null);
            case COMPLETED -> closeMove(move, true, "completed");
            case FAILED, ROLLED_BACK -> closeMove(move, false, stage.name().toLowerCase());
            default -> {
                return;
            }
        }
        writeJournal();
    }

    private void closeMove(MoveRuntime move, boolean flush, String why) {
        move.close(flush);
        if (receiversByVni.remove(move.spec.vni(), move)) {
            peers.computeIfPresent(move.spec.peer().getAddress(), (k, n) -> n <= 1 ? null : n - 1);
        }
        LOG.info("move {}: closed ({})", move.spec.id(), why);
    }

    @Override
    public boolean remove(String moveId) {
        MoveRuntime move = moves.remove(moveId);
        if (move == null) {
            return false;
        }
        closeMove(move, false, "removed");
        removed.restore(move.counters.snapshot(), move.counters.dropSnapshot());
        writeJournal();
        return true;
    }

    @Override
    public Optional<MoveStatus> status(String moveId) {
        return Optional.ofNullable(moves.get(moveId)).map(MoveRuntime::status);
    }

    @Override
    public List<MoveStatus> moves() {
        return moves.values().stream().map(MoveRuntime::status)
                .sorted((a, b) -> a.spec().id().compareTo(b.spec().id())).toList();
    }

    @Override
    public ForwarderStats stats() {
        if (!closed) {
            try {
                control.submit(this::pollSocketDrops).get(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | java.util.concurrent.TimeoutException | java.util.concurrent.RejectedExecutionException e) {
                LOG.debug("socket drops not read: {}", e.toString());
            }
        }
        return new ForwarderStats(moves(), unattributed.dropSnapshot(), removed.snapshot(), removed.dropSnapshot());
    }

    @Override
    public int port() {
        return tunnel.port();
    }

    /** For tests: a move's runtime, to attach what its detached interfaces would be. */
    MoveRuntime runtimeForTests(String id) {
        return moves.get(id);
    }

    /** For tests: the tunnel, to hold its event loop up. */
    UdpTunnel tunnelForTests() {
        return tunnel;
    }

    /** Whether the tunnel's socket sets DF on every outer packet and never fragments one. */
    public boolean dontFragment() {
        return tunnel.dontFragment();
    }

    /** Whether the tunnel runs on the native epoll transport. */
    public boolean nativeTransport() {
        return tunnel.nativeTransport();
    }

    /** Counts what the kernel dropped since the last call because the tunnel socket's receive buffer was full. */
    private void pollSocketDrops() {
        long total = tunnel.socketDrops();
        if (total > socketDropsSeen) {
            unattributed.drop(DropReason.SOCKET_OVERFLOW, total - socketDropsSeen);
            socketDropsSeen = total;
        }
    }

    private void checkDrain() {
        pollSocketDrops();
        long now = System.nanoTime();
        boolean changed = false;
        for (MoveRuntime move : moves.values()) {
            move.pollCaptureDrops();
            if ((move.isSource() || move.spec.reverse()) && move.state() != MoveState.CLOSED) {
                SocketOptions.pathMtu(move.spec.peer()).ifPresent(move::learnPathMtu);
            }
            Optional<DrainPolicy.Rule> ended = move.drainDue(now);
            if (ended.isPresent()) {
                move.drainEnded(ended.get());
                closeMove(move, true, "drain ended: " + ended.get().label());
                changed = true;
            }
        }
        if (changed) {
            journalQuietly();
        }
    }

    private void journalQuietly() {
        try {
            writeJournal();
        } catch (RuntimeException e) {
            LOG.warn("journal: {}", e.getMessage());
        }
    }

    /**
     * Writes every move, under the journal's own lock (not the forwarder's: the control thread journals while
     * {@link #open} waits for it), so that replay ceilings on disk only ever grow.
     */
    private void writeJournal() {
        if (journal == null) {
            return;
        }
        synchronized (journalLock) {
            if (journalFinal) {
                return;
            }
            long now = System.nanoTime();
            List<MoveRuntime> written = new ArrayList<>(moves.values());
            List<StateJournal.Entry> entries = new ArrayList<>();
            List<ReceiveSessions.Journaled> rx = new ArrayList<>();
            for (MoveRuntime move : written) {
                ReceiveSessions.Journaled state = move.rxJournalState(now);
                rx.add(state);
                entries.add(new StateJournal.Entry(move.spec, move.state(), state.salt(), state.highest(),
                        state.ceiling(), move.counters.snapshot(), move.counters.dropSnapshot()));
            }
            journal.write(entries);
            for (int i = 0; i < written.size(); i++) {
                written.get(i).rxJournaled(rx.get(i));
            }
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (MoveRuntime move : moves.values()) {
            if (move.state() != MoveState.CLOSED && move.heldNow() > 0) {
                move.activate();
            }
        }
        if (journal != null && tunnel != null) {
            journalQuietly();
        }
        // the moves go on after a restart: their closing below must not reach the journal (the periodic write
        // could still run until the control thread stops)
        synchronized (journalLock) {
            journalFinal = true;
        }
        pacer.close();
        for (MoveRuntime move : moves.values()) {
            move.close(true);
        }
        if (tunnel != null) {
            tunnel.close();
        }
        control.shutdownNow();
        if (journal != null) {
            synchronized (journalLock) {
                journal.close();
            }
        }
    }
}
