package io.cutover.agent.rest;

import io.cutover.agent.CutoverService;
import io.cutover.agent.MemoryClaims;
import io.cutover.agent.PeerAgents;
import io.cutover.agent.StepFactory;
import io.cutover.agent.config.AgentConfig;
import io.cutover.support.fuzz.Fuzzer;
import io.cutover.support.fuzz.JsonMutator;
import io.cutover.support.fuzz.QuietLogs;
import io.cutover.support.fuzz.RestTarget;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The agent's request bodies (a cutover, a memory claim, another agent's tunnel move and stage), fuzzed (see
 * {@link Fuzzer}, {@link JsonMutator}) against two real agents on loopback, the destination a peer of the source:
 * every body gets a success or a 4xx in the one error layout, never a 500. A request costs a round trip, so each
 * endpoint gets a tenth of {@code fuzz.iterations}; the allocation bound is off (the work is on the server's
 * threads, and the body limit bounds it).
 */
class AgentRestFuzzTest {
    private static final String TOKEN = "test-token-0123456789abcdef";
    private static final String CUTOVER = """
            {"vm": "vm1", "mac": "02:00:c6:12:00:64", "addresses": ["198.18.0.100", "2001:db8::64"],
             "source": "hostA", "destination": "hostB", "mode": "lan", "memoryMiB": 600}""";
    private Vertx vertx;
    private URI source;
    private QuietLogs quiet;

    @BeforeEach
    void startTwoAgents() throws Exception {
        quiet = QuietLogs.of("io.vertx", "io.netty", "io.cutover");
        vertx = Vertx.vertx();
        URI destination = URI.create("http://127.0.0.1:" + agent("hostB", 1 << 20, Map.of()));
        source = URI.create("http://127.0.0.1:" + agent("hostA", 0, Map.of("hostB", destination)));
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().await(5, TimeUnit.SECONDS);
        quiet.close();
    }

    @Test
    void cutoverRequests() {
        // no migrator section: a valid mutation would migrate a guest here
        fuzz("/v1/cutovers", CUTOVER, CUTOVER.replace("\"lan\"", "\"wan\", \"newAddresses\": [\"198.18.1.100\"]"));
    }

    @Test
    void claims() {
        fuzz("/v1/claims", "{\"id\": \"c-1\", \"memoryMiB\": 512}");
    }

    @Test
    void tunnelMovesAndStages() {
        fuzz("/v1/tunnel/moves", "{\"id\": \"m1\", \"vni\": 42, \"role\": \"DESTINATION\", \"mode\": \"L3\","
                + " \"vmMac\": \"02:00:c6:12:00:64\", \"vmAddresses\": [\"198.18.0.100\"], \"peer\": \"127.0.0.1:4789\","
                + " \"key\": \"" + "A".repeat(43) + "=\", \"drain\": {\"idle\": \"30s\"}}");
        fuzz("/v1/tunnel/moves/m1/stage/draining", "{\"dns\": {\"originalTtl\": \"300s\", \"loweredAt\": "
                + "\"2026-12-04T10:00:00Z\", \"loweredTtl\": \"5s\", \"switchedAt\": \"2026-12-04T10:05:00Z\"}}");
    }

    private void fuzz(String path, String... seeds) {
        RestTarget target = new RestTarget("POST", source.resolve(path), TOKEN);
        Fuzzer.of("agent API POST " + path)
                .seeds(Arrays.stream(seeds).map(s -> s.getBytes(StandardCharsets.UTF_8)).toList())
                .mutations(JsonMutator::new).inputsDividedBy(10).withoutAllocationLimit().run(target);
        assertThat(target.sent()).isPositive();
    }

    private int agent(String host, long memoryMiB, Map<String, URI> peers) throws Exception {
        AgentConfig config = new AgentConfig(host, "127.0.0.1", 0, TOKEN, memoryMiB, peers);
        CutoverService service = new CutoverService(config, new MemoryClaims(config.memoryMiB()),
                new PeerAgents(config.peers(), TOKEN), StepFactory.none());
        return new AgentServer(vertx, service, TOKEN, host).listen("127.0.0.1", 0).await(5, TimeUnit.SECONDS);
    }
}
