package io.cutover.agent.steps;

import io.cutover.agent.plan.PlanStep;
import io.cutover.agent.plan.Threads;
import io.cutover.api.CutoverStage;
import io.cutover.tunnel.DrainPolicy;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * {@code tunnel.drain}, the brownout: DRAINING at both ends (the destination first), with what the WAN move's DNS steps
 * did, then the wait until the source's move says its drain ended — every resolver has let go of the old address and
 * the tunnel was idle, or (no DNS rule: a LAN move) the tunnel was idle, or the hard maximum passed. The tunnel ends
 * when the clients have moved, not when the migration has: only then may COMPLETED close it.
 *
 * <p>The step polls the source's move every {@link #POLL} and waits at most its hard maximum plus {@link #MARGIN}; past
 * that, or when the move was closed otherwise, it is done all the same (COMPLETED closes the tunnel). A call that fails
 * while it waits is tried again: the drain is under way, and nothing of it is to be rolled back. Its timeline detail
 * says which rule ended the drain ({@code ended by dns-and-idle}).
 */
final class TunnelDrain implements PlanStep {
    /** How often the source's move is asked whether its drain ended. */
    static final Duration POLL = Duration.ofMillis(200);
    /** How long past the move's hard maximum the step waits: the daemon checks its drains every 200 ms. */
    static final Duration MARGIN = Duration.ofSeconds(5);
    /** Where the polls of all cutovers run: each is a short call to a daemon on loopback, or to a peer agent. */
    private static final Executor POLLS = Threads.prestarted("tunnel-drain-polls", 2);

    private final String moveId;
    private final TunnelEnd source;
    private final TunnelEnd destination;
    private final DnsChangeLog dns;
    private final Runnable discard;
    private volatile String detail;

    /** @param dns what the DNS steps did, or {@code null} when the cutover has none (the move drains until idle) */
    TunnelDrain(String moveId, TunnelEnd source, TunnelEnd destination, DnsChangeLog dns, Runnable discard) {
        this.moveId = moveId;
        this.source = source;
        this.destination = destination;
        this.dns = dns;
        this.discard = discard;
    }

    @Override
    public String name() {
        return "tunnel.drain";
    }

    @Override
    public CutoverStage stage() {
        return CutoverStage.DRAINING;
    }

    @Override
    public CompletionStage<Void> apply() {
        try {
            DrainPolicy.DnsChange change = dns == null ? null : dns.change();
            destination.drain(moveId, change);
            source.drain(moveId, change);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Void> ended = new CompletableFuture<>();
        POLLS.execute(() -> poll(ended, System.nanoTime(), null));
        return ended;
    }

    /**
     * Asks the source whether the drain ended; again after {@link #POLL} until it did, or until {@code deadline}
     * ({@link System#nanoTime()}, {@code null} until the move's hard maximum is known).
     */
    private void poll(CompletableFuture<Void> ended, long start, Long deadline) {
        String failure = null;
        try {
            Optional<TunnelEnd.DrainState> state = source.drainState(moveId);
            if (state.isEmpty()) {
                end(ended, "the source no longer holds the move");
                return;
            }
            if (state.get().endedBy() != null) {
                end(ended, "ended by " + state.get().endedBy());
                return;
            }
            if (state.get().closed()) {
                end(ended, "the move was closed before its drain ended");
                return;
            }
            if (deadline == null) {
                deadline = start + state.get().hardMax().plus(MARGIN).toNanos();
            }
        } catch (RuntimeException e) {
            failure = e.getMessage();
        }
        long limit = deadline == null ? start + DrainPolicy.DEFAULT_HARD_MAX.plus(MARGIN).toNanos() : deadline;
        if (System.nanoTime() - limit > 0) {
            end(ended, "not ended within the hard maximum and " + MARGIN.toSeconds() + " s; COMPLETED closes it"
                    + (failure == null ? "" : " (last poll: " + failure + ")"));
            return;
        }
        Long next = deadline;
        CompletableFuture.delayedExecutor(POLL.toMillis(), TimeUnit.MILLISECONDS, POLLS)
                .execute(() -> poll(ended, start, next));
    }

    private void end(CompletableFuture<Void> ended, String why) {
        detail = why;
        ended.complete(null);
    }

    @Override
    public CompletionStage<Void> rollback() {
        try {
            discard.run();
            return CompletableFuture.completedFuture(null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public String detail() {
        return detail;
    }
}
