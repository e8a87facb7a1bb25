package io.cutover.agent.steps;

import io.cutover.agent.plan.PlanStep;
import io.cutover.api.CutoverStage;
import io.cutover.tunnel.Forwarder;

import java.util.ArrayList;
import java.util.List;

/**
 * The brownout tunnel's part of the plan. The source holds what it catches from SWITCHOVER (only it catches anything
 * to hold), both ends forward from ACTIVATED (the destination first: it delivers before the source sends it anything,
 * then the source flushes what it held and forwards), DRAINING starts the drain (the move then ends by its drain
 * policy), COMPLETED closes. Armed, both ends are readied at PLANNED instead ({@code tunnel.arm}: the destination
 * delivers, the source holds), and ACTIVATED is the source's flush alone. Undoing any step discards the move (held
 * frames included).
 */
public final class TunnelSteps {
    private TunnelSteps() {
    }

    /** The move {@code moveId} between two forwarders of this process. */
    public static List<PlanStep> of(String moveId, Forwarder source, Forwarder destination) {
        return stages(moveId, TunnelEnd.of(source), TunnelEnd.of(destination), false);
    }

    /**
     * The move {@code moveId}, already registered at both ends (such as two daemons): {@code tunnel.ready} at PLANNED
     * checks that both hold it, then the stages.
     */
    public static List<PlanStep> registered(String moveId, TunnelEnd source, TunnelEnd destination) {
        return registered(moveId, source, destination, false);
    }

    /** {@link #registered(String, TunnelEnd, TunnelEnd)}, armed at PLANNED when {@code armed} (see {@link #registering}). */
    public static List<PlanStep> registered(String moveId, TunnelEnd source, TunnelEnd destination, boolean armed) {
        List<PlanStep> steps = new ArrayList<>();
        steps.add(Step.of("tunnel.ready", CutoverStage.PLANNED, () -> {
            source.requireMove(moveId);
            destination.requireMove(moveId);
        }, () -> discard(moveId, source, destination)));
        steps.addAll(stages(moveId, source, destination, armed));
        return List.copyOf(steps);
    }

    /**
     * A move this plan registers itself at both ends, at PLANNED ({@code tunnel.register}): the destination first,
     * then the source, each told where the other listens; then the stages. Undoing the registration removes it at
     * both ends.
     *
     * @param armed whether both ends are readied at PLANNED, so that the blackout's chain is one step shorter and the
     *              flush one call: only where nothing reaches the source's capture before the switchover sends it
     *              there (a controller's redirect on a LAN: the capture takes only frames to the VM's MAC), and
     *              nothing reaches the destination's before the source sends it
     */
    public static List<PlanStep> registering(TunnelMove move, TunnelEnd source, TunnelEnd destination, boolean armed) {
        List<PlanStep> steps = new ArrayList<>();
        steps.add(Step.of("tunnel.register", CutoverStage.PLANNED, () -> {
            destination.register(move, "DESTINATION", source.underlay());
            source.register(move, "SOURCE", destination.underlay());
        }, () -> discard(move.id(), source, destination)));
        steps.addAll(stages(move.id(), source, destination, armed));
        return List.copyOf(steps);
    }

    private static List<PlanStep> stages(String moveId, TunnelEnd source, TunnelEnd destination, boolean armed) {
        Runnable discard = () -> discard(moveId, source, destination);
        List<PlanStep> steps = new ArrayList<>();
        if (armed) {
            steps.add(Step.of("tunnel.arm", CutoverStage.PLANNED, () -> {
                destination.stage(moveId, CutoverStage.ACTIVATED);
                source.stage(moveId, CutoverStage.SWITCHOVER);
            }, discard));
            steps.add(Step.of("tunnel.flush", CutoverStage.ACTIVATED,
                    () -> source.stage(moveId, CutoverStage.ACTIVATED), discard));
        } else {
            steps.add(Step.of("tunnel.hold", CutoverStage.SWITCHOVER,
                    () -> source.stage(moveId, CutoverStage.SWITCHOVER), discard));
            steps.add(bothEnds("tunnel.flush", CutoverStage.ACTIVATED, moveId, source, destination));
        }
        steps.add(bothEnds("tunnel.drain", CutoverStage.DRAINING, moveId, source, destination));
        steps.add(bothEnds("tunnel.close", CutoverStage.COMPLETED, moveId, source, destination));
        return List.copyOf(steps);
    }

    /** A stage applied to both ends, the destination first. */
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
