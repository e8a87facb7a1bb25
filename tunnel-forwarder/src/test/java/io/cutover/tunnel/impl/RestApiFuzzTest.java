package io.cutover.tunnel.impl;

import io.cutover.support.fuzz.Fuzzer;
import io.cutover.support.fuzz.JsonMutator;
import io.cutover.support.fuzz.QuietLogs;
import io.cutover.support.fuzz.RestTarget;
import io.cutover.tunnel.DrainPolicy;
import io.cutover.tunnel.ForwarderOptions;
import io.cutover.tunnel.MoveSpec;
import io.cutover.tunnel.MoveState;
import io.cutover.tunnel.Role;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tunnel daemon's move requests, fuzzed (see {@link Fuzzer}, {@link JsonMutator}) against the real API on
 * loopback: every body gets a success or a 4xx in the one error layout, never a 5xx. A request costs a round trip,
 * so each endpoint gets a quarter of {@code fuzz.iterations}; the allocation bound is off: the work happens on the
 * server's threads, and the body limit bounds it.
 */
class RestApiFuzzTest {
    private static final String TOKEN = "tunnel-token-0123456789";
    private DefaultForwarder forwarder;
    private RestApi api;
    private QuietLogs quiet;

    @BeforeEach
    void start() throws Exception {
        quiet = QuietLogs.of("io.vertx", "io.netty", "io.cutover");
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        forwarder = DefaultForwarder.startDetached(ForwarderOptions.builder().bind(loopback).build());
        forwarder.openDetached(MoveSpec.builder("m1", 42).role(Role.SOURCE).vmMac("02:00:c6:12:00:64")
                .vmAddresses(List.of(InetAddress.getByAddress(TestFrames.VM_IP)))
                .peer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9)).iface("unused").insecurePlain(true)
                .drain(new DrainPolicy(Duration.ofDays(1), Duration.ofDays(2), Duration.ofSeconds(60))).build(),
                MoveState.FORWARDING);
        api = RestApi.start(forwarder, loopback, TOKEN, null);
    }

    @AfterEach
    void stop() {
        api.close();
        forwarder.close();
        quiet.close();
    }

    @Test
    void moveRequestsGetAnAnswerOrA4xxNeverA5xx() {
        RestTarget target = new RestTarget("POST", uri("/v1/moves"), TOKEN);
        Fuzzer.of("tunnel API POST /v1/moves").seeds(bodies(
                "{\"id\": \"m2\", \"vni\": 43, \"role\": \"DESTINATION\", \"mode\": \"L3\", \"vmMac\": \"02:00:c6:12:00:65\","
                        + " \"vmAddresses\": [\"198.18.0.101\", \"2001:db8::65\"], \"newAddress\": \"198.18.1.101\","
                        + " \"peer\": \"127.0.0.1:4789\", \"iface\": \"veth0\", \"key\": \"" + "A".repeat(43) + "=\","
                        + " \"drain\": {\"idle\": \"30s\", \"hardMax\": \"10m\", \"dnsTtl\": \"300s\"},"
                        + " \"hold\": {\"packets\": 1000, \"bytes\": 1048576}}",
                "{\"id\": \"m3\", \"vni\": 44, \"role\": \"SOURCE\", \"vmMac\": \"02:00:c6:12:00:66\","
                        + " \"vmAddresses\": [\"198.18.0.102\"], \"peer\": \"127.0.0.1:4789\", \"iface\": \"veth0\","
                        + " \"reverse\": false, \"stage\": \"PREPARED\"}"))
                .mutations(JsonMutator::new).inputsDividedBy(4).withoutAllocationLimit().run(target);
        assertThat(target.sent()).isGreaterThanOrEqualTo(Fuzzer.iterations() / 4);
    }

    @Test
    void moveEventsGetAnAnswerOrA4xxNeverA5xx() {
        Instant now = Instant.now();
        RestTarget target = new RestTarget("POST", uri("/v1/moves/m1/events"), TOKEN);
        Fuzzer.of("tunnel API POST /v1/moves/{id}/events").seeds(bodies(
                "{\"stage\": \"DRAINING\", \"dns\": {\"originalTtl\": \"300s\", \"loweredAt\": \"" + now
                        + "\", \"loweredTtl\": \"5s\", \"switchedAt\": \"" + now + "\"}}",
                "{\"stage\": \"SWITCHOVER\", \"lookback\": \"200ms\"}",
                "{\"stage\": \"SWITCHOVER\", \"from\": \"" + now + "\"}",
                "{\"stage\": \"ACTIVATED\"}"))
                .mutations(JsonMutator::new).inputsDividedBy(4).withoutAllocationLimit().run(target);
        assertThat(target.sent()).isGreaterThanOrEqualTo(Fuzzer.iterations() / 4);
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + api.port() + path);
    }

    private static List<byte[]> bodies(String... json) {
        return java.util.Arrays.stream(json).map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();
    }
}
