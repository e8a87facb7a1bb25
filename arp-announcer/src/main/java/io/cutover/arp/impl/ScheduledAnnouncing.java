package io.cutover.arp.impl;

import io.cutover.arp.AnnounceReport;
import io.cutover.arp.Announcement;
import io.cutover.arp.Announcing;
import io.cutover.arp.GateClosedException;
import io.cutover.arp.GateResult;
import io.cutover.arp.ReadinessGate;
import io.cutover.arp.Schedule;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One announcement's life: wait at the gate, send round 0 at once (in the thread that opened the gate),
 * then each later round at its offset. The timer wakes a little before a round is due and spins the rest,
 * so rounds leave within microseconds of plan rather than within a timer tick.
 */
public final class ScheduledAnnouncing implements Announcing {
    /** How early the timer wakes before a round, to spin the rest of the way. */
    static final long SPIN_NANOS = 500_000;

    private final Announcement announcement;
    private final FrameSet frames;
    private final long[] offsets;
    private final FrameSink sink;
    private final ScheduledExecutorService timer;
    private final long calledNanos;
    private final long[] roundNanos;
    private final CompletableFuture<GateResult> firstRound = new CompletableFuture<>();
    private final CompletableFuture<AnnounceReport> done = new CompletableFuture<>();

    private GateResult gate;
    private long startNanos;
    private int next;
    private long framesSent;
    private boolean cancelled;
    private ScheduledFuture<?> pending;

    public ScheduledAnnouncing(Announcement announcement, FrameSet frames, Schedule schedule, FrameSink sink,
                               ScheduledExecutorService timer) {
        this.calledNanos = System.nanoTime();
        this.announcement = announcement;
        this.frames = frames;
        this.offsets = schedule.offsets().stream().mapToLong(d -> d.toNanos()).toArray();
        this.sink = sink;
        this.timer = timer;
        this.roundNanos = new long[offsets.length];
    }

    /** Waits at {@code readiness}, then sends. */
    public ScheduledAnnouncing begin(ReadinessGate readiness) {
        readiness.await(timer).whenComplete((result, error) -> {
            if (error != null) {
                fail(unwrap(error));
            } else {
                open(result);
            }
        });
        return this;
    }

    private synchronized void open(GateResult result) {
        if (done.isDone()) {
            return;
        }
        if (cancelled) {
            fail(new GateClosedException("the announcement was cancelled before the gate opened; nothing announced", null));
            return;
        }
        gate = result;
        sendDueRounds();
    }

    private synchronized void sendDueRounds() {
        try {
            while (next < offsets.length && !cancelled) {
                long now = System.nanoTime();
                if (next == 0) {
                    startNanos = now;
                }
                long deadline = startNanos + offsets[next];
                if (deadline - now > SPIN_NANOS) {
                    pending = timer.schedule(this::sendDueRounds, deadline - now - SPIN_NANOS, TimeUnit.NANOSECONDS);
                    return;
                }
                while (now < deadline) {
                    Thread.onSpinWait();
                    now = System.nanoTime();
                }
                roundNanos[next] = now;
                frames.sendRound(sink);
                framesSent += frames.size();
                next++;
                if (next == 1) {
                    firstRound.complete(gate);
                }
            }
            finish();
        } catch (RuntimeException e) {
            fail(e);
        }
    }

    private void finish() {
        List<Long> sent = new ArrayList<>(next);
        for (int i = 0; i < next; i++) {
            sent.add(roundNanos[i]);
        }
        done.complete(new AnnounceReport(announcement, gate, calledNanos, sent, framesSent));
    }

    private void fail(Throwable error) {
        firstRound.completeExceptionally(error);
        done.completeExceptionally(error);
    }

    @Override
    public CompletionStage<GateResult> firstRound() {
        return firstRound;
    }

    @Override
    public CompletionStage<AnnounceReport> done() {
        return done;
    }

    @Override
    public synchronized void cancel() {
        cancelled = true;
        if (pending != null) {
            pending.cancel(false);
        }
        if (gate == null) {
            fail(new GateClosedException("the announcement was cancelled before the gate opened; nothing announced", null));
        } else if (!done.isDone()) {
            finish();
        }
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }
}
