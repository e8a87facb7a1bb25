package io.cutover.arp;

import io.cutover.api.CutoverEvent;
import io.cutover.api.CutoverListener;
import io.cutover.api.CutoverStage;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The announcer's part of a cutover: at {@link CutoverStage#ACTIVATED} it waits at the readiness gate
 * (the SDN commit) and announces on the schedule; at {@link CutoverStage#FAILED} or
 * {@link CutoverStage#ROLLED_BACK} it cancels, so nothing is sent if the gate has not opened. Its stage for
 * ACTIVATED completes once the first round has left; the later rounds go on during the brownout.
 */
public final class AnnouncingListener implements CutoverListener {
    private final Announcer announcer;
    private final Announcement announcement;
    private final Schedule schedule;
    private final Supplier<ReadinessGate> gate;
    private final AtomicReference<Announcing> current = new AtomicReference<>();

    /**
     * @param gate called at ACTIVATED for the gate to wait at, such as {@code () -> ReadinessGate.on(sdn.commit())}
     */
    public AnnouncingListener(Announcer announcer, Announcement announcement, Schedule schedule, Supplier<ReadinessGate> gate) {
        this.announcer = Objects.requireNonNull(announcer, "announcer");
        this.announcement = Objects.requireNonNull(announcement, "announcement");
        this.schedule = Objects.requireNonNull(schedule, "schedule");
        this.gate = Objects.requireNonNull(gate, "gate");
    }

    @Override
    public CompletionStage<Void> onEvent(CutoverEvent event) {
        switch (event.stage()) {
            case ACTIVATED -> {
                Announcing announcing = announcer.start(announcement, schedule, gate.get());
                Announcing previous = current.getAndSet(announcing);
                if (previous != null) {
                    previous.cancel();
                }
                return announcing.firstRound().thenApply(result -> null);
            }
            case FAILED, ROLLED_BACK -> {
                Announcing announcing = current.getAndSet(null);
                if (announcing != null) {
                    announcing.cancel();
                }
                return CompletableFuture.completedFuture(null);
            }
            default -> {
                return CompletableFuture.completedFuture(null);
            }
        }
    }

    /** The announcement started at ACTIVATED, if any: its {@link Announcing#done()} carries the report. */
    public Announcing current() {
        return current.get();
    }
}
