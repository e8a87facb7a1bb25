package io.cutover.agent.plan;

import io.cutover.api.CutoverStage;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * A step that does what another does, for a decorator to change one thing about it (what it waits for, what it keeps
 * for its undo) by overriding that alone.
 */
public abstract class ForwardingStep implements PlanStep {
    private final PlanStep step;

    protected ForwardingStep(PlanStep step) {
        this.step = Objects.requireNonNull(step, "step");
    }

    @Override
    public String name() {
        return step.name();
    }

    @Override
    public CutoverStage stage() {
        return step.stage();
    }

    @Override
    public CompletionStage<Void> apply() {
        return step.apply();
    }

    @Override
    public CompletionStage<Void> rollback() {
        return step.rollback();
    }

    @Override
    public Optional<Set<String>> waitsFor() {
        return step.waitsFor();
    }

    @Override
    public String detail() {
        return step.detail();
    }

    @Override
    public String unverified() {
        return step.unverified();
    }

    @Override
    public String undoData() {
        return step.undoData();
    }

    @Override
    public void restore(String undoData) {
        step.restore(undoData);
    }
}
