package io.cutover.agent.steps;

import io.cutover.agent.plan.PlanStep;
import io.cutover.agent.plan.Timeline;
import io.cutover.api.CutoverStage;
import io.cutover.tunnel.Forwarder;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The brownout tunnel's part of the plan. The source holds what it catches from SWITCHOVER (only it catches anything
 * to hold), both ends forward from ACTIVATED (the destination first: it delivers before the source sends it anything,
 * then the source flushes what it held and forwards), DRAINING drains ({@link TunnelDrain}: the stage lasts until the
 * source's move says its drain policy ended it), COMPLETED closes (the source first: the destination takes what the
 * source sent until then). Armed, both
 * ends are readied at PLANNED instead ({@code tunnel.arm}: the destination delivers, the source holds), and ACTIVATED
 * is the source's flush alone. Mirrored, only the destination is readied at PLANNED, and at SWITCHOVER the source
 * holds with a {@link #PAUSE_LOOKBACK}. Undoing any step discards the move (held frames included).
 */
public final class TunnelSteps {
    /**
     * How far back a mirrored source's hold reaches, from the guest's pause as QEMU stamped its {@code pre-switchover}
     * event (from the step's start where no pause is on the plan's timeline): a frame that reached the tap shortly
     * before the stop was never read by a guest running late under load. Counting from the pause, not the step, the
     * time the event takes to reach the plan does not count (10 to 20 ms on a busy host of the lab, once 60 ms, which
     * lost 8 probes), nor the call to the daemon (it is sent an instant). The frames the guest did read in this window
     * arrive twice (a duplicate, which UDP and TCP peers ignore), where a short one would lose them.
     */
    public static final Duration PAUSE_LOOKBACK = Duration.ofMillis(40);

    /** When the tunnel's ends are readied. */
    public enum Arming {
        /** Each end at its stage: the source holds at SWITCHOVER, both forward at ACTIVATED. */
        AT_STAGES,
        /**
         * Both ends at PLANNED (the destination delivers, the source holds): only where nothing reaches the source's
         * capture before the switchover sends it there (a controller's redirect on a LAN: the capture takes only
         * frames to the VM's MAC), and nothing reaches the destination's before the source sends it.
         */
        ARMED,
        /**
         * The destination at PLANNED; the source, whose switch copies the VM's traffic to it from PLANNED on (a
         * mirrored move), keeps what it catches a short while and at SWITCHOVER holds from {@link #PAUSE_LOOKBACK}
         * before: one call to this host's own daemon in the blackout, and nothing lost to its length.
         */
        MIRRORED
    }

    private TunnelSteps() {
    }

    /** The move {@code moveId} between two forwarders of this process. */
    public static List<PlanStep> of(String moveId, Forwarder source, Forwarder destination) {
        return stages(moveId, TunnelEnd.of(source), TunnelEnd.of(destination), Arming.AT_STAGES);
    }

    /**
     * The move {@code moveId}, already registered at both ends (such as two daemons): {@code tunnel.ready} at PLANNED
     * checks that both hold it, then the stages.
     */
    public static List<PlanStep> registered(String moveId, TunnelEnd source, TunnelEnd destination) {
        return registered(moveId, source, destination, Arming.AT_STAGES);
    }

    /** {@link #registered(String, TunnelEnd, TunnelEnd)}, its ends readied as {@code armed} says. */
    public static List<PlanStep> registered(String moveId, TunnelEnd source, TunnelEnd destination, Arming armed) {
        return registered(moveId, source, destination, armed, Notes.NONE);
    }

    /**
     * What the rest of a cutover's plan tells its tunnel steps.
     *
     * @param dns      what a WAN move's DNS steps did, or {@code null} (no DNS rule: the move drains until idle)
     * @param timeline the plan's timeline, where the guest's pause is placed (a mirrored hold reaches back from it),
     *                 or {@code null} (the hold reaches back from its own start)
     * @param lookback how far back from the pause a mirrored hold reaches: {@link #PAUSE_LOOKBACK}, more where the
     *                 pause is placed later than QEMU's stop (libvirt's Suspended event, at its arrival)
     */
    public record Notes(DnsChangeLog dns, Timeline timeline, Duration lookback) {
        /** Nothing noted. */
        public static final Notes NONE = new Notes(null, null);

        /** Notes whose hold reaches back {@link #PAUSE_LOOKBACK}. */
        public Notes(DnsChangeLog dns, Timeline timeline) {
            this(dns, timeline, PAUSE_LOOKBACK);
        }

        /**
         * Where a mirrored hold begins: {@code lookback} before the guest's pause, as QEMU (or libvirt's event) placed
         * it on the timeline ({@code vm.pause done}), however late the step itself runs; without it, before the
         * step's start.
         */
        Instant holdFrom() {
            long sincePause = 0;
            if (timeline != null) {
                try {
                    sincePause = Math.max(0, System.nanoTime() - timeline.nanoTimeOf("vm.pause", "done"));
                } catch (java.util.NoSuchElementException e) {
                    // no pause placed (an orchestrator's hook reported the switchover): from the step's start
                }
            }
            return Instant.now().minusNanos(sincePause).minus(lookback);
        }
    }

    /**
     * {@link #registered(String, TunnelEnd, TunnelEnd, Arming)} with what the rest of the plan notes for the tunnel's
     * steps.
     */
    public static List<PlanStep> registered(String moveId, TunnelEnd source, TunnelEnd destination, Arming armed,
                                            Notes notes) {
        List<PlanStep> steps = new ArrayList<>();
        steps.add(Step.of("tunnel.ready", CutoverStage.PLANNED, () -> {
            source.requireMove(moveId);
            destination.requireMove(moveId);
        }, () -> discard(moveId, source, destination)));
        steps.addAll(stages(moveId, source, destination, armed, notes));
        return List.copyOf(steps);
    }

    /**
     * A move this plan registers itself at both ends, at PLANNED ({@code tunnel.register}): the destination first,
     * then the source, each told where the other listens; then the stages. Undoing the registration removes it at
     * both ends.
     *
     * @param armed when the ends are readied
     */
    public static List<PlanStep> registering(TunnelMove move, TunnelEnd source, TunnelEnd destination, Arming armed) {
        return registering(move, source, destination, armed, Notes.NONE);
    }

    /**
     * {@link #registering(TunnelMove, TunnelEnd, TunnelEnd, Arming)} of a WAN move whose DNS steps note what they did
     * in {@code dns} ({@code null}: no DNS rule, the move drains until idle).
     */
    public static List<PlanStep> registering(TunnelMove move, TunnelEnd source, TunnelEnd destination, Arming armed,
                                             Notes notes) {
        List<PlanStep> steps = new ArrayList<>();
        steps.add(Step.of("tunnel.register", CutoverStage.PLANNED, () -> {
            destination.register(move, "DESTINATION", source.underlay());
            source.register(move, "SOURCE", destination.underlay());
        }, () -> discard(move.id(), source, destination)));
        steps.addAll(stages(move.id(), source, destination, armed, notes));
        return List.copyOf(steps);
    }

    private static List<PlanStep> stages(String moveId, TunnelEnd source, TunnelEnd destination, Arming armed) {
        return stages(moveId, source, destination, armed, Notes.NONE);
    }

    private static List<PlanStep> stages(String moveId, TunnelEnd source, TunnelEnd destination, Arming armed,
                                         Notes notes) {
        Runnable discard = () -> discard(moveId, source, destination);
        List<PlanStep> steps = new ArrayList<>();
        switch (armed) {
            case ARMED -> steps.add(Step.of("tunnel.arm", CutoverStage.PLANNED, () -> {
                destination.stage(moveId, CutoverStage.ACTIVATED);
                source.stage(moveId, CutoverStage.SWITCHOVER);
            }, discard));
            case MIRRORED -> {
                steps.add(Step.of("tunnel.arm", CutoverStage.PLANNED,
                        () -> destination.stage(moveId, CutoverStage.ACTIVATED), discard));
                steps.add(Step.of("tunnel.hold", CutoverStage.SWITCHOVER,
                        () -> source.hold(moveId, notes.holdFrom()), discard));
            }
            case AT_STAGES -> steps.add(Step.of("tunnel.hold", CutoverStage.SWITCHOVER,
                    () -> source.stage(moveId, CutoverStage.SWITCHOVER), discard));
        }
        steps.add(armed == Arming.AT_STAGES
                ? bothEnds("tunnel.flush", CutoverStage.ACTIVATED, moveId, source, destination)
                : Step.of("tunnel.flush", CutoverStage.ACTIVATED, () -> source.stage(moveId, CutoverStage.ACTIVATED),
                        discard));
        steps.add(new TunnelDrain(moveId, source, destination, notes.dns(), () -> discard(moveId, source, destination)));
        // the source first: the destination still takes what the source sends until it closes
        steps.add(Step.of("tunnel.close", CutoverStage.COMPLETED, () -> {
            source.stage(moveId, CutoverStage.COMPLETED);
            destination.stage(moveId, CutoverStage.COMPLETED);
        }, discard));
        return List.copyOf(steps);
    }

    /** A step that brings both ends to {@code stage}, the destination first (it delivers before the source sends). */
    private static PlanStep bothEnds(String name, CutoverStage stage, String moveId, TunnelEnd source,
                                     TunnelEnd destination) {
        return Step.of(name, stage, () -> {
            destination.stage(moveId, stage);
            source.stage(moveId, stage);
        }, () -> discard(moveId, source, destination));
    }

    private static void discard(String moveId, TunnelEnd source, TunnelEnd destination) {
        source.remove(moveId);
        destination.remove(moveId);
    }
}
