package io.cutover.api;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Is told of every stage of a cutover. The network modules (SDN, tunnel, announcements, DNS) each
 * provide one; the cutover plan calls them in order.
 *
 * <p>The returned stage completes when the listener has done its part; a migration may hold the
 * switchover until the listeners of {@link CutoverStage#PLANNED} have completed.
 */
@FunctionalInterface
public interface CutoverListener {

    CompletionStage<Void> onEvent(CutoverEvent event);

    /** A listener that does nothing, for steps switched off by configuration. */
    static CutoverListener none() {
        return event -> CompletableFuture.completedFuture(null);
    }
}
