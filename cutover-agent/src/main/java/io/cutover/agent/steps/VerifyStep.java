package io.cutover.agent.steps;

import io.cutover.agent.plan.PlanStep;
import io.cutover.api.CutoverStage;
import io.cutover.support.Causes;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * A step at ACTIVATED that asks whether the moved VM answers at its new place. What it cannot confirm leaves it done
 * but {@linkplain PlanStep#unverified() unverified}: the plan ends UNVERIFIED, not COMPLETED, and nothing is rolled
 * back (the guest's memory is at the destination). The doubt is kept as undo data, so an agent restarted before
 * COMPLETED still ends UNVERIFIED.
 */
final class VerifyStep implements PlanStep {
    private static final String DOUBT = "unverified: ";
    private final String name;
    private final Supplier<CompletionStage<Finding>> check;
    private volatile String detail;
    private volatile String unverified;

    /** What a check found: how the VM answered, or why that could not be confirmed. */
    record Finding(String answered, String doubt) {
        static Finding answered(String how) {
            return new Finding(how, null);
        }

        static Finding doubt(String why) {
            return new Finding(null, why);
        }
    }

    /** @param check asks the VM; a failed check is a doubt too */
    VerifyStep(String name, Supplier<CompletionStage<Finding>> check) {
        this.name = name;
        this.check = check;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public CutoverStage stage() {
        return CutoverStage.ACTIVATED;
    }

    @Override
    public CompletionStage<Void> apply() {
        CompletionStage<Finding> asked;
        try {
            asked = check.get();
        } catch (RuntimeException e) {
            asked = CompletableFuture.failedFuture(e);
        }
        return asked.handle((finding, error) -> {
            if (error != null) {
                unverified = "could not ask the VM: " + Causes.unwrap(error).getMessage();
            } else {
                unverified = finding.doubt();
                detail = finding.answered();
            }
            return null;
        });
    }

    @Override
    public CompletionStage<Void> rollback() {
        return Step.done();
    }

    @Override
    public String detail() {
        return unverified != null ? unverified : detail;
    }

    @Override
    public String unverified() {
        return unverified;
    }

    @Override
    public String undoData() {
        String doubt = unverified;
        return doubt == null ? null : DOUBT + doubt;
    }

    @Override
    public void restore(String undoData) {
        if (undoData != null && undoData.startsWith(DOUBT)) {
            unverified = undoData.substring(DOUBT.length());
        }
    }
}
