package io.cutover.agent.evacuation;

import io.cutover.agent.CutoverRequest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EvacuationRequestTest {
    private static final CutoverRequest VM = new CutoverRequest("vm1", "02:00:c6:12:00:64", List.of("198.18.0.100"),
            null, null, null, null, null, 64, null, null, null);

    @Test
    void parallelDefaultsAndEachVmIsCheckedAsACutoverIs() {
        EvacuationRequest checked = new EvacuationRequest("hostA", List.of("hostB"), null, List.of(VM)).validated();
        assertThat(checked.parallel()).isEqualTo(EvacuationRequest.DEFAULT_PARALLEL);
        assertThat(checked.vms()).containsExactly(VM);
    }

    @Test
    void eachBadFieldIsNamed() {
        CutoverRequest badMac = new CutoverRequest("vm2", "nope", List.of("198.18.0.101"), null, null, null, null,
                null, 64, null, null, null);
        refused(new EvacuationRequest(null, List.of("hostB"), 1, List.of(VM)), "source: expected");
        refused(new EvacuationRequest("hostA", List.of(), 1, List.of(VM)), "destinations: expected 1 to 64");
        refused(new EvacuationRequest("hostA", List.of("hostA"), 1, List.of(VM)), "hosts other than the source");
        refused(new EvacuationRequest("hostA", List.of("hostB", "hostB"), 1, List.of(VM)), "each host once");
        refused(new EvacuationRequest("hostA", List.of("hostB"), 0, List.of(VM)), "parallel: expected 1 to 16");
        refused(new EvacuationRequest("hostA", List.of("hostB"), 17, List.of(VM)), "parallel");
        refused(new EvacuationRequest("hostA", List.of("hostB"), 1, List.of()), "vms: expected 1 to 256");
        refused(new EvacuationRequest("hostA", List.of("hostB"), 1, List.of(VM, badMac)), "vms[1].mac: expected");
        refused(new EvacuationRequest("hostA", List.of("hostB"), 1, List.of(VM, VM)), "vms[1].vm: expected each VM once");
        refused(new EvacuationRequest("hostA", List.of("hostB"), 1, List.of(VM.between("hostC", null))),
                "vms[0].source: expected nothing, or the evacuated host hostA");
        refused(new EvacuationRequest("hostA", List.of("hostB"), 1, List.of(VM.between(null, "hostC"))),
                "vms[0].destination: expected nothing, or one of [hostB]");
        refused(new EvacuationRequest("hostA", List.of("hostB"), 1, new ArrayList<>(Collections.singletonList(null))),
                "vms[0]: expected a VM's cutover request");
    }

    private static void refused(EvacuationRequest request, String message) {
        assertThatThrownBy(request::validated).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }
}
