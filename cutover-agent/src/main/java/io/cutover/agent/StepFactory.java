package io.cutover.agent;

import io.cutover.agent.plan.PlanStep;

import java.util.List;

/** Makes the steps of one cutover's plan, from the parts of the plan this host has switched on. */
@FunctionalInterface
public interface StepFactory {

    List<PlanStep> steps(String cutoverId, CutoverRequest request);

    /** No steps: the plan only records the timeline (every network part switched off). */
    static StepFactory none() {
        return (id, request) -> List.of();
    }
}
