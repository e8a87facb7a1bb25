package io.cutover.agent.steps;

import io.cutover.agent.plan.ForwardingStep;
import io.cutover.agent.plan.PlanStep;
import io.cutover.api.CutoverStage;
import io.cutover.support.Causes;
import io.cutover.sdn.Dpid;
import io.cutover.sdn.Move;
import io.cutover.sdn.MoveState;
import io.cutover.sdn.rest.SdnRestClient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CompletionException;

/**
 * The SDN controller's part of the plan, through its REST API: {@code sdn.prepare} at PLANNED (the destination's
 * switch has the VM's port — else nothing could reach the VM there and the cutover is refused — and its flows are in
 * place), {@code sdn.redirect} at SWITCHOVER (the source switch sends the VM's traffic to the forwarder;
 * only with a forwarder port), {@code sdn.commit} at ACTIVATED (done only when every switch confirmed, so the
 * steps after it — the announcements — never run before), {@code sdn.cleanup} at COMPLETED.
 *
 * <p>Undoing any of them rolls the controller's move back once (the state before the move, flows included). A
 * controller that does not answer is asked again until the rollback patience runs out, so that a controller
 * restarted during a failed cutover still ends with the flows as they were.
 */
public final class SdnSteps {
    /** The pause between two attempts to roll back on a controller that does not answer. */
    static final Duration RETRY_PAUSE = Duration.ofMillis(500);

    private final SdnRestClient sdn;
    private final Duration rollbackPatience;
    private volatile Move move;
    /** The move's id, once prepared (or given back after a restart: then {@link #move} is unknown). */
    private volatile Integer moveId;
    private volatile boolean rolledBack;

    private SdnSteps(SdnRestClient sdn, Duration rollbackPatience) {
        this.sdn = sdn;
        this.rollbackPatience = rollbackPatience;
    }

    /**
     * @param endpoint      the controller's endpoint (the VM's name)
     * @param toSwitch      the datapath id of the destination's switch
     * @param toPort        the VM's port on it
     * @param forwarderPort the source's forwarder port, or {@code null} for no redirect at SWITCHOVER
     */
    public static List<PlanStep> of(SdnRestClient sdn, Duration rollbackPatience, String endpoint, Dpid toSwitch,
                                    String toPort, String forwarderPort) {
        return of(sdn, rollbackPatience, endpoint, toSwitch, toPort, forwarderPort, false);
    }

    /**
     * {@link #of(SdnRestClient, Duration, String, Dpid, String, String)}; with {@code mirrored}, {@code sdn.prepare}
     * also has the source switch copy the VM's traffic to the forwarder port from PLANNED on, and nothing changes at
     * the switches at SWITCHOVER (no {@code sdn.redirect}): the forwarder holds what reached it after the VM stopped.
     */
    public static List<PlanStep> of(SdnRestClient sdn, Duration rollbackPatience, String endpoint, Dpid toSwitch,
                                    String toPort, String forwarderPort, boolean mirrored) {
        if (mirrored && forwarderPort == null) {
            throw new IllegalArgumentException("a mirrored move needs the source's forwarder port");
        }
        SdnSteps move = new SdnSteps(sdn, rollbackPatience);
        List<PlanStep> steps = new ArrayList<>();
        steps.add(move.step("sdn.prepare", CutoverStage.PLANNED, () -> sdn.ports(toSwitch).thenCompose(ports -> {
            if (!ports.contains(toPort)) {
                throw new IllegalStateException("switch " + toSwitch + " has no port " + toPort + " (its ports: "
                        + String.join(", ", new java.util.TreeSet<>(ports)) + "): nothing could reach " + endpoint
                        + " there; plug the VM's port at the destination first");
            }
            return mirrored ? sdn.prepareMirrored(endpoint, toSwitch, toPort, forwarderPort)
                    : sdn.prepare(endpoint, toSwitch, toPort);
        }).thenAccept(move::moved)));
        if (forwarderPort != null && !mirrored) {
            steps.add(move.step("sdn.redirect", CutoverStage.SWITCHOVER,
                    () -> sdn.redirectToForwarder(move.id(), forwarderPort).thenAccept(move::moved)));
        }
        steps.add(move.step("sdn.commit", CutoverStage.ACTIVATED,
                () -> sdn.commit(move.id()).thenAccept(move::moved)));
        steps.add(new Step("sdn.cleanup", CutoverStage.COMPLETED,
                () -> sdn.cleanup(move.id()).thenAccept(move::moved), Step::done));
        return List.copyOf(steps);
    }

    /**
     * {@code sdn.verify} at ACTIVATED: has the controller ask the VM, at the port the commit gave it, for its own
     * address, for up to {@code wait} ({@link SdnRestClient#probe}). A VM that does not answer there, or a probe the
     * controller could not send, is a {@link VerifyStep}'s doubt: the plan ends UNVERIFIED, not COMPLETED.
     */
    public static PlanStep verify(SdnRestClient sdn, String endpoint, Duration wait) {
        return new VerifyStep("sdn.verify", () -> sdn.probe(endpoint, wait).handle((answer, error) -> {
            if (error != null) {
                return VerifyStep.Finding.doubt("the controller could not probe " + endpoint + ": "
                        + Causes.unwrap(error).getMessage());
            }
            if (answer.address() == null) {
                return VerifyStep.Finding.doubt(endpoint + " has no address the controller could ask it for");
            }
            if (!answer.answered()) {
                return VerifyStep.Finding.doubt(endpoint + " did not answer for " + answer.address() + " at "
                        + answer.switchId() + " port " + answer.port() + " within " + wait.toMillis() + " ms ("
                        + answer.probes() + " probes)");
            }
            return VerifyStep.Finding.answered("answered for " + answer.address() + " at " + answer.switchId()
                    + " port " + answer.port() + " in " + answer.micros() / 1000 + " ms");
        }));
    }

    /** The controller's move, once prepared. */
    private int id() {
        Integer current = moveId;
        if (current == null) {
            throw new IllegalStateException("no move was prepared");
        }
        return current;
    }

    private void moved(Move now) {
        move = now;
        moveId = now.id();
    }

    private PlanStep step(String name, CutoverStage stage, java.util.function.Supplier<CompletionStage<Void>> action) {
        return new Kept(new Step(name, stage, action, this::rollBackOnce));
    }

    /** An SDN step whose undo data is the controller's move id, shared by the move's steps. */
    private final class Kept extends ForwardingStep {
        Kept(Step step) {
            super(step);
        }

        @Override
        public String undoData() {
            Integer id = moveId;
            return id == null ? null : "move " + id;
        }

        @Override
        public void restore(String undoData) {
            if (undoData != null && undoData.startsWith("move ")) {
                moveId = Integer.parseInt(undoData.substring("move ".length()).strip());
            }
        }
    }

    /**
     * Whether a refused rollback found the move rolled back already: an earlier attempt that timed out here had
     * reached the controller after all.
     */
    private boolean alreadyRolledBack(Throwable refusal) {
        if (!(refusal instanceof SdnRestClient.RejectedException rejected) || rejected.status() != 409) {
            return false;
        }
        try {
            moved(sdn.move(id()).toCompletableFuture().join());
            return move.state() == MoveState.ROLLED_BACK;
        } catch (CompletionException e) {
            return false;
        }
    }

    /**
     * Rolls the move back, once; asks again every {@link #RETRY_PAUSE} while the controller does not answer, on the
     * plan's thread (whose network namespace is the agent's).
     */
    private synchronized CompletionStage<Void> rollBackOnce() {
        if (rolledBack || moveId == null) {
            return Step.done();
        }
        rolledBack = true;
        long deadline = System.nanoTime() + rollbackPatience.toNanos();
        while (true) {
            try {
                moved(sdn.rollback(id()).toCompletableFuture().join());
                return Step.done();
            } catch (CompletionException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                if (alreadyRolledBack(cause)) {
                    return Step.done();
                }
                if (!(cause instanceof SdnRestClient.ControllerUnreachableException) || System.nanoTime() > deadline) {
                    return CompletableFuture.failedFuture(cause);
                }
            }
            try {
                Thread.sleep(RETRY_PAUSE.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return CompletableFuture.failedFuture(e);
            }
        }
    }
}
