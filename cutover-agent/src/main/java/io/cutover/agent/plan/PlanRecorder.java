package io.cutover.agent.plan;

/**
 * Where a plan keeps its {@link PlanState} so that it outlives the agent: told before each step runs, when a stage's
 * steps are all done, and when the plan has ended.
 */
@FunctionalInterface
public interface PlanRecorder {

    /** Keeps nothing. */
    PlanRecorder NONE = state -> { };

    /**
     * Keeps {@code state}. Before a step, a failure here fails the step without running it (the plan rolls back).
     *
     * @throws RuntimeException when it could not be kept
     */
    void record(PlanState state);
}
