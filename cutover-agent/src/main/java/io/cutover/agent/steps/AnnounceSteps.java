package io.cutover.agent.steps;

import io.cutover.agent.plan.PlanStep;
import io.cutover.arp.Announcement;
import io.cutover.arp.Announcer;
import io.cutover.arp.ReadinessGate;
import io.cutover.arp.Schedule;
import io.cutover.migration.CutoverStage;

import java.util.concurrent.CompletableFuture;

/** The announcement of the VM's new location, at ACTIVATED, after the steps before it (the SDN commit). */
public final class AnnounceSteps {
    private AnnounceSteps() {
    }

    /**
     * Announces at ACTIVATED; the step is done when the first round has left (the later rounds follow on the
     * schedule), so that the steps after it are not held for the whole schedule.
     */
    public static PlanStep announce(Announcer announcer, Announcement announcement, Schedule schedule) {
        return new Step("announce", CutoverStage.ACTIVATED,
                () -> announcer.start(announcement, schedule, ReadinessGate.open()).firstRound()
                        .thenApply(gate -> (Void) null),
                () -> CompletableFuture.completedFuture(null));
    }
}
