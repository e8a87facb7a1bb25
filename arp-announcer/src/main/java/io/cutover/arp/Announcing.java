package io.cutover.arp;

import java.util.concurrent.CompletionStage;

/** An announcement under way: waiting at its gate, then sending its rounds. */
public interface Announcing {

    /** Completes when the first round has left (with how the gate opened), or fails as {@link #done()} does. */
    CompletionStage<GateResult> firstRound();

    /**
     * Completes when the last round has left; fails with a {@link GateClosedException} when nothing was
     * announced, or an {@link AnnounceException} when sending failed.
     */
    CompletionStage<AnnounceReport> done();

    /** Stops: no further round leaves. If the gate has not opened yet, nothing is ever sent. */
    void cancel();
}
