package io.cutover.tunnel.impl;

import io.cutover.support.fuzz.Fuzzer;
import io.cutover.support.fuzz.JsonMutator;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tunnel API's move requests read as the API reads them ({@link RestApi#readBody}, then {@link MoveJson#read}
 * and, for an event, {@link MoveJson#dnsChange}), in process, {@code fuzz.iterations} inputs each (see
 * {@link Fuzzer}): a move, or an IllegalArgumentException naming the field, which the API answers with a 400.
 * {@link RestApiFuzzTest} sends fewer of them to the real API.
 */
class MoveBodiesFuzzTest {
    @Test
    void moves() {
        Fuzzer.Result result = Fuzzer.of("tunnel body move").seeds(List.of(bytes(
                "{\"id\": \"m2\", \"vni\": 43, \"role\": \"DESTINATION\", \"mode\": \"L3\", \"vmMac\": \"02:00:c6:12:00:65\","
                        + " \"vmAddresses\": [\"198.18.0.101\", \"2001:db8::65\"], \"newAddress\": \"198.18.1.101\","
                        + " \"peer\": \"127.0.0.1:4789\", \"iface\": \"veth0\", \"key\": \"" + "A".repeat(43) + "=\","
                        + " \"drain\": {\"idle\": \"30s\", \"hardMax\": \"10m\", \"dnsTtl\": \"300s\"},"
                        + " \"hold\": {\"packets\": 1000, \"bytes\": 1048576}}"),
                bytes("{\"id\": \"m3\", \"vni\": 44, \"role\": \"SOURCE\", \"vmMac\": \"02:00:c6:12:00:66\","
                        + " \"vmAddresses\": [\"198.18.0.102\"], \"peer\": \"[::1]:4789\", \"iface\": \"veth0\", \"reverse\": false}")))
                .mutations(JsonMutator::new).refusesWith(IllegalArgumentException.class)
                .run(input -> assertThat(MoveJson.read(RestApi.readBody(text(input)), "request")).isNotNull());
        assertThat(result.accepted()).as("some mutated moves are still valid").isPositive();
    }

    @Test
    void drainingEventsDnsChanges() {
        Fuzzer.Result result = Fuzzer.of("tunnel body dns change").seeds(List.of(bytes(
                "{\"stage\": \"DRAINING\", \"dns\": {\"originalTtl\": \"300s\", \"loweredAt\": \"2026-12-04T10:00:00Z\","
                        + " \"loweredTtl\": \"5s\", \"switchedAt\": \"2026-12-04T10:05:00Z\"}}")))
                .mutations(JsonMutator::new).refusesWith(IllegalArgumentException.class)
                .run(input -> assertThat(MoveJson.dnsChange(RestApi.readBody(text(input)).get("dns"), "request: dns"))
                        .isNotNull());
        assertThat(result.accepted()).isPositive();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] input) {
        return new String(input, StandardCharsets.UTF_8);
    }
}
