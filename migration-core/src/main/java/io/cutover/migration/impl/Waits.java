package io.cutover.migration.impl;

import io.cutover.migration.MigrationOptions;
import io.cutover.migration.transport.FrameType;

import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Every wait of a migration's source side for its destination gets its deadline here, so that no wait outlives a
 * stalled destination or a cancel: the checks between rounds cannot see a round that never ends. A wait for the destination to take
 * bytes ends once none left for the progress timeout (a slow destination that keeps reading is not stalled); a
 * wait for a connection or an answer ends at the shorter of the I/O and progress timeouts. A waiter looks at least
 * every {@value #LOOK_MS} ms whether the migration was cancelled, and then stops waiting.
 */
final class Waits {
    /** The longest a waiter sleeps before it looks again. */
    static final long LOOK_MS = 50;
    static final long LOOK_NANOS = TimeUnit.MILLISECONDS.toNanos(LOOK_MS);

    /** The destination made no progress for a wait's limit. */
    static final class Stalled extends IllegalStateException {
        private static final long serialVersionUID = 1L;
        private final Duration limit;

        Stalled(String message, Duration limit) {
            super(message);
            this.limit = limit;
        }

        /** How long the destination made no progress. */
        Duration limit() {
            return limit;
        }
    }

    /** The migration was cancelled while it waited. */
    static final class Cancelled extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        Cancelled() {
            super("cancelled");
        }
    }

    private final Duration progressTimeout;
    private final Duration answerTimeout;
    private volatile boolean cancelled;

    Waits(MigrationOptions options) {
        this.progressTimeout = options.progressTimeout();
        this.answerTimeout = min(options.ioTimeout(), options.progressTimeout());
    }

    /** Ends every cancellable wait, now and later. */
    void cancel() {
        cancelled = true;
    }

    boolean cancelled() {
        return cancelled;
    }

    /** @throws Cancelled if the migration was cancelled */
    void checkCancelled() {
        if (cancelled) {
            throw new Cancelled();
        }
    }

    /** A wait for the destination to take bytes: call {@link Wait#progressed()} whenever it took some. */
    Wait forBytes() {
        return new Wait(progressTimeout, true, limit -> "the destination took no bytes for " + limit);
    }

    /** A wait for the destination's {@code frame}. */
    Wait forAnswer(FrameType frame) {
        return new Wait(answerTimeout, true, limit -> "no " + frame + " from the destination for " + limit);
    }

    /**
     * A wait for a connection to {@code destination} and its TLS handshake. Not {@code cancellable} for the question
     * whether the destination committed: a cancel must not leave that outcome in doubt.
     */
    Wait forConnection(InetSocketAddress destination, boolean cancellable) {
        return new Wait(answerTimeout, cancellable, limit -> "cannot connect to " + destination + " within " + limit);
    }

    /** The limit of {@link #forConnection}, for the transport's own connect timeout. */
    Duration connectTimeout() {
        return answerTimeout;
    }

    /** Waits until {@code future} is done (failed or not), within {@code wait}'s deadline. */
    static void await(io.netty.util.concurrent.Future<?> future, Wait wait) throws InterruptedException {
        while (!future.await(wait.next(), TimeUnit.NANOSECONDS)) {
            // looked again: not cancelled, not past the deadline
        }
    }

    /** One wait: a deadline that progress pushes back. Used by one thread. */
    final class Wait {
        private final long limitNanos;
        private final boolean cancellable;
        private final Function<String, String> message;
        private long deadline;

        private Wait(Duration limit, boolean cancellable, Function<String, String> message) {
            this.limitNanos = limit.toNanos();
            this.cancellable = cancellable;
            this.message = message;
            this.deadline = System.nanoTime() + limitNanos;
        }

        /** The destination made progress: the limit starts again. */
        void progressed() {
            deadline = System.nanoTime() + limitNanos;
        }

        /**
         * How long the waiter may sleep before it looks again, in nanoseconds (above zero).
         *
         * @throws Cancelled if the migration was cancelled
         * @throws Stalled   if the deadline passed
         */
        long next() {
            if (cancellable) {
                checkCancelled();
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new Stalled(message.apply(format(Duration.ofNanos(limitNanos))), Duration.ofNanos(limitNanos));
            }
            return Math.min(left, LOOK_NANOS);
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** {@code 5 s}, {@code 1.25 s}, {@code 800 ms}: as the options are written. */
    static String format(Duration d) {
        long ms = d.toMillis();
        return ms < 1000 ? ms + " ms" : BigDecimal.valueOf(ms, 3).stripTrailingZeros().toPlainString() + " s";
    }
}
