package io.cutover.agent.plan;

import io.cutover.api.CutoverEvent;
import io.cutover.api.CutoverListener;
import io.cutover.api.CutoverStage;
import io.cutover.support.Causes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Runs a cutover's steps stage by stage, in the order the stages happen, and undoes them in reverse when
 * anything fails. It is a {@link CutoverListener}, so the built-in migrator drives it through its events;
 * an orchestrator that migrates by itself drives it through {@link #advance(CutoverStage)} (the agent's
 * phase hooks).
 *
 * <p>Stages only move forward ({@code PRECOPY} may repeat), and never past a stage that has steps without running
 * it: an orchestrator that reports ACTIVATED without SWITCHOVER is refused, as the blackout's steps ({@code
 * tunnel.hold}, {@code sdn.redirect}) would silently not run. Only stages the plan was told the orchestrator
 * cannot see ({@code unseen}) are passed over, and the timeline says so; {@link #blackoutProtected()} is then
 * false. A failed step fails the stage, every applied step is rolled back, newest first, and the plan ends
 * {@link CutoverStage#ROLLED_BACK}. {@link CutoverStage#FAILED} from outside (the migration failed) does the same.
 */
public final class CutoverPlan implements CutoverListener {
    private static final Logger LOG = LoggerFactory.getLogger(CutoverPlan.class);

    /** How many steps may run (or block) at once, over all plans. */
    public static final int STEP_THREADS = 32;
    /**
     * Where steps run: never on the caller's thread, so that the migrator, which tells its listeners from
     * inside the blackout, is not held by the network's steps. Every thread starts with the class (see {@link
     * Threads}), so a step's sockets open where the agent runs, whichever thread handed it work (a thread of a DNS
     * updater opened in another namespace, say), unless the step says otherwise.
     */
    private static final Executor STEPS = Threads.prestarted("cutover-plan-steps", STEP_THREADS);

    private final String id;
    private final List<PlanStep> steps;
    private final Set<CutoverStage> unseen;
    private final Timeline timeline;
    private final Deque<PlanStep> applied = new ArrayDeque<>();
    private final Set<String> running = new java.util.LinkedHashSet<>();
    private PlanRecorder recorder = PlanRecorder.NONE;
    private boolean stageDone;
    private CutoverStage stage = CutoverStage.PLANNED;
    private boolean started;
    private boolean blackoutProtected = true;
    private Throwable failure;
    private String unverified;
    private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);

    public CutoverPlan(String id, List<PlanStep> steps) {
        this(id, steps, Set.of());
    }

    /**
     * @param unseen stages the orchestrator cannot see and will not report: their steps are passed over, not run
     */
    public CutoverPlan(String id, List<PlanStep> steps, Set<CutoverStage> unseen) {
        this(id, new Timeline(), steps, unseen);
    }

    /** @param timeline where the plan keeps its record (its steps may read it) */
    public CutoverPlan(String id, Timeline timeline, List<PlanStep> steps, Set<CutoverStage> unseen) {
        this.timeline = Objects.requireNonNull(timeline, "timeline");
        this.id = Objects.requireNonNull(id, "id");
        this.steps = List.copyOf(steps);
        this.unseen = Set.copyOf(unseen);
    }

    public String id() {
        return id;
    }

    /**
     * Keeps this plan's state in {@code recorder} from now on (before each step, at each stage's end, at its end).
     *
     * @return this plan
     */
    public synchronized CutoverPlan recordedBy(PlanRecorder recorder) {
        this.recorder = Objects.requireNonNull(recorder, "recorder");
        return this;
    }

    /**
     * A plan made anew for a cutover an earlier run of the agent left unfinished, at the stage {@code saved} names and
     * with its applied steps (those of {@code steps} by those names, given their undo data back): {@link
     * #rollBackRecovered} undoes them, or {@link #advance} goes on from there.
     */
    public static CutoverPlan resumed(String id, Timeline timeline, List<PlanStep> steps, Set<CutoverStage> unseen,
                                      PlanState saved) {
        CutoverPlan plan = new CutoverPlan(id, timeline, steps, unseen);
        synchronized (plan) {
            plan.stage = saved.stage();
            plan.started = true;
            plan.stageDone = saved.stageDone();
            for (PlanState.AppliedStep done : saved.applied()) {
                steps.stream().filter(step -> step.name().equals(done.name())).findFirst().ifPresentOrElse(step -> {
                    step.restore(done.undo());
                    plan.applied.push(step);
                }, () -> timeline.add(done.name(), "unknown", "applied before the restart; this plan has no such step"));
            }
        }
        return plan;
    }

    /**
     * Rolls back a {@link #resumed} plan, whatever its stage (FAILED when it was rolling back already): undoes its
     * applied steps, newest first, and ends {@link CutoverStage#ROLLED_BACK}.
     */
    public synchronized CompletionStage<Void> rollBackRecovered(String why) {
        CutoverStage at = stage;
        stage = CutoverStage.FAILED;
        tail = tail.handle((ok, error) -> null).thenComposeAsync(ignored -> rollBack(at,
                new IllegalStateException(why)), STEPS);
        return tail;
    }

    /**
     * Finishes a {@link #resumed} plan past its commit: runs the steps of its interrupted stage that were not applied
     * before the restart, then the stages after it up to {@link CutoverStage#COMPLETED}.
     */
    public synchronized CompletionStage<Void> finishRecovered() {
        CompletableFuture<Void> chain = tail.handle((ok, error) -> null);
        if (!stageDone) {
            CutoverStage again = stage;
            chain = chain.thenComposeAsync(ignored -> runStage(again), STEPS);
            tail = chain;
        }
        for (CutoverStage next : List.of(CutoverStage.ACTIVATED, CutoverStage.DRAINING, CutoverStage.COMPLETED)) {
            if (next.ordinal() > stage.ordinal()) {
                chain = chain.thenCompose(ignored -> advance(next).toCompletableFuture());
            }
        }
        return chain;
    }

    /** What a restarted agent needs of this plan now: its stage, what it applied (with undo data), what runs. */
    public synchronized PlanState state() {
        List<PlanState.AppliedStep> done = new java.util.ArrayList<>();
        applied.descendingIterator().forEachRemaining(step -> done.add(new PlanState.AppliedStep(step.name(),
                step.undoData())));
        return new PlanState(stage, stageDone, done, List.copyOf(running), stage.isTerminal() && stage != CutoverStage.FAILED
                && stageDone);
    }

    /** Tells the recorder the plan's state; a failure only logged, when {@code refusable} is false. */
    private void record(boolean refusable) {
        PlanRecorder to;
        PlanState state;
        synchronized (this) {
            to = recorder;
            state = state();
        }
        try {
            to.record(state);
        } catch (RuntimeException e) {
            if (refusable) {
                throw e;
            }
            LOG.warn("cutover {}: its state at {} could not be kept: {}", id, state.stage(), message(e));
        }
    }

    public Timeline timeline() {
        return timeline;
    }

    /** The stage reached (or being run) most recently. */
    public synchronized CutoverStage stage() {
        return stage;
    }

    /**
     * Whether the plan has ended and nothing of it runs any more: its last stage's steps (or its rollback) are done.
     * {@link #stage()} names a stage as soon as it is entered, before its steps ran.
     */
    public synchronized boolean ended() {
        return stage.isTerminal() && tail.isDone();
    }

    /** Why the plan rolled back, or {@code null}. */
    public synchronized Throwable failure() {
        return failure;
    }

    /** What the plan ended {@link CutoverStage#UNVERIFIED UNVERIFIED} for (every step's doubt), or {@code null}. */
    public synchronized String unverified() {
        return unverified;
    }

    /**
     * Whether what reached the VM during the blackout was held for it: false once the SWITCHOVER stage was passed
     * over unseen, its steps not run.
     */
    public synchronized boolean blackoutProtected() {
        return blackoutProtected;
    }

    /** The steps of the plan, in order. */
    public List<PlanStep> steps() {
        return steps;
    }

    @Override
    public CompletionStage<Void> onEvent(CutoverEvent event) {
        return advance(event.stage());
    }

    /**
     * This plan as a listener of the migrator, whose COMPLETED means "the guest's memory is moved": for the
     * network that begins the brownout (DRAINING); the plan's own COMPLETED (tunnel closed, old flows
     * removed) comes when the drain ends.
     */
    public CutoverListener migrationListener() {
        return event -> advance(event.stage() == CutoverStage.COMPLETED ? CutoverStage.DRAINING : event.stage());
    }

    /**
     * Moves the plan to {@code next} and runs that stage's steps on the plan's own threads (this call does not
     * wait for them). Stages are serialised: a stage's steps start only after the previous stage's have
     * finished. Reporting the current stage again (a hook and the
     * migrator both saw it) changes nothing.
     *
     * @throws IllegalStateException if {@code next} does not follow the current stage
     */
    public synchronized CompletionStage<Void> advance(CutoverStage next) {
        if (started && next == stage && next != CutoverStage.PRECOPY
                || stage == CutoverStage.ROLLED_BACK && (next == CutoverStage.FAILED || next == CutoverStage.ROLLED_BACK)) {
            return stage == CutoverStage.ROLLED_BACK ? tail.handle((ok, error) -> null) : tail;
        }
        checkTransition(next);
        passOver(next);
        CutoverStage previous = stage;
        stage = next;
        stageDone = false;
        started = true;
        if (next == CutoverStage.FAILED || next == CutoverStage.ROLLED_BACK) {
            tail = tail.handle((ok, error) -> null).thenComposeAsync(ignored -> rollBack(previous, null), STEPS);
            return tail;
        }
        tail = tail.thenComposeAsync(ignored -> runStage(next), STEPS);
        return tail;
    }

    private void checkTransition(CutoverStage next) {
        if (stage.isTerminal()) {
            throw new IllegalStateException("cutover " + id + " has ended (" + stage + "); cannot go to " + next);
        }
        if (next == CutoverStage.FAILED || next == CutoverStage.ROLLED_BACK) {
            return;
        }
        boolean repeat = next == stage && next == CutoverStage.PRECOPY;
        boolean first = !started && next == CutoverStage.PLANNED;
        if (!repeat && !first && next.ordinal() <= stage.ordinal()) {
            throw new IllegalStateException("cutover " + id + " is at " + stage + "; cannot go back to " + next);
        }
        for (CutoverStage between : skipped(next)) {
            List<String> names = stepsAt(between);
            if (!names.isEmpty() && !unseen.contains(between)) {
                throw new IllegalStateException("cutover " + id + " is at " + stage + "; " + next + " would skip "
                        + between + ", whose steps " + names + " would not run: report " + between.name()
                        .toLowerCase(java.util.Locale.ROOT) + " first");
            }
        }
    }

    /** Notes on the timeline the unseen stages that going to {@code next} passes over. */
    private void passOver(CutoverStage next) {
        if (next == CutoverStage.FAILED || next == CutoverStage.ROLLED_BACK) {
            return;
        }
        for (CutoverStage between : skipped(next)) {
            if (unseen.contains(between)) {
                timeline.add(between.name(), "skipped", "the orchestrator cannot see it; not run: " + stepsAt(between));
                if (between == CutoverStage.SWITCHOVER) {
                    blackoutProtected = false;
                }
            }
        }
    }

    /** The stages strictly between the current one and {@code next}. */
    private List<CutoverStage> skipped(CutoverStage next) {
        int from = started ? stage.ordinal() + 1 : 0;
        return List.of(CutoverStage.values()).subList(Math.min(from, next.ordinal()), next.ordinal());
    }

    private List<String> stepsAt(CutoverStage at) {
        return steps.stream().filter(step -> step.stage() == at).map(PlanStep::name).toList();
    }

    /**
     * Runs the stage's steps as a graph: each starts once the steps it waits for are done (by default every step
     * before it in the stage), so that independent steps run together. The stage is done when all its steps have
     * ended; a step whose prerequisite failed does not start.
     */
    private CompletableFuture<Void> runStage(CutoverStage next) {
        timeline.add(next.name(), "stage", null);
        LOG.info("cutover {}: {}", id, next);
        Map<String, CompletableFuture<Void>> started = new LinkedHashMap<>();
        for (PlanStep step : steps) {
            boolean appliedBefore;
            synchronized (this) {
                appliedBefore = applied.contains(step);
            }
            if (step.stage() == next && appliedBefore) {
                timeline.add(step.name(), "kept", "applied before the agent restarted");
                started.put(step.name(), CompletableFuture.completedFuture(null));
            } else if (step.stage() == next) {
                List<CompletableFuture<Void>> before = step.waitsFor()
                        .map(names -> names.stream().map(started::get).filter(Objects::nonNull).toList())
                        .orElseGet(() -> List.copyOf(started.values()));
                String after = step.waitsFor().map(names -> names.stream().filter(started::containsKey).sorted()
                        .toList()).filter(names -> !names.isEmpty()).map(names -> "after " + String.join(", ", names))
                        .orElse(null);
                started.put(step.name(), CompletableFuture.allOf(before.toArray(CompletableFuture[]::new))
                        .thenComposeAsync(ignored -> runStep(step, after), STEPS));
            }
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(started.values().toArray(CompletableFuture[]::new));
        return all.handle((ok, error) -> error).thenCompose(error -> {
            if (error == null) {
                synchronized (this) {
                    stageDone = true;
                }
                if (next == CutoverStage.COMPLETED) {
                    endUnverifiedIfAStepWas();
                }
                record(false);
                return CompletableFuture.completedFuture(null);
            }
            synchronized (this) {
                stage = CutoverStage.FAILED;
            }
            Throwable cause = Causes.unwrap(error);
            return rollBack(next, cause).thenCompose(done -> CompletableFuture.failedFuture(cause));
        });
    }

    /**
     * Ends the plan {@link CutoverStage#UNVERIFIED} rather than COMPLETED when an applied step could not confirm what
     * it checked ({@link PlanStep#unverified()}); the timeline says what.
     */
    private void endUnverifiedIfAStepWas() {
        List<String> doubts;
        synchronized (this) {
            doubts = applied.stream().map(PlanStep::unverified).filter(Objects::nonNull).toList();
            if (doubts.isEmpty()) {
                return;
            }
            stage = CutoverStage.UNVERIFIED;
            unverified = String.join("; ", doubts);
        }
        timeline.add(CutoverStage.UNVERIFIED.name(), "stage", unverified());
        LOG.warn("cutover {}: UNVERIFIED ({})", id, unverified());
    }

    private CompletableFuture<Void> runStep(PlanStep step, String after) {
        timeline.add(step.name(), "start", after);
        CompletableFuture<Void> result;
        try {
            synchronized (this) {
                running.add(step.name());
            }
            record(true);
            result = step.apply().toCompletableFuture();
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        return result.handle((ok, error) -> {
            synchronized (this) {
                running.remove(step.name());
            }
            if (error != null) {
                Throwable cause = Causes.unwrap(error);
                timeline.add(step.name(), "failed", message(cause));
                LOG.warn("cutover {}: step {} at {} failed: {}", id, step.name(), step.stage(), message(cause));
                throw new PlanStepException(step.name(), step.stage(), cause);
            }
            timeline.add(step.name(), "done", step.detail());
            LOG.debug("cutover {}: step {} done", id, step.name());
            synchronized (this) {
                applied.push(step);
            }
            return null;
        });
    }

    private CompletableFuture<Void> rollBack(CutoverStage at, Throwable cause) {
        synchronized (this) {
            failure = cause == null ? new IllegalStateException("cutover failed at " + at) : cause;
        }
        timeline.add(CutoverStage.FAILED.name(), "stage", message(failure));
        LOG.warn("cutover {}: FAILED at {} ({}); rolling back", id, at, message(failure));
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        while (true) {
            PlanStep step;
            synchronized (this) {
                step = applied.poll();
            }
            if (step == null) {
                break;
            }
            PlanStep undo = step;
            chain = chain.thenComposeAsync(ignored -> undo(undo), STEPS);
        }
        return chain.thenRun(() -> {
            synchronized (this) {
                stage = CutoverStage.ROLLED_BACK;
                stageDone = true;
            }
            timeline.add(CutoverStage.ROLLED_BACK.name(), "stage", null);
            LOG.warn("cutover {}: ROLLED_BACK", id);
            record(false);
        });
    }

    /** Rolls one step back; a rollback that fails is recorded and the others still run. */
    private CompletableFuture<Void> undo(PlanStep step) {
        CompletableFuture<Void> result;
        try {
            result = step.rollback().toCompletableFuture();
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        return result.handle((ok, error) -> {
            timeline.add(step.name(), error == null ? "rolled-back" : "rollback-failed",
                    error == null ? null : message(Causes.unwrap(error)));
            if (error != null) {
                LOG.error("cutover {}: the rollback of step {} failed: {}", id, step.name(), message(Causes.unwrap(error)));
            }
            return null;
        });
    }

    private static String message(Throwable error) {
        return error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    }
}
