package io.cutover.agent.plan;

import io.cutover.api.CutoverStage;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CutoverPlanTest {
    private final List<String> log = new CopyOnWriteArrayList<>();

    @Test
    void runsEachStagesStepsInOrderOnlyAtThatStage() throws Exception {
        CutoverPlan plan = new CutoverPlan("c1", List.of(
                step("sdn.prepare", CutoverStage.PLANNED),
                step("sdn.commit", CutoverStage.ACTIVATED),
                step("announce", CutoverStage.ACTIVATED),
                step("sdn.redirect", CutoverStage.SWITCHOVER)));

        plan.advance(CutoverStage.PLANNED).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(log).containsExactly("apply sdn.prepare");
        plan.advance(CutoverStage.SWITCHOVER).toCompletableFuture().get(5, TimeUnit.SECONDS);
        plan.advance(CutoverStage.ACTIVATED).toCompletableFuture().get(5, TimeUnit.SECONDS);

        assertThat(log).containsExactly("apply sdn.prepare", "apply sdn.redirect", "apply sdn.commit", "apply announce");
        assertThat(plan.stage()).isEqualTo(CutoverStage.ACTIVATED);
        assertThat(plan.timeline().entries()).extracting(TimelineEntry::what)
                .containsSubsequence("PLANNED", "sdn.prepare", "SWITCHOVER", "ACTIVATED", "sdn.commit", "announce");
    }

    @Test
    void stepsThatWaitOnlyForOneStepRunTogetherAndAStepAfterThemWaitsForBoth() throws Exception {
        CompletableFuture<Void> announcing = new CompletableFuture<>();
        CutoverPlan plan = new CutoverPlan("c7", List.of(
                step("sdn.commit", CutoverStage.ACTIVATED),
                new Gated("announce", announcing, Set.of("sdn.commit")),
                new Gated("tunnel.flush", CompletableFuture.completedFuture(null), Set.of("sdn.commit")),
                step("sdn.cleanup", CutoverStage.ACTIVATED)));
        plan.advance(CutoverStage.PLANNED);
        plan.advance(CutoverStage.SWITCHOVER);
        CompletableFuture<Void> activated = plan.advance(CutoverStage.ACTIVATED).toCompletableFuture();

        // the flush does not wait for the announcements, still running; the step after both does
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!(log.contains("apply tunnel.flush") && log.contains("apply announce")) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(log).hasSize(3).startsWith("apply sdn.commit").contains("apply announce", "apply tunnel.flush");
        assertThat(activated).isNotDone();
        announcing.complete(null);
        activated.get(5, TimeUnit.SECONDS);
        assertThat(log).hasSize(4).endsWith("apply sdn.cleanup");
        assertThat(plan.timeline().entries()).extracting(e -> e.what() + " " + e.event() + " " + e.detail())
                .contains("tunnel.flush start after sdn.commit", "sdn.cleanup start ");
    }

    @Test
    void aFailedStepRollsBackEveryAppliedStepNewestFirst() {
        CutoverPlan plan = new CutoverPlan("c2", List.of(
                step("dns.lower-ttl", CutoverStage.PLANNED),
                step("sdn.prepare", CutoverStage.PLANNED),
                step("sdn.redirect", CutoverStage.SWITCHOVER),
                failing("sdn.commit", CutoverStage.ACTIVATED),
                step("announce", CutoverStage.ACTIVATED)));
        plan.advance(CutoverStage.PLANNED);
        plan.advance(CutoverStage.SWITCHOVER);

        assertThatThrownBy(() -> plan.advance(CutoverStage.ACTIVATED).toCompletableFuture().get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(PlanStepException.class)
                .hasMessageContaining("sdn.commit").hasMessageContaining("switch br-b refused");

        assertThat(log).containsExactly("apply dns.lower-ttl", "apply sdn.prepare", "apply sdn.redirect",
                "apply sdn.commit", "rollback sdn.redirect", "rollback sdn.prepare", "rollback dns.lower-ttl");
        assertThat(plan.stage()).isEqualTo(CutoverStage.ROLLED_BACK);
        assertThat(plan.failure()).isInstanceOf(PlanStepException.class);
    }

    @Test
    void failedFromOutsideRollsBackAndARollbackThatFailsDoesNotStopTheOthers() throws Exception {
        CutoverPlan plan = new CutoverPlan("c3", List.of(
                step("a", CutoverStage.PLANNED),
                new Recorded("b", CutoverStage.PLANNED, false, true),
                step("c", CutoverStage.PLANNED)));
        plan.advance(CutoverStage.PLANNED);
        plan.advance(CutoverStage.FAILED).toCompletableFuture().get(5, TimeUnit.SECONDS);

        assertThat(log).containsExactly("apply a", "apply b", "apply c", "rollback c", "rollback b", "rollback a");
        assertThat(plan.timeline().entries()).anySatisfy(e -> {
            assertThat(e.what()).isEqualTo("b");
            assertThat(e.event()).isEqualTo("rollback-failed");
        });
        assertThat(plan.stage()).isEqualTo(CutoverStage.ROLLED_BACK);
    }

    @Test
    void aStepThatCouldNotVerifyEndsThePlanUnverifiedNotCompletedAndUndoesNothing() throws Exception {
        PlanStep doubting = new ForwardingStep(step("sdn.verify", CutoverStage.ACTIVATED)) {
            @Override
            public String unverified() {
                return "vm1 did not answer at br-b";
            }
        };
        CutoverPlan plan = new CutoverPlan("c8", List.of(step("sdn.commit", CutoverStage.ACTIVATED), doubting,
                step("sdn.cleanup", CutoverStage.COMPLETED)));
        for (CutoverStage stage : List.of(CutoverStage.PLANNED, CutoverStage.SWITCHOVER, CutoverStage.ACTIVATED,
                CutoverStage.DRAINING)) {
            plan.advance(stage).toCompletableFuture().get(5, TimeUnit.SECONDS);
        }
        assertThat(plan.stage()).as("the doubt shows only at the end").isEqualTo(CutoverStage.DRAINING);
        plan.advance(CutoverStage.COMPLETED).toCompletableFuture().get(5, TimeUnit.SECONDS);

        assertThat(plan.stage()).isEqualTo(CutoverStage.UNVERIFIED);
        assertThat(plan.unverified()).isEqualTo("vm1 did not answer at br-b");
        assertThat(plan.ended()).isTrue();
        assertThat(log).as("nothing is undone").containsExactly("apply sdn.commit", "apply sdn.verify",
                "apply sdn.cleanup");
        assertThat(plan.timeline().entries()).anySatisfy(e -> {
            assertThat(e.what()).isEqualTo("UNVERIFIED");
            assertThat(e.detail()).isEqualTo("vm1 did not answer at br-b");
        });
        assertThat(plan.state().ended()).as("ended, not to be resumed").isTrue();

        CutoverPlan verified = new CutoverPlan("c9", List.of(step("sdn.verify", CutoverStage.ACTIVATED)));
        verified.advance(CutoverStage.ACTIVATED);
        verified.advance(CutoverStage.COMPLETED).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(verified.stage()).isEqualTo(CutoverStage.COMPLETED);
        assertThat(verified.unverified()).isNull();
    }

    @Test
    void stagesOnlyMoveForward() {
        CutoverPlan plan = new CutoverPlan("c4", List.of());
        plan.advance(CutoverStage.PLANNED);
        plan.advance(CutoverStage.PRECOPY);
        plan.advance(CutoverStage.PRECOPY);
        plan.advance(CutoverStage.ACTIVATED);
        assertThatThrownBy(() -> plan.advance(CutoverStage.SWITCHOVER))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("cannot go back");
        plan.advance(CutoverStage.COMPLETED);
        assertThatThrownBy(() -> plan.advance(CutoverStage.FAILED))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("has ended");
    }

    @Test
    void aStageWhoseStepsWouldNotRunIsNotSkipped() throws Exception {
        CutoverPlan plan = new CutoverPlan("c7", List.of(step("sdn.prepare", CutoverStage.PLANNED),
                step("tunnel.hold", CutoverStage.SWITCHOVER), step("sdn.redirect", CutoverStage.SWITCHOVER),
                step("sdn.commit", CutoverStage.ACTIVATED)));
        plan.advance(CutoverStage.PLANNED).toCompletableFuture().get(5, TimeUnit.SECONDS);

        assertThatThrownBy(() -> plan.advance(CutoverStage.ACTIVATED))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("would skip SWITCHOVER").hasMessageContaining("[tunnel.hold, sdn.redirect]");
        assertThat(plan.stage()).isEqualTo(CutoverStage.PLANNED);
        assertThat(plan.blackoutProtected()).isTrue();
        assertThat(log).containsExactly("apply sdn.prepare");
    }

    @Test
    void aSwitchoverTheOrchestratorCannotSeeIsPassedOverAndTheBlackoutIsNotProtected() throws Exception {
        CutoverPlan plan = new CutoverPlan("c8", List.of(step("sdn.prepare", CutoverStage.PLANNED),
                step("sdn.redirect", CutoverStage.SWITCHOVER), step("sdn.commit", CutoverStage.ACTIVATED)),
                Set.of(CutoverStage.SWITCHOVER));
        plan.advance(CutoverStage.PLANNED).toCompletableFuture().get(5, TimeUnit.SECONDS);
        plan.advance(CutoverStage.ACTIVATED).toCompletableFuture().get(5, TimeUnit.SECONDS);

        assertThat(log).containsExactly("apply sdn.prepare", "apply sdn.commit");
        assertThat(plan.blackoutProtected()).isFalse();
        assertThat(plan.timeline().entries()).extracting(e -> e.what() + " " + e.event())
                .containsSubsequence("PLANNED stage", "SWITCHOVER skipped", "ACTIVATED stage");
    }

    @Test
    void theSameStageReportedTwiceRunsItsStepsOnce() throws Exception {
        CutoverPlan plan = new CutoverPlan("c6", List.of(step("sdn.prepare", CutoverStage.PLANNED),
                failing("sdn.commit", CutoverStage.ACTIVATED)));
        plan.advance(CutoverStage.PLANNED).toCompletableFuture().get(5, TimeUnit.SECONDS);
        plan.advance(CutoverStage.PLANNED).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(log).containsExactly("apply sdn.prepare");
        assertThatThrownBy(() -> plan.advance(CutoverStage.ACTIVATED).toCompletableFuture().get(5, TimeUnit.SECONDS));
        plan.advance(CutoverStage.ROLLED_BACK).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(log).containsExactly("apply sdn.prepare", "apply sdn.commit", "rollback sdn.prepare");
    }

    @Test
    void aStepThatThrowsInsteadOfFailingItsFutureStillRollsBack() {
        PlanStep throwing = new PlanStep() {
            @Override
            public String name() {
                return "throws";
            }

            @Override
            public CutoverStage stage() {
                return CutoverStage.SWITCHOVER;
            }

            @Override
            public CompletionStage<Void> apply() {
                throw new IllegalStateException("boom");
            }

            @Override
            public CompletionStage<Void> rollback() {
                return CompletableFuture.completedFuture(null);
            }
        };
        CutoverPlan plan = new CutoverPlan("c5", List.of(step("a", CutoverStage.PLANNED), throwing));
        plan.advance(CutoverStage.PLANNED);
        assertThatThrownBy(() -> plan.advance(CutoverStage.SWITCHOVER).toCompletableFuture().get(5, TimeUnit.SECONDS))
                .hasMessageContaining("boom");
        assertThat(log).containsExactly("apply a", "rollback a");
    }

    private PlanStep step(String name, CutoverStage stage) {
        return new Recorded(name, stage, false, false);
    }

    private PlanStep failing(String name, CutoverStage stage) {
        return new Recorded(name, stage, true, false);
    }

    private final class Recorded implements PlanStep {
        private final String name;
        private final CutoverStage stage;
        private final boolean failApply;
        private final boolean failRollback;

        Recorded(String name, CutoverStage stage, boolean failApply, boolean failRollback) {
            this.name = name;
            this.stage = stage;
            this.failApply = failApply;
            this.failRollback = failRollback;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public CutoverStage stage() {
            return stage;
        }

        @Override
        public CompletionStage<Void> apply() {
            log.add("apply " + name);
            return failApply ? CompletableFuture.failedFuture(new IllegalStateException("switch br-b refused"))
                    : CompletableFuture.supplyAsync(() -> null);
        }

        @Override
        public CompletionStage<Void> rollback() {
            log.add("rollback " + name);
            return failRollback ? CompletableFuture.failedFuture(new IllegalStateException("cannot undo"))
                    : CompletableFuture.completedFuture(null);
        }
    }

    /** An ACTIVATED step that waits for {@code after} and is done when {@code done} is. */
    private final class Gated implements PlanStep {
        private final String name;
        private final CompletableFuture<Void> done;
        private final Set<String> after;

        Gated(String name, CompletableFuture<Void> done, Set<String> after) {
            this.name = name;
            this.done = done;
            this.after = after;
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
            log.add("apply " + name);
            return done;
        }

        @Override
        public CompletionStage<Void> rollback() {
            log.add("rollback " + name);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public java.util.Optional<Set<String>> waitsFor() {
            return java.util.Optional.of(after);
        }
    }
}
