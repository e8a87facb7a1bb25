package io.cutover.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.agent.CutoverRequest;
import io.cutover.agent.CutoverService;
import io.cutover.agent.MemoryClaims;
import io.cutover.agent.PeerAgents;
import io.cutover.agent.StepFactory;
import io.cutover.agent.config.AgentConfig;
import io.cutover.agent.rest.AgentServer;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.cutover.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code agent cutovers} against two real agents on loopback: hostA's cutover of vm1 to hostB, with no steps. */
class AgentCutoversCommandTest {
    private static final String TOKEN = "test-token-0123456789abcdef";
    private static final ObjectMapper JSON = new ObjectMapper();

    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path dir;

    private Vertx vertx;
    private String source;
    private String cutover;
    private String tokenFile;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        tokenFile = java.nio.file.Files.writeString(dir.resolve("token"), TOKEN).toString();
        int destination = agent("hostB", 1024, Map.of()).listen("127.0.0.1", 0).await(5, TimeUnit.SECONDS);
        CutoverService service = service("hostA", 0, Map.of("hostB", URI.create("http://127.0.0.1:" + destination)));
        int port = new AgentServer(vertx, service, TOKEN, "hostA").listen("127.0.0.1", 0).await(5, TimeUnit.SECONDS);
        source = "http://127.0.0.1:" + port;
        cutover = service.create(JSON.readValue("""
                {"vm": "vm1", "mac": "02:00:c6:12:00:64", "addresses": ["198.18.0.100"],
                 "source": "hostA", "destination": "hostB", "mode": "lan", "memoryMiB": 64}
                """, CutoverRequest.class)).id();
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().await(5, TimeUnit.SECONDS);
    }

    @Test
    void cutoversWithJsonIsTheAgentsListForAScript() throws Exception {
        Cli.Run run = run("agent", "cutovers", "--url", source, "--json", "--token-file", tokenFile);
        assertThat(run.code()).as(run.err()).isZero();
        JsonNode cutovers = JSON.readTree(run.out()).path("cutovers");
        assertThat(cutovers).hasSize(1);
        assertThat(cutovers.get(0).path("id").asText()).isEqualTo(cutover);
        assertThat(cutovers.get(0).path("request").path("vm").asText()).isEqualTo("vm1");
    }

    @Test
    void cutoversIsATableWithHeadersByDefault() {
        Cli.Run run = run("agent", "cutovers", "--url", source + "/", "--token-file", tokenFile);
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).startsWith("ID").containsPattern("(?m)^ID +STAGE +ENDED +VM +SOURCE +DESTINATION +MODE +FAILURE$")
                .containsPattern("(?m)^" + cutover + " +PLANNED +no +vm1 +hostA +hostB +lan +-$");
    }

    @Test
    void aWrongTokenIsRefusedAndNamedWithoutListingAnything() throws Exception {
        String wrong = java.nio.file.Files.writeString(dir.resolve("wrong"), "wrong-token-0123456789").toString();
        Cli.Run run = run("agent", "cutovers", "--url", source, "--token-file", wrong);
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("401 unauthorized: wrong bearer token");
        assertThat(run.out()).doesNotContain(cutover);
    }

    @Test
    void anAgentThatDoesNotAnswerIsAFailureNamingItsUrl() {
        Cli.Run run = run("agent", "cutovers", "--url", "http://127.0.0.1:1", "--token-file", tokenFile);
        assertThat(run.code()).isEqualTo(ExitCode.FAILED);
        assertThat(run.err()).startsWith("cutover: no agent answers at http://127.0.0.1:1");
    }

    private AgentServer agent(String host, long memory, Map<String, URI> peers) {
        return new AgentServer(vertx, service(host, memory, peers), TOKEN, host);
    }

    private static CutoverService service(String host, long memory, Map<String, URI> peers) {
        AgentConfig config = new AgentConfig(host, "127.0.0.1", 0, TOKEN, memory, peers);
        return new CutoverService(config, new MemoryClaims(config.memoryMiB()), new PeerAgents(config.peers(), TOKEN),
                StepFactory.none());
    }
}
