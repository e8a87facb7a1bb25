package io.cutover.agent.rest;

import io.cutover.agent.CutoverRequest;
import io.cutover.agent.evacuation.EvacuationRequest;
import io.cutover.support.fuzz.Fuzzer;
import io.cutover.support.fuzz.JsonMutator;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The agent's request bodies read as its server reads them ({@link AgentServer#readBody}, then the request's own
 * validation), in process, {@code fuzz.iterations} inputs each (see {@link Fuzzer}): a valid request, an
 * {@link ApiError} 400 or an IllegalArgumentException naming the field (a 400 too). {@link AgentRestFuzzTest} sends
 * fewer of them to real agents.
 */
class AgentBodiesFuzzTest {
    @Test
    void cutoverRequests() {
        Fuzzer.Result result = Fuzzer.of("agent body CutoverRequest").seeds(List.of(bytes("""
                        {"vm": "vm1", "mac": "02:00:c6:12:00:64", "addresses": ["198.18.0.100", "2001:db8::64"],
                         "source": "hostA", "destination": "hostB", "mode": "wan", "memoryMiB": 600, "newAddresses": ["198.18.1.100"],
                         "dnsName": "vm1.vms.cutover.test.", "destinationPort": "vm1-new", "switchoverReported": true,
                         "migrator": {"guest": "synthetic:size=64m,workload=hotset", "integrity": "full_memory",
                 "maxBandwidth": "200m", "channels": 2, "xbzrleCache": "64m", "onTimeout": "abort"}}"""),
                bytes("{\"vm\": \"vm2\", \"mac\": \"02:00:c6:12:00:65\", \"addresses\": [\"198.18.0.101\"],"
                        + " \"source\": \"hostA\", \"destination\": \"hostB\"}")))
                .mutations(JsonMutator::new).refusesWith(ApiError.class, IllegalArgumentException.class)
                .run(input -> assertThat(AgentServer.readBody(input, CutoverRequest.class).validated()).isNotNull());
        assertThat(result.accepted()).as("some mutated requests are still valid").isPositive();
    }

    @Test
    void evacuations() {
        Fuzzer.Result result = Fuzzer.of("agent body EvacuationRequest").seeds(List.of(bytes("""
                        {"source": "hostA", "destinations": ["hostB", "hostC"], "parallel": 2, "vms": [
                          {"vm": "vm1", "mac": "02:00:c6:12:00:64", "addresses": ["198.18.0.100"], "memoryMiB": 128,
                           "destinationPort": "vm1-in", "migrator": {"qemu": {"uri": "tcp:198.18.2.2:4444"}}},
                          {"vm": "vm2", "mac": "02:00:c6:12:00:65", "addresses": ["198.18.0.101"],
                           "destination": "hostC"}]}""")))
                .mutations(JsonMutator::new).refusesWith(ApiError.class, IllegalArgumentException.class)
                .run(input -> assertThat(AgentServer.readBody(input, EvacuationRequest.class).validated()).isNotNull());
        assertThat(result.accepted()).as("some mutated requests are still valid").isPositive();
    }

    @Test
    void claims() {
        Fuzzer.Result result = Fuzzer.of("agent body ClaimRequest").seeds(List.of(bytes("{\"id\": \"c-1\", \"memoryMiB\": 512}")))
                .mutations(JsonMutator::new).refusesWith(ApiError.class)
                .run(input -> assertThat(AgentServer.readBody(input, AgentServer.ClaimRequest.class)).isNotNull());
        assertThat(result.accepted()).isPositive();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
