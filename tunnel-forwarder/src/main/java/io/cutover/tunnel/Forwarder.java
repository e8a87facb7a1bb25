package io.cutover.tunnel;

import io.cutover.api.CutoverListener;
import io.cutover.api.CutoverStage;
import io.cutover.tunnel.impl.DefaultForwarder;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The brownout forwarder: one UDP tunnel endpoint serving any number of moves. At a move's SOURCE it
 * catches frames for the VM, holds them from SWITCHOVER to ACTIVATED, flushes them in order and then
 * forwards live; at its DESTINATION it accepts only the move's peer and VNI, verifies, and injects.
 * It is a {@link CutoverListener}: events of a migration drive the move whose id is the migration id.
 *
 * <pre>{@code
 * try (Forwarder fwd = Forwarder.start(ForwarderOptions.builder().build())) {
 *     fwd.add(spec);
 *     fwd.onEvent(CutoverEvent.now(spec.id(), CutoverStage.SWITCHOVER));
 * }
 * }</pre>
 */
public interface Forwarder extends CutoverListener, AutoCloseable {

    /**
     * Starts a forwarder: binds the tunnel's UDP socket and, with a state directory, resumes the moves it
     * journaled.
     *
     * @throws TunnelException when the socket cannot be bound or the journal cannot be read
     */
    static Forwarder start(ForwarderOptions options) {
        return DefaultForwarder.start(options);
    }

    /**
     * Registers a move in state {@link MoveState#PLANNED} (opens its capture or injection interface).
     *
     * @throws IllegalArgumentException when a move with this id or VNI already exists
     * @throws TunnelException          when the interface cannot be opened
     */
    void add(MoveSpec spec);

    /** Registers a move already in {@code state} (a resumed move, or one driven without events). */
    void add(MoveSpec spec, MoveState state);

    /** Moves a move as {@code stage} says (SWITCHOVER holds, ACTIVATED flushes, terminal stages close). */
    void stage(String moveId, CutoverStage stage);

    /**
     * DRAINING with what a WAN move's DNS steps did: the move forwards until every resolver has expired the old
     * address and it has been idle, or until its hard maximum ({@link DrainPolicy}). {@code null} is
     * {@code stage(moveId, DRAINING)}. Again while draining, it replaces the DNS change given before.
     *
     * @throws IllegalArgumentException for an unknown move
     */
    void drain(String moveId, DrainPolicy.DnsChange dns);

    /**
     * SWITCHOVER at a SOURCE whose switch mirrors the VM's traffic to it while the VM runs: holds from now on, and also
     * what it caught since {@code from} (this host's clock) — the frames that reached the old site after the VM
     * stopped, which the VM never read. Frames the VM did read after {@code from} arrive twice; a {@code from} a little
     * before the VM's stop loses none. An instant ahead of now is now; what was caught longer ago than the source
     * keeps its recent frames (half a second) is gone.
     *
     * @throws IllegalArgumentException for an unknown move
     */
    void hold(String moveId, Instant from);

    /** Ends a move and forgets it; its held frames are discarded. Returns whether it existed. */
    boolean remove(String moveId);

    /** One move's state and counters. */
    Optional<MoveStatus> status(String moveId);

    /** Every move. */
    List<MoveStatus> moves();

    /** All counters. */
    ForwarderStats stats();

    /** The UDP port the tunnel listens on (useful with port 0). */
    int port();

    /** Flushes held frames of every move, sends what is queued, then stops. */
    @Override
    void close();
}
