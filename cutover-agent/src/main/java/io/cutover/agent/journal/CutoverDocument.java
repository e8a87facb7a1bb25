package io.cutover.agent.journal;

import io.cutover.agent.CutoverRequest;
import io.cutover.agent.plan.PlanState;

/**
 * One cutover as its journal keeps it: what was asked, where its plan is, and who owns it.
 *
 * @param id      the cutover's id
 * @param host    the host whose agent created it (the document's place: {@code cutovers/<host>/<id>})
 * @param owner   the host whose agent drives it now: {@code host}, or the peer that took it over
 * @param request what the orchestrator asked for (the plan's steps are made from it again)
 * @param state   the plan's stage, its applied steps with their undo data, its running steps
 * @param writes  how many times the document was written, this write included
 * @param outcome how a recovery ended it (such as {@code rolled back by hostB after hostA's lease expired}), or
 *                {@code null}
 */
public record CutoverDocument(String id, String host, String owner, CutoverRequest request, PlanState state,
                              long writes, String outcome) {

    /** Whether the cutover still needs its owner: its plan has not ended. */
    public boolean unfinished() {
        return !state.ended();
    }

    public CutoverDocument with(PlanState newState) {
        return new CutoverDocument(id, host, owner, request, newState, writes + 1, outcome);
    }

    public CutoverDocument ownedBy(String newOwner, String why) {
        return new CutoverDocument(id, host, newOwner, request, state, writes + 1, why);
    }
}
