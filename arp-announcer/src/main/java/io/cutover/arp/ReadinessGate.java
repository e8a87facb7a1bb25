package io.cutover.arp;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Holds an announcement until the destination forwards: it waits on a future such as the SDN controller's
 * barrier-confirmed commit (the lesson of Nova bug 1815989 and OVN's activation strategies). The gate has a
 * timeout, and its {@link GateResult} says whether the announcement left on time, early or late. Immutable.
 */
public final class ReadinessGate {
    /** How long the gate waits for readiness before it applies {@link #onTimeout()}: 2 s. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    /**
     * What the gate does at the timeout by default: announce anyway ({@link GateResult.Outcome#EARLY}),
     * since a VM that is never announced stays unreachable for minutes, while an early one loses only what
     * the destination drops until it forwards.
     */
    public static final OnTimeout DEFAULT_ON_TIMEOUT = OnTimeout.ANNOUNCE;

    private static final ReadinessGate OPEN = new ReadinessGate(null, DEFAULT_TIMEOUT, DEFAULT_ON_TIMEOUT);

    private final CompletionStage<?> ready;
    private final Duration timeout;
    private final OnTimeout onTimeout;

    /** What the gate does when the timeout passes before readiness. */
    public enum OnTimeout {
        /** Announce now, reported as {@link GateResult.Outcome#EARLY}. */
        ANNOUNCE,
        /** Keep waiting; announce when ready, reported as {@link GateResult.Outcome#LATE}. */
        WAIT,
        /** Announce nothing; the announcement fails with a {@link GateClosedException}. */
        ABORT
    }

    private ReadinessGate(CompletionStage<?> ready, Duration timeout, OnTimeout onTimeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the gate timeout must be above zero, was " + timeout);
        }
        this.ready = ready;
        this.timeout = timeout;
        this.onTimeout = Objects.requireNonNull(onTimeout, "onTimeout");
    }

    /** A gate that is always open: the announcement leaves at once. */
    public static ReadinessGate open() {
        return OPEN;
    }

    /** A gate that opens when {@code ready} completes normally, with the default timeout and policy. */
    public static ReadinessGate on(CompletionStage<?> ready) {
        return new ReadinessGate(Objects.requireNonNull(ready, "ready"), DEFAULT_TIMEOUT, DEFAULT_ON_TIMEOUT);
    }

    public ReadinessGate withTimeout(Duration newTimeout) {
        return new ReadinessGate(ready, newTimeout, onTimeout);
    }

    public ReadinessGate withOnTimeout(OnTimeout policy) {
        return new ReadinessGate(ready, timeout, policy);
    }

    public Duration timeout() {
        return timeout;
    }

    public OnTimeout onTimeout() {
        return onTimeout;
    }

    /** Whether this gate waits for nothing. */
    public boolean isOpen() {
        return ready == null;
    }

    /**
     * Completes when the announcement may leave, with how the gate opened; fails with a
     * {@link GateClosedException} when it must not. Completes in the calling thread when readiness is
     * already there.
     *
     * @param timer runs the timeout
     */
    public CompletionStage<GateResult> await(ScheduledExecutorService timer) {
        long start = System.nanoTime();
        if (ready == null) {
            return CompletableFuture.completedFuture(new GateResult(GateResult.Outcome.UNGATED, Duration.ZERO));
        }
        CompletableFuture<GateResult> result = new CompletableFuture<>();
        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledFuture<?> timeoutTask = timer.schedule(() -> {
            timedOut.set(true);
            Duration waited = Duration.ofNanos(System.nanoTime() - start);
            switch (onTimeout) {
                case ANNOUNCE -> result.complete(new GateResult(GateResult.Outcome.EARLY, waited));
                case ABORT -> result.completeExceptionally(new GateClosedException(
                        "the destination was not confirmed ready within " + timeout.toMillis() + "ms; nothing announced", null));
                case WAIT -> { }
            }
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
        ready.whenComplete((value, error) -> {
            timeoutTask.cancel(false);
            Duration waited = Duration.ofNanos(System.nanoTime() - start);
            if (error != null) {
                result.completeExceptionally(new GateClosedException(
                        "the destination's readiness failed after " + waited.toMillis() + "ms (" + error + "); nothing announced", error));
            } else {
                result.complete(new GateResult(timedOut.get() ? GateResult.Outcome.LATE : GateResult.Outcome.READY, waited));
            }
        });
        return result;
    }

    @Override
    public String toString() {
        return ready == null ? "ReadinessGate[open]" : "ReadinessGate[timeout " + timeout.toMillis() + "ms, " + onTimeout + "]";
    }
}
