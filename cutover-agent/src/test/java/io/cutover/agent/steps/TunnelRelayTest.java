package io.cutover.agent.steps;

import io.cutover.agent.CutoverService;
import io.cutover.agent.MemoryClaims;
import io.cutover.agent.PeerAgents;
import io.cutover.agent.StepFactory;
import io.cutover.agent.config.AgentConfig;
import io.cutover.agent.plan.CutoverPlan;
import io.cutover.agent.rest.AgentServer;
import io.cutover.api.CutoverStage;
import io.cutover.tunnel.DaemonConfig;
import io.cutover.tunnel.TunnelDaemon;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The tunnel's two ends as a plan drives them: this host's daemon (a real one, on loopback) and the other host's,
 * through that host's agent (a real agent relaying to a recording end).
 */
class TunnelRelayTest {
    private static final String TOKEN = "test-token-0123456789abcdef";

    private final Vertx vertx = Vertx.vertx();
    private final List<String> relayed = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
        vertx.close().await(5, TimeUnit.SECONDS);
    }

    /** hostB's agent, whose tunnel end records what it is asked. */
    private PeerAgents peerWithRecordingTunnel() throws Exception {
        TunnelEnd recording = new TunnelEnd() {
            @Override
            public void requireMove(String moveId) {
                relayed.add("ready " + moveId);
            }

            @Override
            public void stage(String moveId, CutoverStage stage) {
                relayed.add(stage + " " + moveId);
            }

            @Override
            public void remove(String moveId) {
                relayed.add("remove " + moveId);
            }
        };
        AgentConfig config = new AgentConfig("hostB", "127.0.0.1", 0, TOKEN, 64, Map.of());
        AgentServer agent = new AgentServer(vertx, new CutoverService(config, new MemoryClaims(64),
                new PeerAgents(Map.of(), TOKEN), StepFactory.none()), TOKEN, "hostB", recording);
        int port = agent.listen("127.0.0.1", 0).await(5, TimeUnit.SECONDS);
        return new PeerAgents(Map.of("hostB", URI.create("http://127.0.0.1:" + port)), TOKEN);
    }

    @Test
    void theOtherHostsEndIsDrivenThroughItsAgentAndAFailureDiscardsBothEnds() throws Exception {
        List<String> local = new CopyOnWriteArrayList<>();
        TunnelEnd here = new TunnelEnd() {
            @Override
            public void requireMove(String moveId) {
                local.add("ready " + moveId);
            }

            @Override
            public void stage(String moveId, CutoverStage stage) {
                if (stage == CutoverStage.ACTIVATED) {
                    throw new IllegalStateException("flush failed");
                }
                local.add(stage + " " + moveId);
            }

            @Override
            public void remove(String moveId) {
                local.add("remove " + moveId);
            }
        };
        CutoverPlan plan = new CutoverPlan("c", TunnelSteps.registered("vm1", here,
                new PeerTunnelEnd(peerWithRecordingTunnel(), "hostB")));
        plan.advance(CutoverStage.PLANNED).toCompletableFuture().get(10, TimeUnit.SECONDS);
        plan.advance(CutoverStage.SWITCHOVER).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThatThrownBy(() -> plan.advance(CutoverStage.ACTIVATED).toCompletableFuture().get(10, TimeUnit.SECONDS))
                .hasMessageContaining("step tunnel.flush at ACTIVATED failed: flush failed");
        assertThat(relayed).as("the destination holds nothing: it is first told at ACTIVATED")
                .containsExactly("ready vm1", "ACTIVATED vm1", "remove vm1", "remove vm1");
        assertThat(local).containsExactly("ready vm1", "SWITCHOVER vm1", "remove vm1", "remove vm1");
    }

    @Test
    void theDestinationForwardsBeforeTheSourceSendsAndClosesAfterIt() throws Exception {
        List<String> calls = new CopyOnWriteArrayList<>();
        CutoverPlan plan = new CutoverPlan("c", TunnelSteps.registered("vm1", recordingEnd("source", calls),
                recordingEnd("destination", calls)));
        for (CutoverStage stage : List.of(CutoverStage.PLANNED, CutoverStage.SWITCHOVER, CutoverStage.ACTIVATED,
                CutoverStage.DRAINING, CutoverStage.COMPLETED)) {
            plan.advance(stage).toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        assertThat(calls).containsSubsequence("destination ACTIVATED", "source ACTIVATED")
                .containsSubsequence("source COMPLETED", "destination COMPLETED");
    }

    private static TunnelEnd recordingEnd(String name, List<String> calls) {
        return new TunnelEnd() {
            @Override
            public void requireMove(String moveId) {
            }

            @Override
            public void stage(String moveId, CutoverStage stage) {
                calls.add(name + " " + stage);
            }

            @Override
            public void remove(String moveId) {
                calls.add(name + " removed");
            }
        };
    }

    @Test
    void aRealDaemonWithoutTheMoveIsNotReadyAndRemovingItIsHarmless() throws Exception {
        TunnelDaemon daemon = TunnelDaemon.start(new DaemonConfig(new InetSocketAddress("127.0.0.1", 0),
                new InetSocketAddress("127.0.0.1", 0), null, null, null, 1500, List.of()));
        closing.add(daemon);
        TunnelDaemonClient client = new TunnelDaemonClient(URI.create("http://127.0.0.1:" + daemon.apiPort() + "/v1"));
        assertThatThrownBy(() -> client.requireMove("vm1")).isInstanceOfSatisfying(TunnelDaemonClient.DaemonException.class,
                e -> assertThat(e.status()).isEqualTo(404));
        client.remove("vm1");
        assertThatThrownBy(() -> client.stage("vm1", CutoverStage.SWITCHOVER))
                .isInstanceOf(TunnelDaemonClient.DaemonException.class).hasMessageContaining("404");
    }
}
