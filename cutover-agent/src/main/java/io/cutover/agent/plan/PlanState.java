package io.cutover.agent.plan;

import io.cutover.api.CutoverStage;

import java.util.List;

/**
 * What a restarted agent needs of a plan to finish it or roll it back: where it is and what it has applied.
 *
 * @param stage     the stage reached (or being run)
 * @param stageDone whether every step of that stage is done
 * @param applied   the steps applied and not yet undone, oldest first, each with its undo data
 * @param running   the steps started and not yet done (their effect is unknown)
 * @param ended     whether the plan has ended ({@link #stage()} then says how)
 */
public record PlanState(CutoverStage stage, boolean stageDone, List<AppliedStep> applied, List<String> running,
                        boolean ended) {

    public PlanState {
        applied = List.copyOf(applied);
        running = List.copyOf(running);
    }

    /**
     * A step that was applied.
     *
     * @param name its name
     * @param undo what undoing it needs beyond the request ({@link PlanStep#undoData()}), or {@code null}
     */
    public record AppliedStep(String name, String undo) {
    }
}
