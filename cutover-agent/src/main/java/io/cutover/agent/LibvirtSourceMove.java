package io.cutover.agent;

import io.cutover.agent.libvirt.LibvirtDomains;
import io.cutover.agent.libvirt.LibvirtEvent;
import io.cutover.agent.plan.CutoverPlan;
import io.cutover.api.CutoverStage;

import java.util.concurrent.CompletableFuture;

/**
 * A libvirt cutover at its source: libvirt's events of the domain here drive the plan, one at a time. Its {@code
 * Suspended Migrated} (or {@code Post-copy}) is the pause, which SWITCHOVER follows; a {@code Resumed} after the pause,
 * before the plan was activated, is a migration that failed (the guest runs on here); {@code Stopped Migrated} is the
 * migration's end; the guest stopping here in any other way before it moved fails the cutover.
 */
final class LibvirtSourceMove {
    /** What the cutover does at the migration's end. */
    interface Ending {
        /** The migration failed: the plan rolls back. */
        void failed();

        /**
         * The migration ended at the source: the plan activates once the destination reported the guest's resume,
         * then drains and completes.
         *
         * @param resumeReported completes when the destination's agent reported the guest's resume
         * @param ending         the event that ended it, for the timeline
         */
        void migrated(CompletableFuture<Void> resumeReported, String ending);
    }

    private final String host;
    private final CutoverPlan plan;
    private final Ending ending;
    private final CompletableFuture<Void> activated = new CompletableFuture<>();
    private volatile LibvirtDomains.Subscription subscription;
    private boolean paused;
    private boolean ended;

    /** @param host this host, for the timeline */
    LibvirtSourceMove(String host, CutoverPlan plan, Ending ending) {
        this.host = host;
        this.plan = plan;
        this.ending = ending;
    }

    /** Completes when the destination reported the guest's resume (the plan took ACTIVATED). */
    CompletableFuture<Void> activated() {
        return activated;
    }

    /** Follows the domain's events through {@code domains}. */
    void follow(LibvirtDomains domains, String domain) {
        subscription = domains.follow(domain, this::on);
    }

    /** One of the domain's events here. */
    synchronized void on(LibvirtEvent event) {
        if (ended) {
            return;
        }
        plan.timeline().addAt(event.nanoTime(), "libvirt", "event", event.words() + " at " + host);
        boolean activatedAlready = plan.stage().compareTo(CutoverStage.ACTIVATED) >= 0 && !plan.stage().isTerminal();
        boolean stopped = event.type() == LibvirtEvent.Type.STOPPED || event.type() == LibvirtEvent.Type.CRASHED;
        if (event.migrating(LibvirtEvent.Type.SUSPENDED)) {
            paused(event);
        } else if (event.type() == LibvirtEvent.Type.RESUMED && paused && !activatedAlready) {
            ended = true;
            plan.timeline().add("migration", "failed", "libvirt resumed the guest here after its pause ("
                    + event.words() + "): the migration failed");
            plan.timeline().add("libvirt", "source-guest", "running at " + host);
            ending.failed();
        } else if (event.is(LibvirtEvent.Type.STOPPED, LibvirtEvent.MIGRATED) || activatedAlready && stopped) {
            ended = true;
            paused(null);
            plan.timeline().add("libvirt", "completed", "libvirt's " + event.words());
            ending.migrated(activated, "libvirt's " + event.words());
        } else if (stopped) {
            ended = true;
            plan.timeline().add("migration", "failed", "the guest stopped here before it moved (" + event.words()
                    + ")");
            ending.failed();
        }
    }

    /**
     * The destination's agent reported the guest's resume: the pause is taken as seen if its event has not come (the
     * plan goes to SWITCHOVER before it takes ACTIVATED; complete {@link #activated()} once it has).
     */
    void resumeReported() {
        paused(null);
    }

    /**
     * Places the guest's pause on the timeline at the time its event was read (a mirrored hold reaches back from it),
     * then takes the plan to SWITCHOVER; without an event (it was not seen: the destination's resume or the
     * migration's end came first), the timeline says so. Once only.
     */
    private synchronized void paused(LibvirtEvent event) {
        if (paused) {
            return;
        }
        paused = true;
        if (event != null) {
            plan.timeline().addAt(event.nanoTime(), "vm.pause", "done", "libvirt's " + event.words());
        } else {
            plan.timeline().add("vm.pause", "unseen", "libvirt's Suspended Migrated did not reach this agent "
                    + "before the guest resumed at the destination or the migration ended");
        }
        try {
            plan.advance(CutoverStage.SWITCHOVER);
        } catch (IllegalStateException planEnded) {
            // rolled back or further on already
        }
    }

    /** No more events: the cutover has ended, or is ending otherwise. */
    void stop() {
        synchronized (this) {
            ended = true;
        }
        LibvirtDomains.Subscription following = subscription;
        if (following != null) {
            following.close();
        }
    }
}
