package io.cutover.agent;

import io.cutover.agent.plan.CutoverPlan;

/**
 * One cutover this agent runs: what was asked, and its plan (stage, timeline, failure).
 *
 * @param id      its identifier
 * @param request what the orchestrator asked for
 * @param plan    its plan
 */
public record Cutover(String id, CutoverRequest request, CutoverPlan plan) {
}
