package io.cutover.migration.impl;

import io.cutover.api.CutoverEvent;
import io.cutover.api.CutoverListener;
import io.cutover.api.CutoverStage;
import io.cutover.api.HypervisorMigration;
import io.cutover.api.MigrationFigures;
import io.cutover.api.SwitchoverGate;
import io.cutover.migration.Guest;
import io.cutover.migration.LiveMigration;
import io.cutover.migration.MigrationOptions;
import io.cutover.migration.MigrationProgress;
import io.cutover.migration.MigrationState;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A {@link LiveMigration} seen through the Hypervisor SPI: its events carry the cutover's id, its figures are its
 * progress, and the switchover gate is called at SWITCHOVER but not waited for (the migrator does not hold the
 * switchover). The result fails with the migrator's {@link io.cutover.migration.MigrationException}.
 */
public final class BuiltInMigration implements HypervisorMigration {
    private final String id;
    private final LiveMigration live;
    private final Relay relay;
    private final CompletionStage<MigrationFigures> result;

    private BuiltInMigration(String id, LiveMigration live, Relay relay) {
        this.id = id;
        this.live = live;
        this.relay = relay;
        this.result = live.result().thenApply(report -> figures(report.progress(), relay.rounds()));
    }

    /** Starts migrating {@code guest}, which must be running, as the cutover {@code id}. */
    public static BuiltInMigration start(String id, Guest guest, InetSocketAddress destination, MigrationOptions options,
                                         CutoverListener listener, SwitchoverGate gate) {
        Relay relay = new Relay(id, listener, gate);
        return new BuiltInMigration(id, LiveMigration.start(guest, destination, options, List.of(relay)), relay);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public MigrationFigures progress() {
        return figures(live.progress(), relay.rounds());
    }

    @Override
    public CompletionStage<MigrationFigures> result() {
        return result;
    }

    @Override
    public void cancel() {
        live.cancel();
    }

    /**
     * The figures of {@code progress}: the state as the status ({@code iterative-precopy}, {@code completed},
     * {@code rolled-back}, ...), the pre-copy rounds begun, and the downtime once the guest was activated.
     */
    static MigrationFigures figures(MigrationProgress progress, int rounds) {
        return new MigrationFigures(status(progress.state()), rounds, progress.transferredBytes(),
                progress.remainingBytes(), progress.totalBytes(),
                progress.downtime().isZero() ? Optional.empty() : Optional.of(progress.downtime()));
    }

    private static String status(MigrationState state) {
        return state.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * The migrator's only listener: tells the cutover's listener of every event under the cutover's id, counts the
     * pre-copy rounds, and at SWITCHOVER calls the gate too. The migrator waits for none of them, but logs a failure.
     */
    private static final class Relay implements CutoverListener {
        private final String id;
        private final CutoverListener listener;
        private final SwitchoverGate gate;
        private final AtomicInteger rounds = new AtomicInteger();

        Relay(String id, CutoverListener listener, SwitchoverGate gate) {
            this.id = id;
            this.listener = listener;
            this.gate = gate;
        }

        int rounds() {
            return rounds.get();
        }

        @Override
        public CompletionStage<Void> onEvent(CutoverEvent own) {
            CutoverEvent event = new CutoverEvent(id, own.stage(), own.round(), own.nanoTime());
            if (event.stage() == CutoverStage.PRECOPY) {
                rounds.incrementAndGet();
            }
            CompletableFuture<Void> told = called(() -> listener.onEvent(event));
            if (event.stage() != CutoverStage.SWITCHOVER) {
                return told;
            }
            return CompletableFuture.allOf(told, called(() -> gate.atSwitchover(event)));
        }

        private static CompletableFuture<Void> called(Supplier<CompletionStage<Void>> call) {
            try {
                return call.get().toCompletableFuture();
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }

        @Override
        public String toString() {
            return "the listener and switchover gate of " + id;
        }
    }
}
