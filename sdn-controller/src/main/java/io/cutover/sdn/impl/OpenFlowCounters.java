package io.cutover.sdn.impl;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the controller sent its switches: flow-mods, and the transactions that confirmed them (a barrier after
 * ordered flow-mods, or an atomic bundle's commit), answered or failed. Safe from any thread.
 */
public final class OpenFlowCounters {
    /** How a batch of flow-mods was confirmed. */
    public enum Kind { BARRIER, BUNDLE }

    private final LongAdder flowMods = new LongAdder();
    private final LongAdder[][] transactions = new LongAdder[Kind.values().length][2];

    OpenFlowCounters() {
        for (LongAdder[] byOutcome : transactions) {
            byOutcome[0] = new LongAdder();
            byOutcome[1] = new LongAdder();
        }
    }

    /** Counts {@code mods} flow-mods sent as {@code kind}, and the transaction's outcome when {@code sent} ends. */
    CompletableFuture<Void> track(Kind kind, int mods, CompletableFuture<Void> sent) {
        flowMods.add(mods);
        return sent.whenComplete((ok, error) -> transactions[kind.ordinal()][error == null ? 0 : 1].increment());
    }

    public long flowMods() {
        return flowMods.sum();
    }

    /** Transactions of {@code kind} that the switch confirmed ({@code failed} false) or that failed. */
    public long transactions(Kind kind, boolean failed) {
        return transactions[kind.ordinal()][failed ? 1 : 0].sum();
    }
}
