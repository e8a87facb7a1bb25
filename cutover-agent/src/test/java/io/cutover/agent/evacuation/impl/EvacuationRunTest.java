package io.cutover.agent.evacuation.impl;

import io.cutover.agent.CutoverRequest;
import io.cutover.agent.PrecheckFailedException;
import io.cutover.agent.evacuation.Evacuation;
import io.cutover.agent.evacuation.EvacuationRequest;
import io.cutover.agent.evacuation.Mover;
import io.cutover.agent.evacuation.VmMove;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The evacuation's scheduling, its moves made by a mover of the test's own. */
class EvacuationRunTest {
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger mostInFlight = new AtomicInteger();
    private final Map<String, String> movedTo = new ConcurrentHashMap<>();

    /** Moves each VM in 100 ms; {@code vm-bad} is refused, {@code vm-fail} rolled back. */
    private final Mover mover = (request, created) -> {
        mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        try {
            if (request.vm().equals("vm-bad")) {
                throw new PrecheckFailedException("insufficient memory at " + request.destination());
            }
            created.accept("c-" + request.vm());
            sleep(100);
            movedTo.put(request.vm(), request.destination());
            return request.vm().equals("vm-fail")
                    ? new Mover.Moved(VmMove.Outcome.ROLLED_BACK, "tunnel.hold failed", Optional.empty())
                    : new Mover.Moved(VmMove.Outcome.COMPLETED, null, Optional.of(Duration.ofMillis(42)));
        } finally {
            inFlight.decrementAndGet();
        }
    };

    @Test
    void atMostParallelMovesRunAndTheyAreSpreadOverTheDestinations() throws Exception {
        Evacuation evacuation = evacuate(List.of("hostB", "hostC"), 2, vms("vm1", "vm2", "vm3", "vm4", "vm5", "vm6"));
        assertThat(mostInFlight.get()).isEqualTo(2);
        assertThat(movedTo.values()).filteredOn("hostB"::equals).hasSize(3);
        assertThat(movedTo.values()).filteredOn("hostC"::equals).hasSize(3);
        assertThat(evacuation.moves()).extracting(VmMove::outcome).containsOnly(VmMove.Outcome.COMPLETED);
        assertThat(evacuation.moves()).extracting(VmMove::cutover).containsExactly("c-vm1", "c-vm2", "c-vm3", "c-vm4",
                "c-vm5", "c-vm6");
        assertThat(evacuation.moves().get(0).downtime()).contains(Duration.ofMillis(42));
        assertThat(evacuation.duration()).as("three rounds of two moves").isBetween(Duration.ofMillis(300),
                Duration.ofSeconds(5));
    }

    @Test
    void aFailedOrRefusedMoveIsItsOwnAndTheOthersGoOn() throws Exception {
        Evacuation evacuation = evacuate(List.of("hostB"), 2, vms("vm1", "vm-bad", "vm-fail", "vm2"));
        assertThat(evacuation.moves()).extracting(VmMove::vm, VmMove::outcome, VmMove::failure).containsExactly(
                org.assertj.core.groups.Tuple.tuple("vm1", VmMove.Outcome.COMPLETED, null),
                org.assertj.core.groups.Tuple.tuple("vm-bad", VmMove.Outcome.REFUSED, "insufficient memory at hostB"),
                org.assertj.core.groups.Tuple.tuple("vm-fail", VmMove.Outcome.ROLLED_BACK, "tunnel.hold failed"),
                org.assertj.core.groups.Tuple.tuple("vm2", VmMove.Outcome.COMPLETED, null));
        assertThat(evacuation.count(VmMove.Outcome.COMPLETED)).isEqualTo(2);
        assertThat(movedTo).containsOnlyKeys("vm1", "vm-fail", "vm2");
    }

    @Test
    void aVmThatNamesItsDestinationKeepsIt() throws Exception {
        List<CutoverRequest> vms = new ArrayList<>(vms("vm1", "vm2", "vm3"));
        vms.replaceAll(vm -> vm.between(null, "hostC"));
        evacuate(List.of("hostB", "hostC"), 3, vms);
        assertThat(movedTo).containsOnly(Map.entry("vm1", "hostC"), Map.entry("vm2", "hostC"),
                Map.entry("vm3", "hostC"));
    }

    @Test
    void whileMovesRunTheRestWaitWithoutADestination() throws Exception {
        AgentEvacuations evacuations = new AgentEvacuations("hostA", mover);
        Evacuation evacuation = evacuations.start(new EvacuationRequest("hostA", List.of("hostB"), 1,
                vms("vm1", "vm2")));
        sleep(50);
        assertThat(evacuation.ended()).isFalse();
        assertThat(evacuation.moves()).extracting(VmMove::outcome, VmMove::destination).containsExactly(
                org.assertj.core.groups.Tuple.tuple(VmMove.Outcome.RUNNING, "hostB"),
                org.assertj.core.groups.Tuple.tuple(VmMove.Outcome.WAITING, null));
        awaitEnd(evacuation);
        assertThat(evacuations.get(evacuation.id())).isSameAs(evacuation);
    }

    @Test
    void onlyTheSourcesAgentEvacuatesIt() {
        AgentEvacuations evacuations = new AgentEvacuations("hostB", mover);
        assertThatThrownBy(() -> evacuations.start(new EvacuationRequest("hostA", List.of("hostC"), 1, vms("vm1"))))
                .isInstanceOf(PrecheckFailedException.class).hasMessageContaining("at its own agent");
    }

    private Evacuation evacuate(List<String> destinations, int parallel, List<CutoverRequest> vms) throws Exception {
        Evacuation evacuation = new AgentEvacuations("hostA", mover)
                .start(new EvacuationRequest("hostA", destinations, parallel, vms));
        awaitEnd(evacuation);
        return evacuation;
    }

    private static void awaitEnd(Evacuation evacuation) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!evacuation.ended()) {
            assertThat(System.nanoTime()).as("the evacuation's end").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    static List<CutoverRequest> vms(String... names) {
        List<CutoverRequest> vms = new ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            vms.add(new CutoverRequest(names[i], String.format("02:00:c6:12:00:%02x", i + 1),
                    List.of("198.18.0." + (100 + i)), null, null, "lan", null, null, 64, null, null, null));
        }
        return vms;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
