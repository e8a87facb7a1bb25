package io.cutover.agent;

import io.cutover.agent.journal.CutoverDocument;
import io.cutover.agent.journal.CutoverJournal;
import io.cutover.agent.plan.CutoverPlan;
import io.cutover.agent.plan.PlanState;
import io.cutover.agent.plan.Timeline;
import io.cutover.api.CutoverStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Ends the cutovers that an agent left unfinished, from their documents in the journal: this host's own when its
 * agent starts again ({@link #recoverOwn()}), and those of a host whose agent has been down past its lease ({@link
 * #takeOverExpired()}). A cutover is taken over by a compare-and-set on its document, so only one agent ends it. Its
 * plan is made again from the request and resumed where the document says: before the commit ({@code COMMITTED}) it
 * is rolled back, its applied steps undone newest first; from the commit on the guest can only run at the destination,
 * so it is finished (the interrupted stage's remaining steps, then the stages up to COMPLETED). Either way the outcome
 * is written to the document, and the cutover is listed by this agent's REST API. A cutover that applied a step this
 * agent's configuration makes none for (such as {@code sdn.redirect} at a peer without the {@code sdn} section) is left
 * to an agent that can undo it, with a warning, rather than ended with that step still in place.
 */
public final class CutoverRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(CutoverRecovery.class);

    private final String host;
    private final CutoverJournal journal;
    private final StepFactory steps;
    private final CutoverService service;
    /** The cutovers this agent is ending now: its own document says so, and the next lease check must not retake it. */
    private final Set<String> ending = ConcurrentHashMap.newKeySet();
    /** The cutovers left to another agent as this one cannot make all their steps (logged once each). */
    private final Set<String> leftAlone = ConcurrentHashMap.newKeySet();

    public CutoverRecovery(String host, CutoverJournal journal, StepFactory steps, CutoverService service) {
        this.host = host;
        this.journal = journal;
        this.steps = steps;
        this.service = service;
    }

    /** Ends this host's unfinished cutovers, left by an earlier run of its agent; returns their ids. */
    public List<String> recoverOwn() {
        return recover(host, "the agent of " + host + " restarted");
    }

    /** Ends the unfinished cutovers of every other host whose agent holds no lease; returns their ids. */
    public List<String> takeOverExpired() {
        List<String> taken = new ArrayList<>();
        for (String down : journal.hostsWithoutLease()) {
            if (!down.equals(host)) {
                taken.addAll(recover(down, "taken over by the agent of " + host + ": the lease of " + down
                        + "'s agent expired"));
            }
        }
        return taken;
    }

    private List<String> recover(String of, String why) {
        List<String> recovered = new ArrayList<>();
        for (CutoverJournal.Stored stored : journal.unfinished(of)) {
            CutoverDocument document = stored.document();
            String owner = document.owner();
            if (!owner.equals(of) && !owner.equals(host) && journal.leaseHeld(owner)) {
                continue; // a live peer ends it
            }
            List<String> unknown = unknownSteps(document);
            if (!unknown.isEmpty()) {
                if (leftAlone.add(document.id())) {
                    LOG.warn("cutover {} of {}: left to an agent that can undo it: it applied {}, which this agent's "
                            + "configuration makes no step for", document.id(), of, unknown);
                }
                continue;
            }
            if (!ending.add(document.id())) {
                continue; // this agent ends it already
            }
            boolean started = false;
            try {
                started = takeAndEnd(stored, why);
            } finally {
                if (!started) {
                    ending.remove(document.id());
                }
            }
            if (started) {
                recovered.add(document.id());
            }
        }
        return recovered;
    }

    /** The steps the document says were applied or running that this agent's plan for it would not have. */
    private List<String> unknownSteps(CutoverDocument document) {
        Set<String> known = new HashSet<>();
        steps.steps(document.id(), document.request()).forEach(step -> known.add(step.name()));
        return Stream.concat(document.state().applied().stream().map(PlanState.AppliedStep::name),
                document.state().running().stream()).filter(name -> !known.contains(name)).distinct().toList();
    }

    /** Takes the cutover over and starts ending it; false when another agent wrote its document first. */
    private boolean takeAndEnd(CutoverJournal.Stored stored, String why) {
        Optional<CutoverJournal.Taken> taken = journal.claim(stored, host, why);
        if (taken.isEmpty()) {
            LOG.info("cutover {} of {}: another agent took it over first", stored.document().id(),
                    stored.document().host());
            return false;
        }
        end(taken.get(), why);
        return true;
    }

    private void end(CutoverJournal.Taken taken, String why) {
        CutoverDocument document = taken.document();
        CutoverRequest request = document.request();
        PlanState saved = document.state();
        Timeline timeline = new Timeline();
        CutoverPlan plan = CutoverPlan.resumed(document.id(), timeline, steps.steps(document.id(), request, timeline),
                Boolean.FALSE.equals(request.switchoverReported()) ? Set.of(CutoverStage.SWITCHOVER) : Set.of(), saved)
                .recordedBy(taken.recorder());
        boolean finish = saved.stage().compareTo(CutoverStage.COMMITTED) >= 0 && saved.stage() != CutoverStage.FAILED
                && saved.stage() != CutoverStage.ROLLED_BACK;
        timeline.add("recovery", finish ? "finishing" : "rolling-back", why + "; found at " + saved.stage()
                + (saved.stageDone() ? "" : " (its steps " + saved.running() + " were running)") + ", applied "
                + saved.applied().stream().map(PlanState.AppliedStep::name).toList());
        LOG.warn("cutover {} of {}: {}; found at {}, {} it", document.id(), document.host(), why, saved.stage(),
                finish ? "finishing" : "rolling back");
        Cutover cutover = new Cutover(document.id(), request, plan);
        service.adopt(cutover, document.host());
        CompletionStage<Void> done = finish ? plan.finishRecovered() : plan.rollBackRecovered(why);
        done.whenComplete((ok, error) -> {
            List<String> notUndone = timeline.entries().stream().filter(entry -> entry.event().equals("rollback-failed"))
                    .map(entry -> entry.what() + " (" + entry.detail() + ")").toList();
            if (notUndone.isEmpty()) {
                LOG.warn("cutover {} of {}: {} after the recovery", document.id(), document.host(), plan.stage());
            } else {
                LOG.error("cutover {} of {}: {} after the recovery, but these steps could not be undone and are left "
                        + "as they were: {}", document.id(), document.host(), plan.stage(), notUndone);
            }
            service.releaseRecovered(cutover);
            ending.remove(document.id());
        });
    }
}
