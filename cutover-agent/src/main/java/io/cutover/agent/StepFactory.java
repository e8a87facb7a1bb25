package io.cutover.agent;

import io.cutover.agent.plan.PlanStep;
import io.cutover.agent.plan.Timeline;

import java.util.List;

/** Makes the steps of one cutover's plan, from the parts of the plan this host has switched on. */
@FunctionalInterface
public interface StepFactory {

    List<PlanStep> steps(String cutoverId, CutoverRequest request);

    /**
     * {@link #steps(String, CutoverRequest)} for a plan that will keep its record in {@code timeline}: steps that
     * reckon from what the plan places there (the guest's pause) read it when they run.
     */
    default List<PlanStep> steps(String cutoverId, CutoverRequest request, Timeline timeline) {
        return steps(cutoverId, request);
    }

    /** No steps: the plan only records the timeline (every network part switched off). */
    static StepFactory none() {
        return (id, request) -> List.of();
    }
}
