package io.cutover.agent.steps;

import io.cutover.api.CutoverStage;
import io.cutover.tunnel.DrainPolicy;
import io.cutover.tunnel.Forwarder;
import io.cutover.tunnel.MoveState;
import io.cutover.tunnel.MoveStatus;

import java.time.Duration;
import java.util.Optional;

/** One end of a brownout tunnel as the plan drives it: a forwarder in this process, or a daemon's REST API. */
public interface TunnelEnd {

    /**
     * This end's tunnel address on the underlay, {@code HOST:PORT}, where the other end sends.
     *
     * @throws UnsupportedOperationException when this end's configuration does not say
     */
    default String underlay() {
        throw new UnsupportedOperationException("this tunnel end does not say where it listens");
    }

    /**
     * Registers {@code move} at this end as {@code role} ({@code SOURCE} or {@code DESTINATION}), sending to and
     * taking from {@code peer}, the other end's {@link #underlay()}.
     *
     * @throws UnsupportedOperationException when this end's configuration does not say where it is
     */
    default void register(TunnelMove move, String role, String peer) {
        throw new UnsupportedOperationException("this tunnel end does not take moves from the agent");
    }

    /** Fails when the end does not hold the move {@code moveId}. */
    void requireMove(String moveId);

    /** Brings the move to {@code stage} (SWITCHOVER holds, ACTIVATED flushes, DRAINING drains, COMPLETED closes). */
    void stage(String moveId, CutoverStage stage);

    /**
     * SWITCHOVER at a SOURCE whose switch mirrors the VM's traffic to it: holds from now on and what it caught since
     * {@code from}, on this host's clock (see {@link Forwarder#hold}).
     *
     * @throws UnsupportedOperationException at an end that cannot (another host's, through its agent)
     */
    default void hold(String moveId, java.time.Instant from) {
        throw new UnsupportedOperationException("this tunnel end cannot hold what it caught before");
    }

    /**
     * DRAINING with what the DNS steps of a WAN move did (see {@link Forwarder#drain}); {@code null} is {@code
     * stage(moveId, DRAINING)}.
     */
    void drain(String moveId, DrainPolicy.DnsChange dns);

    /** Where the move's drain stands at this end; empty when the end no longer holds the move. */
    Optional<DrainState> drainState(String moveId);

    /** Ends the move and forgets it, held frames included. */
    void remove(String moveId);

    /**
     * Where a move's drain stands at one end.
     *
     * @param closed  whether the move is closed
     * @param endedBy the rule that ended its drain ({@code dns-and-idle}, {@code idle}, {@code hard-maximum}), or
     *                {@code null} while it drains (or when something else closed it)
     * @param hardMax the move's hard maximum after activation: its drain ends by then
     */
    record DrainState(boolean closed, String endedBy, Duration hardMax) {
        /** A move's drain state as its status says. */
        public static DrainState of(MoveStatus status) {
            return new DrainState(status.state() == MoveState.CLOSED,
                    status.drainEndedBy() == null ? null : status.drainEndedBy().label(), status.spec().drain().hardMax());
        }
    }

    /** A forwarder in this process. */
    static TunnelEnd of(Forwarder forwarder) {
        return new TunnelEnd() {
            @Override
            public void requireMove(String moveId) {
                if (forwarder.status(moveId).isEmpty()) {
                    throw new IllegalStateException("the forwarder has no move " + moveId);
                }
            }

            @Override
            public void stage(String moveId, CutoverStage stage) {
                forwarder.stage(moveId, stage);
            }

            @Override
            public void hold(String moveId, java.time.Instant from) {
                forwarder.hold(moveId, from);
            }

            @Override
            public void drain(String moveId, DrainPolicy.DnsChange dns) {
                forwarder.drain(moveId, dns);
            }

            @Override
            public Optional<DrainState> drainState(String moveId) {
                return forwarder.status(moveId).map(DrainState::of);
            }

            @Override
            public void remove(String moveId) {
                forwarder.remove(moveId);
            }
        };
    }
}
