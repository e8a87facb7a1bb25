package io.cutover.sdn.impl;

import io.cutover.sdn.NotMasterException;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * A master's saves to the cluster's store, grouped: a save asked for while another is in flight waits for it and is
 * then written together with every other save asked for meanwhile, as one store transaction of the latest state
 * (each state is made from the one before, so the latest holds them all). Every caller of a group gets the group's
 * outcome: all of them complete when its transaction lands, or all fail with the same exception.
 * <p>
 * A failed group also fails the group waiting behind it (its state holds the failed changes), and every save asked for
 * after it, until the controller has put its model back as the store last took it and calls {@link #resume}: nothing
 * made from a refused state is ever written. Every save belongs to the term it was asked for in (the store's state as
 * {@link #resume} last gave it, such as a takeover's load): a group is written with its term, which the writer refuses
 * once the state was read again since, and {@link #resume} fails the group that waits. Thread safe; the writes run one
 * at a time on {@code executor}.
 */
final class GroupCommit {
    /** Writes one state made in {@code term} to the store, or throws (and then wrote nothing). */
    interface Writer {
        void write(ModelState state, long term);
    }

    private final Writer write;
    private final Executor executor;
    /** The state the next group writes, and its callers' future; null when no save waits. */
    private ModelState waiting;
    private CompletableFuture<Void> waitingDone;
    private boolean inFlight;
    /** Why the last group failed, until {@link #resume}; saves asked for meanwhile fail with it. */
    private RuntimeException failed;
    /** The state the store last took from this controller. */
    private volatile ModelState landed;
    private long term;
    private long groups;
    private long saves;

    /**
     * @param write    writes one state to the store, or throws (and then wrote nothing)
     * @param executor where the writes run, one at a time
     * @param landed   the state the store holds now, in term 0
     */
    GroupCommit(Writer write, Executor executor, ModelState landed) {
        this.write = write;
        this.executor = executor;
        this.landed = landed;
    }

    /**
     * Saves {@code state}, made from every state passed before: with the saves asked for while one is in flight, in
     * the next transaction. Completes once it landed; fails as its group did.
     */
    synchronized CompletableFuture<Void> save(ModelState state) {
        saves++;
        if (failed != null) {
            return CompletableFuture.failedFuture(failed);
        }
        waiting = state;
        if (waitingDone == null) {
            waitingDone = new CompletableFuture<>();
        }
        CompletableFuture<Void> done = waitingDone;
        if (!inFlight) {
            writeWaiting();
        }
        return done;
    }

    private void writeWaiting() {
        ModelState state = waiting;
        CompletableFuture<Void> done = waitingDone;
        long written = term;
        waiting = null;
        waitingDone = null;
        inFlight = true;
        groups++;
        executor.execute(() -> {
            RuntimeException error = null;
            try {
                write.write(state, written);
            } catch (RuntimeException e) {
                error = e;
            }
            CompletableFuture<Void> behind = null;
            synchronized (this) {
                inFlight = false;
                if (written != term) {
                    // a group of an earlier term: its callers learn its outcome, the current term is not touched
                    if (waitingDone != null) {
                        writeWaiting();
                    }
                } else if (error == null) {
                    landed = state;
                    if (waitingDone != null) {
                        writeWaiting();
                    }
                } else {
                    failed = error;
                    behind = waitingDone;
                    waiting = null;
                    waitingDone = null;
                }
            }
            if (error == null) {
                done.complete(null);
            } else {
                done.completeExceptionally(error);
                if (behind != null) {
                    behind.completeExceptionally(error);
                }
            }
        });
    }

    /**
     * Takes saves again, made from {@code state}, which the store holds: after a failed group (the caller put its model
     * back), or in a new {@code term} (a takeover's or a slave's read), which fails the saves of the term before that
     * still wait.
     */
    synchronized void resume(ModelState state, long term) {
        failed = null;
        landed = state;
        if (term != this.term && waitingDone != null) {
            waitingDone.completeExceptionally(new NotMasterException("the desired state was read from the store "
                    + "again since this change was made: this controller is not the master it was, nothing was changed"));
            waiting = null;
            waitingDone = null;
        }
        this.term = term;
    }

    /** The term of the saves asked for now. */
    synchronized long term() {
        return term;
    }

    /** Whether a group failed and the controller has not resumed yet. */
    synchronized boolean failing() {
        return failed != null;
    }

    /** The state the store last took from this controller (or that it read). */
    ModelState landed() {
        return landed;
    }

    /** How many transactions wrote the saves asked for. */
    synchronized long groups() {
        return groups;
    }

    /** How many saves were asked for. */
    synchronized long saves() {
        return saves;
    }
}
