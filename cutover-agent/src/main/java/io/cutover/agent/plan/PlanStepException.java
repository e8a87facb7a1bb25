package io.cutover.agent.plan;

import io.cutover.api.CutoverStage;

/** A step of a cutover plan failed; the plan has rolled back what it had applied. */
public class PlanStepException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String step;
    private final CutoverStage stage;

    public PlanStepException(String step, CutoverStage stage, Throwable cause) {
        super("step " + step + " at " + stage + " failed: " + messageOf(cause), cause);
        this.step = step;
        this.stage = stage;
    }

    public String step() {
        return step;
    }

    public CutoverStage stage() {
        return stage;
    }

    private static String messageOf(Throwable cause) {
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }
}
