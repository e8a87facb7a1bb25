package io.cutover.agent.steps;

import io.cutover.agent.plan.CutoverPlan;
import io.cutover.agent.plan.PlanStep;
import io.cutover.agent.plan.TimelineEntry;
import io.cutover.ddns.DnsTimeoutException;
import io.cutover.ddns.DnsUpdater;
import io.cutover.ddns.PendingUpdate;
import io.cutover.ddns.RecordState;
import io.cutover.ddns.RrsetChange;
import io.cutover.ddns.TtlLowering;
import io.cutover.ddns.UpdateRefusedException;
import io.cutover.ddns.UpdateResult;
import io.cutover.api.CutoverStage;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The DNS steps against a recording updater whose server can be made silent (the real one: DnsDownCutoverIT). */
class DnsStepsTest {
    private static final String NAME = "vm1.vms.cutover.test.";

    /** Records the calls; {@code silent} answers like a server that does not answer, {@code refusing} with REFUSED. */
    private static final class Recorder implements DnsUpdater {
        final List<String> calls = new ArrayList<>();
        volatile boolean silent;
        volatile boolean refusing;

        private <T> CompletionStage<T> answer(String call, T value) {
            calls.add(call);
            if (silent) {
                return CompletableFuture.failedFuture(new DnsTimeoutException("z.", NAME, 0, "no answer"));
            }
            if (refusing) {
                return CompletableFuture.failedFuture(new UpdateRefusedException("z.", NAME, 5, "refused"));
            }
            return CompletableFuture.completedFuture(value);
        }

        private static UpdateResult result() {
            return new UpdateResult(1, "z.", List.of(), false, 1, List.of("s"), Duration.ZERO);
        }

        @Override
        public CompletionStage<UpdateResult> switchAddress(String name, InetAddress from, InetAddress to) {
            return answer("switch " + from.getHostAddress() + "->" + to.getHostAddress(), result());
        }

        @Override
        public CompletionStage<TtlLowering> lowerTtl(String name, Duration ttl) {
            return answer("lower " + ttl.toSeconds(), new TtlLowering(name, Duration.ofSeconds(300), ttl,
                    Instant.now().plusSeconds(300), result()));
        }

        @Override
        public CompletionStage<UpdateResult> restoreTtl(String name) {
            return answer("restore", result());
        }

        @Override
        public CompletionStage<UpdateResult> apply(List<RrsetChange> changes) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<CompletionStage<UpdateResult>> applyEach(List<RrsetChange> changes) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletionStage<List<UpdateResult>> switchPtr(String name, InetAddress from, InetAddress to, Duration ttl) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletionStage<UpdateResult> claim(String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletionStage<RecordState> show(String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String dryRun(List<RrsetChange> changes) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<PendingUpdate> pending() {
            return List.of();
        }

        @Override
        public Map<String, Duration> rememberedTtls() {
            return Map.of();
        }

        @Override
        public CompletionStage<List<UpdateResult>> replay() {
            return CompletableFuture.completedFuture(List.of());
        }

        @Override
        public void close() {
        }
    }

    private final Recorder dns = new Recorder();
    private final DnsQueue queue = DnsQueue.on(dns, Duration.ofMillis(50));

    @org.junit.jupiter.api.AfterEach
    void close() {
        queue.close();
    }

    private List<PlanStep> steps() throws Exception {
        return DnsSteps.of(queue, NAME, List.of(InetAddress.getByName("198.18.1.100"), InetAddress.getByName("2001:2::100")),
                List.of(InetAddress.getByName("198.18.2.100")), Duration.ofSeconds(5));
    }

    private static void run(CutoverPlan plan, CutoverStage... stages) throws Exception {
        for (CutoverStage stage : stages) {
            plan.advance(stage).toCompletableFuture().get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aWanMoveLowersSwitchesOnlyItsFamilyAndRestores() throws Exception {
        CutoverPlan plan = new CutoverPlan("c", steps());
        run(plan, CutoverStage.PLANNED, CutoverStage.SWITCHOVER, CutoverStage.ACTIVATED, CutoverStage.DRAINING,
                CutoverStage.COMPLETED);
        assertThat(dns.calls).containsExactly("lower 5", "switch 198.18.1.100->198.18.2.100", "restore");
    }

    @Test
    void theLogHasTheOriginalTtlFromTheLoweringAndTheLoweredOneFromTheSwitchForTheTunnelsDrain() throws Exception {
        DnsChangeLog log = new DnsChangeLog();
        CutoverPlan plan = new CutoverPlan("c", DnsSteps.of(queue, NAME, List.of(InetAddress.getByName("198.18.1.100")),
                List.of(InetAddress.getByName("198.18.2.100")), Duration.ofSeconds(5), log));
        Instant before = Instant.now();
        run(plan, CutoverStage.PLANNED, CutoverStage.SWITCHOVER);
        assertThat(log.change().expiry()).as("not switched yet: unknown").isEmpty();
        run(plan, CutoverStage.ACTIVATED);
        Instant after = Instant.now();
        var change = log.change();
        assertThat(change.originalTtl()).isEqualTo(Duration.ofSeconds(300));
        assertThat(change.loweredTtl()).isEqualTo(Duration.ofSeconds(5));
        assertThat(change.loweredAt()).isBetween(before, after);
        assertThat(change.switchedAt()).isBetween(change.loweredAt(), after);
        assertThat(change.expiry()).as("the original TTL from the lowering outlasts 5 s from the switch")
                .contains(change.loweredAt().plusSeconds(300));
    }

    @Test
    void aQueuedSwitchLeavesTheDnsExpiryUnknown() throws Exception {
        DnsChangeLog log = new DnsChangeLog();
        CutoverPlan plan = new CutoverPlan("c", DnsSteps.of(queue, NAME, List.of(InetAddress.getByName("198.18.1.100")),
                List.of(InetAddress.getByName("198.18.2.100")), Duration.ofSeconds(5), log));
        run(plan, CutoverStage.PLANNED, CutoverStage.SWITCHOVER);
        dns.silent = true;
        run(plan, CutoverStage.ACTIVATED);
        assertThat(log.change().loweredAt()).isNotNull();
        assertThat(log.change().expiry()).as("the switch waits in the queue: only the hard maximum ends the drain")
                .isEmpty();
    }

    @Test
    void aSilentServerQueuesTheSwitchAndTheCutoverCompletes() throws Exception {
        CutoverPlan plan = new CutoverPlan("c", steps());
        run(plan, CutoverStage.PLANNED, CutoverStage.SWITCHOVER);
        dns.silent = true;
        run(plan, CutoverStage.ACTIVATED, CutoverStage.DRAINING, CutoverStage.COMPLETED);
        assertThat(plan.stage()).isEqualTo(CutoverStage.COMPLETED);
        assertThat(plan.timeline().entries()).filteredOn(e -> e.what().equals("dns.switch") && e.event().equals("done"))
                .extracting(TimelineEntry::detail).singleElement().asString().startsWith("queued: ");
        assertThat(plan.timeline().entries()).filteredOn(e -> e.what().equals("dns.restore-ttl") && e.event().equals("done"))
                .extracting(TimelineEntry::detail).singleElement().asString().startsWith("queued: ");
        assertThat(queue.pending()).isEqualTo(1);
        dns.silent = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (queue.pending() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(queue.pending()).as("the queued restore ran once the server answered").isZero();
        assertThat(dns.calls).endsWith("restore");
    }

    @Test
    void aTtlThatCannotBeLoweredIsSkippedAndNeverRestored() throws Exception {
        dns.silent = true;
        CutoverPlan plan = new CutoverPlan("c", steps());
        run(plan, CutoverStage.PLANNED);
        dns.silent = false;
        run(plan, CutoverStage.ACTIVATED, CutoverStage.COMPLETED);
        assertThat(dns.calls).containsExactly("lower 5", "switch 198.18.1.100->198.18.2.100");
        assertThat(plan.timeline().entries()).anyMatch(e -> e.what().equals("dns.lower-ttl")
                && e.detail().startsWith("skipped: "));
    }

    @Test
    void aRefusalFailsTheStepAndTheRollbackSwitchesNothingBackButRestoresTheTtl() throws Exception {
        CutoverPlan plan = new CutoverPlan("c", steps());
        run(plan, CutoverStage.PLANNED);
        dns.refusing = true;
        assertThatThrownBy(() -> run(plan, CutoverStage.ACTIVATED)).hasMessageContaining("step dns.switch at ACTIVATED failed");
        dns.refusing = false;
        assertThat(plan.stage()).isEqualTo(CutoverStage.ROLLED_BACK);
        assertThat(dns.calls).containsExactly("lower 5", "switch 198.18.1.100->198.18.2.100", "restore");
    }
}
