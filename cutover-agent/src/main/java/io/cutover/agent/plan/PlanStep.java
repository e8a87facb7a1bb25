package io.cutover.agent.plan;

import io.cutover.api.CutoverStage;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * One step of a cutover plan, such as "install the destination flows" or "announce the new location".
 * A step runs at one stage; once it has been applied, a failure later in the plan calls its
 * {@link #rollback()}, in reverse order of application.
 */
public interface PlanStep {

    /** A short name for the timeline, such as {@code sdn.prepare}. */
    String name();

    /** The stage at which the plan applies this step. */
    CutoverStage stage();

    /** Does the step; the stage fails (and the plan rolls back) if it completes exceptionally. */
    CompletionStage<Void> apply();

    /** Undoes what {@link #apply()} did. Called only after {@code apply} completed normally. */
    CompletionStage<Void> rollback();

    /**
     * The steps of the same stage this one waits for, by name (those the plan does not have are passed over), or
     * empty to wait for every step before it in the stage: steps run one after another unless they say otherwise.
     */
    default Optional<Set<String>> waitsFor() {
        return Optional.empty();
    }

    /**
     * What the timeline says about the step once {@link #apply()} is done, such as {@code queued: the server
     * does not answer}; {@code null} for nothing.
     */
    default String detail() {
        return null;
    }

    /**
     * What this step, once applied, checked and could not confirm (such as {@code vm1 did not answer at br-b:vm1}), or
     * {@code null} when it confirmed it or checks nothing: the plan then ends {@link CutoverStage#UNVERIFIED} instead of
     * {@link CutoverStage#COMPLETED}. Such a step completes normally: what it could not confirm is no reason to undo
     * the move.
     */
    default String unverified() {
        return null;
    }

    /**
     * What undoing this step needs beyond the cutover's request, kept with the plan's state once it is applied (such as
     * the controller's move id), or {@code null} for nothing.
     */
    default String undoData() {
        return null;
    }

    /**
     * Gives this step, made anew for a plan an agent resumes after a restart, the {@link #undoData()} its predecessor
     * had when it was applied, so that {@link #rollback()} (and the later steps that share it) can act.
     */
    default void restore(String undoData) {
    }
}
