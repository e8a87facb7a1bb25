package io.cutover.agent.steps;

import io.cutover.agent.plan.PlanStep;
import io.cutover.api.CutoverStage;
import io.cutover.tunnel.Forwarder;

import java.util.ArrayList;
import java.util.List;

/**
 * The brownout tunnel's part of the plan: hold at SWITCHOVER or armed at PLANNED (the source only: it alone catches
 * anything to hold; the destination is told at ACTIVATED, when it starts delivering), flush then forward at ACTIVATED, start
 * draining at DRAINING (the move then ends by its drain policy), close at COMPLETED. All but the hold are applied to
 * both ends, the destination first; undoing any of them discards the move (held frames included).
 */
public final class TunnelSteps {
    private TunnelSteps() {
    }

    /** The move {@code moveId} between two forwarders of this process. */
    public static List<PlanStep> of(String moveId, Forwarder source, Forwarder destination) {
        return stages(moveId, TunnelEnd.of(source), TunnelEnd.of(destination), CutoverStage.SWITCHOVER);
    }

    /**
     * The move {@code moveId}, already registered at both ends (such as two daemons): {@code tunnel.ready} at PLANNED
     * checks that both hold it, then the stages.
     */
    public static List<PlanStep> registered(String moveId, TunnelEnd source, TunnelEnd destination) {
        return registered(moveId, source, destination, CutoverStage.SWITCHOVER);
    }

    /**
     * {@link #registered(String, TunnelEnd, TunnelEnd)} with the source's hold at {@code holdAt}: SWITCHOVER, or PLANNED
     * to arm it before the pause (see {@link #registering}).
     */
    public static List<PlanStep> registered(String moveId, TunnelEnd source, TunnelEnd destination,
                                            CutoverStage holdAt) {
        List<PlanStep> steps = new ArrayList<>();
        steps.add(Step.of("tunnel.ready", CutoverStage.PLANNED, () -> {
            source.requireMove(moveId);
            destination.requireMove(moveId);
        }, () -> discard(moveId, source, destination)));
        steps.addAll(stages(moveId, source, destination, holdAt));
        return List.copyOf(steps);
    }

    /**
     * A move this plan registers itself at both ends, at PLANNED ({@code tunnel.register}): the destination first,
     * then the source, each told where the other listens; then the stages. Undoing the registration removes it at
     * both ends.
     *
     * @param holdAt when the source starts holding what it catches: SWITCHOVER, or PLANNED to arm it before the pause
     *               (the blackout's chain is one step shorter) — only where nothing reaches the source's capture
     *               before the switchover sends it there (a controller's redirect on a LAN: the capture takes only
     *               frames to the VM's MAC)
     */
    public static List<PlanStep> registering(TunnelMove move, TunnelEnd source, TunnelEnd destination,
                                             CutoverStage holdAt) {
        List<PlanStep> steps = new ArrayList<>();
        steps.add(Step.of("tunnel.register", CutoverStage.PLANNED, () -> {
            destination.register(move, "DESTINATION", source.underlay());
            source.register(move, "SOURCE", destination.underlay());
        }, () -> discard(move.id(), source, destination)));
        steps.addAll(stages(move.id(), source, destination, holdAt));
        return List.copyOf(steps);
    }

    private static List<PlanStep> stages(String moveId, TunnelEnd source, TunnelEnd destination, CutoverStage holdAt) {
        return List.of(
                Step.of("tunnel.hold", holdAt, () -> source.stage(moveId, CutoverStage.SWITCHOVER),
                        () -> discard(moveId, source, destination)),
                stage("tunnel.flush", CutoverStage.ACTIVATED, moveId, source, destination),
                stage("tunnel.drain", CutoverStage.DRAINING, moveId, source, destination),
                stage("tunnel.close", CutoverStage.COMPLETED, moveId, source, destination));
    }

    private static PlanStep stage(String name, CutoverStage stage, String moveId, TunnelEnd source,
                                  TunnelEnd destination) {
        return Step.of(name, stage, () -> {
            // the destination first: it forwards before the source sends it anything
            destination.stage(moveId, stage);
            source.stage(moveId, stage);
        }, () -> discard(moveId, source, destination));
    }

    private static void discard(String moveId, TunnelEnd source, TunnelEnd destination) {
        source.remove(moveId);
        destination.remove(moveId);
    }
}
