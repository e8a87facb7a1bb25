package io.cutover.tunnel.impl;

import io.cutover.tunnel.DrainPolicy;
import io.cutover.tunnel.MoveState;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Where a move stands and since when: its state, and the instants its drain policy counts from. Both ends of a move
 * hold or forward frames against the state under {@link #lock()}, and the state changes under it too, so that no
 * frame slips past a change (held frames leave before live ones, nothing leaves after the move closed).
 */
final class MovePhase {
    /** Farther from now than any drain lasts, well inside what {@link System#nanoTime()} arithmetic holds. */
    private static final Duration FAR = Duration.ofDays(3650);
    private static final long NOT_STARTED = Long.MIN_VALUE;
    private final Object lock = new Object();
    private volatile MoveState state;
    /**
     * Whether the drain's clocks wait for the first frame: a DESTINATION forwards (delivers) from the moment it is
     * told, which an armed one is before the migration even starts, and cannot tell a quiet tunnel from a source that
     * has not flushed yet. Its drain starts with the first frame it delivers, or with DRAINING.
     */
    private final boolean clocksWaitForTraffic;
    private volatile long lastTrafficNanos = System.nanoTime();
    /** When the move began forwarding, as its drain counts; {@link #NOT_STARTED} while its clocks wait. */
    private volatile long activatedNanos = NOT_STARTED;
    /** Whether a DNS rule applies to the move: the policy's {@code dnsTtl}, or a DRAINING event's DNS change. */
    private volatile boolean dnsRule;
    /** When every resolver has expired the old address ({@link System#nanoTime()}), or {@link Long#MAX_VALUE}. */
    private volatile long dnsExpiryNanos = Long.MAX_VALUE;
    private volatile DrainPolicy.Rule drainEndedBy;

    /** @param clocksWaitForTraffic a DESTINATION's: see {@link #clocksWaitForTraffic} */
    MovePhase(MoveState state, DrainPolicy drain, boolean clocksWaitForTraffic) {
        this.state = state;
        this.dnsRule = drain.dnsTtl() != null;
        this.clocksWaitForTraffic = clocksWaitForTraffic;
        if (state == MoveState.DRAINING || state.forwards() && !clocksWaitForTraffic) {
            startClocks();
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

    /**
     * Under the lock: FORWARDING, from now on; the idle and hard maximum rules count from now (at a destination, from
     * its first frame).
     */
    void forwarding() {
        state = MoveState.FORWARDING;
        activatedNanos = NOT_STARTED;
        if (!clocksWaitForTraffic) {
            startClocks();
        }
    }

    private void startClocks() {
        long now = System.nanoTime();
        lastTrafficNanos = now;
        activatedNanos = now == NOT_STARTED ? now + 1 : now;
    }

    /**
     * Under the lock: DRAINING, from now on, with what the DNS steps did ({@code null}: nothing, then a policy's
     * {@code dnsTtl} counts from now, and without one no DNS rule applies).
     */
    void draining(DrainPolicy drain, DrainPolicy.DnsChange dns) {
        state = MoveState.DRAINING;
        if (activatedNanos == NOT_STARTED) {
            startClocks();
        }
        if (dns == null && drain.dnsTtl() != null) {
            dns = DrainPolicy.DnsChange.switched(drain.dnsTtl(), Instant.now());
        }
        if (dns != null) {
            dnsRule = true;
            dnsExpiryNanos = dns.expiry().map(MovePhase::nanoTimeOf).orElse(Long.MAX_VALUE);
        }
    }

    /** Under the lock: CLOSED, for good. */
    void closed() {
        state = MoveState.CLOSED;
    }

    /** Traffic for the move passed just now. */
    void trafficPassed() {
        if (activatedNanos == NOT_STARTED) {
            startClocks();
        } else {
            lastTrafficNanos = System.nanoTime();
        }
    }

    /** Which rule of {@code drain} ends the move at {@code now} ({@link System#nanoTime()}), or empty. */
    Optional<DrainPolicy.Rule> drainDue(DrainPolicy drain, long now) {
        if (!state.forwards() || activatedNanos == NOT_STARTED) {
            return Optional.empty();
        }
        Duration untilDnsExpiry = !dnsRule ? null : dnsExpiryNanos == Long.MAX_VALUE ? DrainPolicy.DNS_EXPIRY_UNKNOWN
                : Duration.ofNanos(dnsExpiryNanos - now);
        Duration quiet = Duration.ofNanos(now - lastTrafficNanos);
        Optional<DrainPolicy.Rule> due = drain.due(Duration.ofNanos(now - activatedNanos), quiet, untilDnsExpiry);
        // a DESTINATION delivers while its source sends: whatever rule came due, it ends only once the source has gone
        // quiet (a source whose hard maximum falls due with its own sends until its next check, and a WAN move's
        // destination that closed first dropped what came then)
        return clocksWaitForTraffic && quiet.compareTo(drain.idle()) < 0 ? Optional.empty() : due;
    }

    /** The drain ended the move by {@code rule}. */
    void drainEnded(DrainPolicy.Rule rule) {
        drainEndedBy = rule;
    }

    /** The rule that ended the move's drain, or {@code null} while it drains (or when something else closed it). */
    DrainPolicy.Rule drainEndedBy() {
        return drainEndedBy;
    }

    /**
     * {@code instant} of this host's clock on the monotonic clock; one more than {@link #FAR} ahead is never (the hard
     * maximum comes first), one more than {@link #FAR} ago is {@link #FAR} ago.
     */
    private static long nanoTimeOf(Instant instant) {
        Duration ahead = Duration.between(Instant.now(), instant);
        if (ahead.compareTo(FAR) > 0) {
            return Long.MAX_VALUE;
        }
        return System.nanoTime() + (ahead.compareTo(FAR.negated()) < 0 ? FAR.negated() : ahead).toNanos();
    }
}
