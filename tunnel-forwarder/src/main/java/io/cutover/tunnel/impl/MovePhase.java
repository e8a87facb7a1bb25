package io.cutover.tunnel.impl;

import io.cutover.tunnel.DrainPolicy;
import io.cutover.tunnel.MoveState;

/**
 * Where a move stands and since when: its state, and the times its drain policy counts from. Both ends of a move
 * hold or forward frames against the state under {@link #lock()}, and the state changes under it too, so that no
 * frame slips past a change (held frames leave before live ones, nothing leaves after the move closed).
 */
final class MovePhase {
    private final Object lock = new Object();
    private volatile MoveState state;
    private volatile long lastTrafficNanos = System.nanoTime();
    private volatile long activatedNanos;
    private volatile long drainingNanos;

    MovePhase(MoveState state) {
        this.state = state;
        if (state.forwards()) {
            activatedNanos = System.nanoTime();
        }
    }

    /** The lock that orders frames against changes of the state. */
    Object lock() {
        return lock;
    }

    MoveState state() {
        return state;
    }

    /** Under the lock: HOLDING, the blackout. */
    void holding() {
        state = MoveState.HOLDING;
    }

    /** Under the lock: FORWARDING, from now on; the idle and hard maximum rules count from now. */
    void forwarding() {
        state = MoveState.FORWARDING;
        activatedNanos = System.nanoTime();
        lastTrafficNanos = activatedNanos;
    }

    /** Under the lock: DRAINING, from now on; the DNS TTL rule counts from now. */
    void draining() {
        state = MoveState.DRAINING;
        drainingNanos = System.nanoTime();
    }

    /** Under the lock: CLOSED, for good. */
    void closed() {
        state = MoveState.CLOSED;
    }

    /** Traffic for the move passed just now. */
    void trafficPassed() {
        lastTrafficNanos = System.nanoTime();
    }

    /** Why {@code drain} ends the move at {@code now}, or {@code null}. */
    String drainDue(DrainPolicy drain, long now) {
        if (!state.forwards()) {
            return null;
        }
        if (now - lastTrafficNanos > drain.idle().toNanos()) {
            return "idle for " + drain.idle();
        }
        if (now - activatedNanos > drain.hardMax().toNanos()) {
            return "hard maximum " + drain.hardMax() + " reached";
        }
        if (drain.dnsTtl() != null && drainingNanos != 0 && now - drainingNanos > drain.dnsTtl().toNanos()) {
            return "old DNS TTL " + drain.dnsTtl() + " elapsed since the DNS switch";
        }
        return null;
    }
}
