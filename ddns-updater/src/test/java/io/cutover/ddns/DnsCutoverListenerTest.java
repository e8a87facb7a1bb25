package io.cutover.ddns;

import io.cutover.api.CutoverEvent;
import io.cutover.api.CutoverStage;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static org.assertj.core.api.Assertions.assertThat;

/** The listener's choice and order of DNS steps, against a recording updater (the real one is proven in DdnsIT). */
class DnsCutoverListenerTest {
    private static final class Recorder implements DnsUpdater {
        final List<String> calls = new ArrayList<>();

        private static UpdateResult result() {
            return new UpdateResult(1, "z.", List.of(), false, 1, List.of("s"), Duration.ZERO);
        }

        @Override
        public CompletionStage<UpdateResult> apply(List<RrsetChange> changes) {
            calls.add("apply");
            return CompletableFuture.completedFuture(result());
        }

        @Override
        public List<CompletionStage<UpdateResult>> applyEach(List<RrsetChange> changes) {
            calls.add("applyEach");
            return List.of();
        }

        @Override
        public CompletionStage<List<UpdateResult>> switchPtr(String name, InetAddress from, InetAddress to, Duration ttl) {
            calls.add("ptr");
            return CompletableFuture.completedFuture(List.of());
        }

        @Override
        public CompletionStage<UpdateResult> switchAddress(String name, InetAddress from, InetAddress to) {
            calls.add("switch " + from.getHostAddress() + "->" + to.getHostAddress());
            return CompletableFuture.completedFuture(result());
        }

        @Override
        public CompletionStage<TtlLowering> lowerTtl(String name, Duration ttl) {
            calls.add("lower " + ttl.toSeconds());
            return CompletableFuture.completedFuture(new TtlLowering(name, Duration.ofSeconds(300), ttl,
                    Instant.now().plusSeconds(300), result()));
        }

        @Override
        public CompletionStage<UpdateResult> restoreTtl(String name) {
            calls.add("restore");
            return CompletableFuture.completedFuture(result());
        }

        @Override
        public CompletionStage<UpdateResult> claim(String name) {
            calls.add("claim");
            return CompletableFuture.completedFuture(result());
        }

        @Override
        public CompletionStage<RecordState> show(String name) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public String dryRun(List<RrsetChange> changes) {
            return "";
        }

        @Override
        public List<PendingUpdate> pending() {
            return List.of();
        }

        @Override
        public CompletionStage<List<UpdateResult>> replay() {
            return CompletableFuture.completedFuture(List.of());
        }

        @Override
        public java.util.Map<String, Duration> rememberedTtls() {
            return java.util.Map.of();
        }

        @Override
        public void close() {
        }
    }

    private static void run(DnsCutoverListener listener, CutoverStage... stages) {
        for (CutoverStage stage : stages) {
            listener.onEvent(CutoverEvent.now("m", stage)).toCompletableFuture().join();
        }
    }

    @Test
    void aWanMoveLowersAtPlannedSwitchesAtActivatedAndRestoresAtCompleted() throws Exception {
        Recorder dns = new Recorder();
        DnsCutoverListener listener = new DnsCutoverListener(dns, "vm1.z.", InetAddress.getByName("198.18.1.100"),
                InetAddress.getByName("198.18.2.100"), Duration.ofSeconds(5));
        run(listener, CutoverStage.PLANNED, CutoverStage.RESERVED, CutoverStage.PRECOPY, CutoverStage.SWITCHOVER,
                CutoverStage.COMMITTED, CutoverStage.ACTIVATED, CutoverStage.DRAINING, CutoverStage.COMPLETED);
        assertThat(dns.calls).containsExactly("lower 5", "switch 198.18.1.100->198.18.2.100", "restore");
        assertThat(listener.lowering().readyAt()).isAfter(Instant.now().plusSeconds(200));
    }

    @Test
    void aFailureAfterActivationSwitchesBackThenRestoresAndBeforeItOnlyRestores() throws Exception {
        Recorder late = new Recorder();
        run(new DnsCutoverListener(late, "vm1.z.", InetAddress.getByName("198.18.1.100"),
                InetAddress.getByName("198.18.2.100"), Duration.ofSeconds(5)),
                CutoverStage.PLANNED, CutoverStage.ACTIVATED, CutoverStage.ROLLED_BACK);
        assertThat(late.calls).containsExactly("lower 5", "switch 198.18.1.100->198.18.2.100",
                "switch 198.18.2.100->198.18.1.100", "restore");
        Recorder early = new Recorder();
        run(new DnsCutoverListener(early, "vm1.z.", InetAddress.getByName("198.18.1.100"),
                InetAddress.getByName("198.18.2.100"), Duration.ofSeconds(5)), CutoverStage.PLANNED, CutoverStage.FAILED);
        assertThat(early.calls).containsExactly("lower 5", "restore");
    }

    @Test
    void aLanMoveThatKeepsTheAddressChangesNothing() throws Exception {
        Recorder dns = new Recorder();
        run(new DnsCutoverListener(dns, "vm1.z.", InetAddress.getByName("198.18.0.100"),
                InetAddress.getByName("198.18.0.100"), Duration.ofSeconds(5)),
                CutoverStage.PLANNED, CutoverStage.ACTIVATED, CutoverStage.COMPLETED);
        assertThat(dns.calls).isEmpty();
    }
}
