package io.cutover.agent.evacuation.impl;

import io.cutover.agent.CutoverRequest;
import io.cutover.agent.evacuation.Evacuation;
import io.cutover.agent.evacuation.EvacuationRequest;
import io.cutover.agent.evacuation.Mover;
import io.cutover.agent.evacuation.VmMove;
import io.cutover.support.Causes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;

/**
 * One evacuation as it runs: {@code parallel} workers each take the next VM, pick its destination (its own, or the
 * destination with the fewest of this evacuation's cutovers in flight, then the fewest given so far, then the first
 * named) and run its cutover to its end. A VM's failure is its own: the workers go on with the next.
 */
final class EvacuationRun implements Evacuation {
    private static final Logger LOG = LoggerFactory.getLogger(EvacuationRun.class);

    private final String id;
    private final EvacuationRequest request;
    private final Mover mover;
    private final long startNanos = System.nanoTime();
    /** Each VM's move, by its place in the request; guarded by {@code this}. */
    private final List<Slot> slots = new ArrayList<>();
    /** This evacuation's cutovers in flight, and given so far, by destination; guarded by {@code this}. */
    private final Map<String, Integer> inFlight = new HashMap<>();
    private final Map<String, Integer> given = new HashMap<>();
    private int next;
    private int unfinished;
    private long endNanos;

    EvacuationRun(String id, EvacuationRequest request, Mover mover) {
        this.id = id;
        this.request = request;
        this.mover = mover;
        request.vms().forEach(vm -> slots.add(new Slot(vm.vm())));
        unfinished = slots.size();
    }

    /** Starts the workers on {@code pool} ({@code parallel} threads), which it shuts down once every move ended. */
    void start(ExecutorService pool) {
        for (int i = 0; i < request.parallel(); i++) {
            pool.execute(() -> work(pool));
        }
    }

    private void work(ExecutorService pool) {
        int taken;
        while ((taken = take()) >= 0) {
            Slot slot;
            CutoverRequest vm;
            synchronized (this) {
                slot = slots.get(taken);
                vm = request.vms().get(taken).between(request.source(), slot.destination);
            }
            Mover.Moved moved;
            try {
                moved = mover.move(vm, cutover -> {
                    synchronized (this) {
                        slot.cutover = cutover;
                    }
                });
            } catch (RuntimeException e) {
                moved = new Mover.Moved(VmMove.Outcome.REFUSED, String.valueOf(Causes.unwrap(e).getMessage()),
                        Optional.empty());
            }
            finish(slot, moved, pool);
        }
    }

    /** The next VM's place with its destination picked and its move RUNNING, or -1 when none is left. */
    private synchronized int take() {
        if (next >= slots.size()) {
            return -1;
        }
        int taken = next++;
        Slot slot = slots.get(taken);
        String pinned = request.vms().get(taken).destination();
        slot.destination = pinned != null ? pinned : leastLoaded();
        inFlight.merge(slot.destination, 1, Integer::sum);
        given.merge(slot.destination, 1, Integer::sum);
        slot.outcome = VmMove.Outcome.RUNNING;
        slot.startNanos = System.nanoTime();
        return taken;
    }

    private String leastLoaded() {
        String best = null;
        for (String destination : request.destinations()) {
            if (best == null || load(destination) < load(best)) {
                best = destination;
            }
        }
        return best;
    }

    /** A destination's load: its cutovers in flight first, then those given so far. */
    private long load(String destination) {
        return (long) inFlight.getOrDefault(destination, 0) * (request.vms().size() + 1)
                + given.getOrDefault(destination, 0);
    }

    private void finish(Slot slot, Mover.Moved moved, ExecutorService pool) {
        synchronized (this) {
            slot.outcome = moved.outcome();
            slot.failure = moved.failure();
            slot.downtime = moved.downtime();
            slot.endNanos = System.nanoTime();
            inFlight.merge(slot.destination, -1, Integer::sum);
            if (--unfinished == 0) {
                endNanos = System.nanoTime();
                pool.shutdown();
            }
        }
        LOG.info("evacuation {}: {} to {} {}{} ({} left)", id, slot.vm, slot.destination, slot.outcome,
                slot.failure == null ? "" : ": " + slot.failure, unfinishedNow());
    }

    private synchronized int unfinishedNow() {
        return unfinished;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public EvacuationRequest request() {
        return request;
    }

    @Override
    public synchronized List<VmMove> moves() {
        long now = System.nanoTime();
        return slots.stream().map(slot -> slot.snapshot(now)).toList();
    }

    @Override
    public synchronized boolean ended() {
        return unfinished == 0;
    }

    @Override
    public synchronized Duration duration() {
        return Duration.ofNanos((unfinished == 0 ? endNanos : System.nanoTime()) - startNanos);
    }

    /** One VM's move; guarded by the run. */
    private static final class Slot {
        private final String vm;
        private String destination;
        private String cutover;
        private VmMove.Outcome outcome = VmMove.Outcome.WAITING;
        private String failure;
        private Optional<Duration> downtime = Optional.empty();
        private long startNanos;
        private long endNanos;

        Slot(String vm) {
            this.vm = vm;
        }

        VmMove snapshot(long now) {
            Duration took = outcome == VmMove.Outcome.WAITING ? null
                    : Duration.ofNanos((outcome.ended() ? endNanos : now) - startNanos);
            return new VmMove(vm, destination, cutover, outcome, failure, took, downtime);
        }
    }
}
