package io.cutover.agent.steps;

import io.cutover.agent.plan.PlanStep;
import io.cutover.ddns.DnsTimeoutException;
import io.cutover.ddns.DnsUpdater;
import io.cutover.ddns.VerificationTimeoutException;
import io.cutover.api.CutoverStage;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * The DNS part of a WAN move: {@code dns.lower-ttl} at PLANNED, {@code dns.switch} at ACTIVATED (a compare-and-swap
 * of each old address by the new one of its family), {@code dns.restore-ttl} at COMPLETED.
 *
 * <p>A server that does not answer never fails the cutover: the VM runs and is reachable through the tunnel
 * whatever DNS says. A TTL that cannot be lowered is left as it is; an address switch or a TTL restore waits in the
 * {@link DnsQueue} (the journal of the updater, or the queue itself for the TTL restore) and is applied when the
 * server answers again. Each step says so on the timeline
 * ({@code skipped: ...}, {@code queued: ...}). The lowering and the switch are noted in a {@link DnsChangeLog}, from
 * which the tunnel's drain learns when resolvers let go of the old address. Undoing the switch switches back (again a compare-and-swap);
 * undoing the lowering restores the TTL.
 */
public final class DnsSteps {
    private final DnsUpdater dns;
    private final DnsQueue queue;
    private final String name;
    private volatile boolean lowered;
    private volatile boolean switched;

    private DnsSteps(DnsQueue queue, String name) {
        this.dns = queue.updater();
        this.queue = queue;
        this.name = name;
    }

    /**
     * @param name       the VM's DNS name
     * @param from       its addresses before the move
     * @param to         its addresses after
     * @param loweredTtl the TTL during the move
     */
    public static List<PlanStep> of(DnsQueue queue, String name, List<InetAddress> from, List<InetAddress> to,
                                    Duration loweredTtl) {
        return of(queue, name, from, to, loweredTtl, new DnsChangeLog());
    }

    /**
     * {@link #of(DnsQueue, String, List, List, Duration)}, noting in {@code log} when the TTL was lowered from what and
     * when the address was switched, for the tunnel's drain.
     */
    public static List<PlanStep> of(DnsQueue queue, String name, List<InetAddress> from, List<InetAddress> to,
                                    Duration loweredTtl, DnsChangeLog log) {
        DnsUpdater dns = queue.updater();
        List<InetAddress[]> pairs = pairs(from, to);
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("newAddresses: no new address of the family of " + from
                    + " to point " + name + " at");
        }
        DnsSteps move = new DnsSteps(queue, name);
        return List.of(
                new DnsStep("dns.lower-ttl", CutoverStage.PLANNED, "skipped",
                        () -> dns.lowerTtl(name, loweredTtl).thenAccept(lowering -> {
                            move.lowered = true;
                            log.lowered(lowering.oldTtl(), lowering.readyAt().minus(lowering.oldTtl()));
                        }),
                        () -> move.lowered ? dns.restoreTtl(name).thenRun(() -> move.lowered = false) : Step.done()),
                new DnsStep("dns.switch", CutoverStage.ACTIVATED, "queued",
                        () -> move.switchAll(pairs, false).thenRun(() -> log.switched(loweredTtl, Instant.now())),
                        () -> move.switched ? move.switchAll(pairs, true) : Step.done()),
                new DnsStep("dns.restore-ttl", CutoverStage.COMPLETED, "queued",
                        () -> move.lowered ? move.restoreOrQueue() : Step.done(), Step::done));
    }

    /** Each old address with the first new one of its family. */
    static List<InetAddress[]> pairs(List<InetAddress> from, List<InetAddress> to) {
        List<InetAddress[]> pairs = new ArrayList<>();
        for (InetAddress old : from) {
            to.stream().filter(n -> (n instanceof Inet4Address) == (old instanceof Inet4Address)).findFirst()
                    .filter(n -> !n.equals(old))
                    .ifPresent(n -> pairs.add(new InetAddress[] {old, n}));
        }
        return pairs;
    }

    /** Restores the TTL now, or (a restore reads the server first, so it is not journaled) queues it. */
    private CompletionStage<Void> restoreOrQueue() {
        return dns.restoreTtl(name).thenRun(() -> lowered = false).whenComplete((ok, error) -> {
            if (error != null && DnsStep.tolerated(error)) {
                queue.retryUntilAnswered("the TTL restore of " + name, () -> dns.restoreTtl(name));
            }
        });
    }

    private CompletionStage<Void> switchAll(List<InetAddress[]> pairs, boolean back) {
        switched = !back;
        CompletableFuture<Void> all = CompletableFuture.completedFuture(null);
        for (InetAddress[] pair : pairs) {
            InetAddress a = back ? pair[1] : pair[0];
            InetAddress b = back ? pair[0] : pair[1];
            all = all.thenCompose(v -> dns.switchAddress(name, a, b).thenRun(() -> { }));
        }
        return all;
    }

    /**
     * A DNS step: a server that does not answer completes it with {@code tolerated: <why>} on the timeline (the
     * update, if any, waits in the queue); any other failure fails it.
     */
    private static final class DnsStep implements PlanStep {
        private final String name;
        private final CutoverStage stage;
        private final String tolerated;
        private final Supplier<CompletionStage<Void>> action;
        private final Supplier<CompletionStage<Void>> undo;
        private volatile String detail;

        DnsStep(String name, CutoverStage stage, String tolerated, Supplier<CompletionStage<Void>> action,
                Supplier<CompletionStage<Void>> undo) {
            this.name = name;
            this.stage = stage;
            this.tolerated = tolerated;
            this.action = action;
            this.undo = undo;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public CutoverStage stage() {
            return stage;
        }

        @Override
        public CompletionStage<Void> apply() {
            return tolerant(action.get());
        }

        @Override
        public CompletionStage<Void> rollback() {
            return tolerant(undo.get());
        }

        @Override
        public String detail() {
            return detail;
        }

        /** A server that does not answer (or not in time to verify): the update waits, the cutover goes on. */
        static boolean tolerated(Throwable error) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            return cause instanceof DnsTimeoutException || cause instanceof VerificationTimeoutException;
        }

        private CompletionStage<Void> tolerant(CompletionStage<Void> work) {
            return work.handle((ok, error) -> {
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                if (cause == null) {
                    detail = null;
                    return null;
                }
                if (tolerated(cause)) {
                    detail = tolerated + ": " + cause.getMessage();
                    return null;
                }
                throw cause instanceof RuntimeException runtime ? runtime : new CompletionException(cause);
            });
        }
    }
}
