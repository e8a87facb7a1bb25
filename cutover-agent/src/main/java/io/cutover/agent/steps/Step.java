package io.cutover.agent.steps;

import io.cutover.agent.plan.PlanStep;
import io.cutover.api.CutoverStage;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * A {@link PlanStep} made of an action and its undo.
 *
 * @param name   the step's name on the timeline
 * @param stage  when it runs
 * @param action what it does
 * @param undo   how it is undone
 */
public record Step(String name, CutoverStage stage, Supplier<CompletionStage<Void>> action,
                   Supplier<CompletionStage<Void>> undo) implements PlanStep {

    /** A step whose action and undo are quick and synchronous. */
    public static Step of(String name, CutoverStage stage, Runnable action, Runnable undo) {
        return new Step(name, stage, () -> run(action), () -> run(undo));
    }

    /** A stage that is already complete: an action or an undo with nothing to do. */
    public static CompletionStage<Void> done() {
        return CompletableFuture.completedFuture(null);
    }

    /** Nothing to undo (an announcement cannot be taken back; it is the plan's last step anyway). */
    public static final Runnable NOTHING = () -> { };

    @Override
    public CompletionStage<Void> apply() {
        return action.get();
    }

    @Override
    public CompletionStage<Void> rollback() {
        return undo.get();
    }

    private static CompletionStage<Void> run(Runnable runnable) {
        try {
            runnable.run();
            return CompletableFuture.completedFuture(null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
