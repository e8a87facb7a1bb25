package io.cutover.agent.steps;

import io.cutover.agent.plan.PlanStep;
import io.cutover.api.CutoverStage;
import io.cutover.tunnel.Forwarder;

import java.util.ArrayList;
import java.util.List;

/**
 * The brownout tunnel's part of the plan: hold at SWITCHOVER (the source), flush then forward at ACTIVATED, start
 * draining at DRAINING (the move then ends by its drain policy), close at COMPLETED. All but the hold are applied to
 * both ends, the destination first; undoing any of them discards the move (held frames included).
 */
public final class TunnelSteps {
    private TunnelSteps() {
    }

    /** The move {@code moveId} between two forwarders of this process. */
    public static List<PlanStep> of(String moveId, Forwarder source, Forwarder destination) {
        return stages(moveId, TunnelEnd.of(source), TunnelEnd.of(destination));
    }

    /**
     * The move {@code moveId}, already registered at both ends (such as two daemons): {@code tunnel.ready} at PLANNED
     * checks that both hold it, then the stages.
     */
    public static List<PlanStep> registered(String moveId, TunnelEnd source, TunnelEnd destination) {
        List<PlanStep> steps = new ArrayList<>();
        steps.add(Step.of("tunnel.ready", CutoverStage.PLANNED, () -> {
            source.requireMove(moveId);
            destination.requireMove(moveId);
        }, () -> discard(moveId, source, destination)));
        steps.addAll(stages(moveId, source, destination));
        return List.copyOf(steps);
    }

    /**
     * A move this plan registers itself at both ends, at PLANNED ({@code tunnel.register}): the destination first,
     * then the source, each told where the other listens; then the stages. Undoing the registration removes it at
     * both ends.
     */
    public static List<PlanStep> registering(TunnelMove move, TunnelEnd source, TunnelEnd destination) {
        List<PlanStep> steps = new ArrayList<>();
        steps.add(Step.of("tunnel.register", CutoverStage.PLANNED, () -> {
            destination.register(move, "DESTINATION", source.underlay());
            source.register(move, "SOURCE", destination.underlay());
        }, () -> discard(move.id(), source, destination)));
        steps.addAll(stages(move.id(), source, destination));
        return List.copyOf(steps);
    }

    private static List<PlanStep> stages(String moveId, TunnelEnd source, TunnelEnd destination) {
        return List.of(
                stage("tunnel.hold", CutoverStage.SWITCHOVER, moveId, source, destination),
                stage("tunnel.flush", CutoverStage.ACTIVATED, moveId, source, destination),
                stage("tunnel.drain", CutoverStage.DRAINING, moveId, source, destination),
                stage("tunnel.close", CutoverStage.COMPLETED, moveId, source, destination));
    }

    private static PlanStep stage(String name, CutoverStage stage, String moveId, TunnelEnd source,
                                  TunnelEnd destination) {
        return Step.of(name, stage, () -> {
            if (stage == CutoverStage.SWITCHOVER) {
                // only the source catches anything to hold, and the blackout is short: the destination is told
                // at ACTIVATED, when it starts delivering (a move goes to FORWARDING from either state)
                source.stage(moveId, stage);
            } else {
                // the destination first: it forwards before the source sends it anything
                destination.stage(moveId, stage);
                source.stage(moveId, stage);
            }
        }, () -> discard(moveId, source, destination));
    }

    private static void discard(String moveId, TunnelEnd source, TunnelEnd destination) {
        source.remove(moveId);
        destination.remove(moveId);
    }
}
