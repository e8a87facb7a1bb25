package io.cutover.agent.evacuation.impl;

import io.cutover.agent.Cutover;
import io.cutover.agent.CutoverRequest;
import io.cutover.agent.CutoverService;
import io.cutover.agent.evacuation.Mover;
import io.cutover.agent.evacuation.VmMove;
import io.cutover.api.CutoverStage;
import io.cutover.api.HypervisorMigration;
import io.cutover.api.MigrationFigures;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * An evacuation's cutovers as the agent runs any other: created by {@link CutoverService#create} (its pre-checks and
 * PLANNED steps), then followed until {@link CutoverService#ended}; a failed one was rolled back as every cutover is.
 */
public final class ServiceMover implements Mover {
    /** How long one VM's cutover may take, from its creation to its end. */
    public static final Duration MOVE_LIMIT = Duration.ofMinutes(10);
    private static final long POLL_MS = 50;

    private final CutoverService service;
    private final Duration limit;

    public ServiceMover(CutoverService service) {
        this(service, MOVE_LIMIT);
    }

    ServiceMover(CutoverService service, Duration limit) {
        this.service = service;
        this.limit = limit;
    }

    @Override
    public Moved move(CutoverRequest request, Consumer<String> created) {
        Cutover cutover = service.create(request);
        created.accept(cutover.id());
        long deadline = System.nanoTime() + limit.toNanos();
        while (!service.ended(cutover)) {
            if (System.nanoTime() > deadline) {
                return new Moved(VmMove.Outcome.UNFINISHED, "still at " + cutover.plan().stage() + " after "
                        + limit.toMinutes() + " min", downtime(cutover));
            }
            try {
                Thread.sleep(POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Moved(VmMove.Outcome.UNFINISHED, "the agent stopped following it", downtime(cutover));
            }
        }
        CutoverStage stage = cutover.plan().stage();
        Throwable failure = cutover.plan().failure();
        if (stage == CutoverStage.COMPLETED) {
            return new Moved(VmMove.Outcome.COMPLETED, null, downtime(cutover));
        }
        if (stage == CutoverStage.UNVERIFIED) {
            return new Moved(VmMove.Outcome.UNVERIFIED, cutover.plan().unverified(), downtime(cutover));
        }
        return new Moved(VmMove.Outcome.ROLLED_BACK, failure != null ? failure.getMessage() : "ended " + stage,
                downtime(cutover));
    }

    /** QEMU's downtime of the cutover's guest, when this agent drove QEMU's migration and QEMU said. */
    private Optional<Duration> downtime(Cutover cutover) {
        try {
            return service.qemuMigration(cutover.id()).map(HypervisorMigration::progress)
                    .flatMap(MigrationFigures::downtime);
        } catch (RuntimeException unavailable) {
            return Optional.empty();
        }
    }
}
