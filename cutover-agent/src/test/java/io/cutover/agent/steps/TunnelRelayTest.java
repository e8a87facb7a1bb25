package io.cutover.agent.steps;

import io.cutover.agent.CutoverService;
import io.cutover.agent.MemoryClaims;
import io.cutover.agent.PeerAgents;
import io.cutover.agent.StepFactory;
import io.cutover.agent.config.AgentConfig;
import io.cutover.agent.plan.CutoverPlan;
import io.cutover.agent.rest.AgentServer;
import io.cutover.api.CutoverStage;
import io.cutover.agent.plan.TimelineEntry;
import io.cutover.tunnel.DaemonConfig;
import io.cutover.tunnel.DrainPolicy;
import io.cutover.tunnel.ForwarderOptions;
import io.cutover.tunnel.TunnelDaemon;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
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
            public void drain(String moveId, DrainPolicy.DnsChange dns) {
                relayed.add("DRAINING " + moveId + (dns == null ? "" : " " + dns.fields()));
            }

            @Override
            public Optional<DrainState> drainState(String moveId) {
                // the relay's GET of a move says whether the daemon holds it, and how its drain stands
                relayed.add("ready " + moveId);
                return Optional.of(new DrainState(true, "dns-and-idle", Duration.ofSeconds(1)));
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
            public void drain(String moveId, DrainPolicy.DnsChange dns) {
                local.add("DRAINING " + moveId);
            }

            @Override
            public Optional<DrainState> drainState(String moveId) {
                return Optional.of(new DrainState(true, "idle", Duration.ofSeconds(1)));
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

    @Test
    void drainingLastsUntilTheSourcesMoveSaysItsDrainEndedAndTheTimelineSaysByWhichRule() throws Exception {
        List<String> calls = new CopyOnWriteArrayList<>();
        AtomicInteger polls = new AtomicInteger();
        TunnelEnd source = recordingEnd("source", calls, moveId -> polls.incrementAndGet() < 4
                ? new TunnelEnd.DrainState(false, null, Duration.ofMinutes(10))
                : new TunnelEnd.DrainState(true, "dns-and-idle", Duration.ofMinutes(10)));
        DnsChangeLog dns = new DnsChangeLog();
        Instant lowered = Instant.parse("2026-12-04T10:00:00Z");
        dns.lowered(Duration.ofSeconds(300), lowered);
        dns.switched(Duration.ofSeconds(5), lowered.plusSeconds(30));
        CutoverPlan plan = new CutoverPlan("c", TunnelSteps.registered("vm1", source, recordingEnd("destination", calls),
                TunnelSteps.Arming.AT_STAGES, new TunnelSteps.Notes(dns, null)));
        for (CutoverStage stage : List.of(CutoverStage.PLANNED, CutoverStage.SWITCHOVER, CutoverStage.ACTIVATED)) {
            plan.advance(stage).toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        long start = System.nanoTime();
        var draining = plan.advance(CutoverStage.DRAINING).toCompletableFuture();
        Thread.sleep(100);
        assertThat(draining).as("the drain has not ended").isNotDone();
        draining.get(10, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("three polls said it drains")
                .isGreaterThanOrEqualTo(TunnelDrain.POLL.multipliedBy(3));
        assertThat(calls).containsSubsequence("destination DRAINING " + dns.change().fields(),
                "source DRAINING " + dns.change().fields());
        assertThat(plan.timeline().entries()).filteredOn(e -> e.what().equals("tunnel.drain") && e.event().equals("done"))
                .extracting(TimelineEntry::detail).containsExactly("ended by dns-and-idle");
    }

    @Test
    void theDnsChangeReachesTheOtherHostsDaemonThroughItsAgentAndABadOneIsA400() throws Exception {
        PeerAgents peers = peerWithRecordingTunnel();
        PeerTunnelEnd other = new PeerTunnelEnd(peers, "hostB");
        DrainPolicy.DnsChange dns = new DrainPolicy.DnsChange(Duration.ofSeconds(300),
                Instant.parse("2026-12-04T10:00:00Z"), Duration.ofSeconds(5), Instant.parse("2026-12-04T10:00:30Z"));
        other.drain("vm1", dns);
        other.drain("vm2", null);
        assertThat(relayed).containsExactly("DRAINING vm1 " + dns.fields(), "DRAINING vm2");
        assertThat(other.drainState("vm1")).contains(new TunnelEnd.DrainState(true, "dns-and-idle", Duration.ofSeconds(1)));
        assertThatThrownBy(() -> peers.drainTunnelMove("hostB", "vm1", Map.of("loweredTtl", "5s")))
                .hasMessageContaining("400").hasMessageContaining("loweredTtl and switchedAt go together");
    }

    @Test
    void aMirroredHoldReachesBackFromTheGuestsPauseHoweverLateItsStepRuns() throws Exception {
        List<java.time.Instant> holds = new java.util.concurrent.CopyOnWriteArrayList<>();
        TunnelEnd source = new TunnelEnd() {
            @Override
            public void requireMove(String moveId) {
            }

            @Override
            public void stage(String moveId, CutoverStage stage) {
            }

            @Override
            public void hold(String moveId, java.time.Instant from) {
                holds.add(from);
            }

            @Override
            public void drain(String moveId, DrainPolicy.DnsChange dns) {
            }

            @Override
            public Optional<DrainState> drainState(String moveId) {
                return Optional.empty();
            }

            @Override
            public void remove(String moveId) {
            }
        };
        io.cutover.agent.plan.Timeline timeline = new io.cutover.agent.plan.Timeline();
        CutoverPlan plan = new CutoverPlan("c", timeline, TunnelSteps.registered("vm1", source,
                recordingEnd("destination", new ArrayList<>()), TunnelSteps.Arming.MIRRORED,
                new TunnelSteps.Notes(null, timeline)), java.util.Set.of());
        plan.advance(CutoverStage.PLANNED).toCompletableFuture().get(10, TimeUnit.SECONDS);
        timeline.addAt(System.nanoTime() - Duration.ofMillis(300).toNanos(), "vm.pause", "done", "QEMU's pre-switchover");
        java.time.Instant stepStarts = java.time.Instant.now();
        plan.advance(CutoverStage.SWITCHOVER).toCompletableFuture().get(10, TimeUnit.SECONDS);

        assertThat(holds).singleElement().satisfies(from -> assertThat(Duration.between(from, stepStarts))
                .as("300 ms since the pause, and the lookback before it (give or take the few ms the wall clock "
                        + "and the monotonic one may drift apart by, which the step converts between)")
                .isBetween(Duration.ofMillis(295).plus(TunnelSteps.PAUSE_LOOKBACK),
                        Duration.ofMillis(400).plus(TunnelSteps.PAUSE_LOOKBACK)));
    }

    private static TunnelEnd recordingEnd(String name, List<String> calls) {
        return recordingEnd(name, calls, moveId -> new TunnelEnd.DrainState(true, "idle", Duration.ofSeconds(1)));
    }

    private static TunnelEnd recordingEnd(String name, List<String> calls,
                                          Function<String, TunnelEnd.DrainState> drainState) {
        return new TunnelEnd() {
            @Override
            public void requireMove(String moveId) {
            }

            @Override
            public void stage(String moveId, CutoverStage stage) {
                calls.add(name + " " + stage);
            }

            @Override
            public void drain(String moveId, DrainPolicy.DnsChange dns) {
                calls.add(name + " DRAINING" + (dns == null ? "" : " " + dns.fields()));
            }

            @Override
            public Optional<DrainState> drainState(String moveId) {
                return Optional.of(drainState.apply(moveId));
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
                new InetSocketAddress("127.0.0.1", 0), null, TOKEN, null, 1500, ForwarderOptions.DEFAULT_FLUSH_RATE, List.of(), null, false));
        closing.add(daemon);
        TunnelDaemonClient client = new TunnelDaemonClient(URI.create("http://127.0.0.1:" + daemon.apiPort() + "/v1"), TOKEN);
        assertThatThrownBy(() -> client.requireMove("vm1")).isInstanceOfSatisfying(TunnelDaemonClient.DaemonException.class,
                e -> assertThat(e.status()).isEqualTo(404));
        client.remove("vm1");
        assertThatThrownBy(() -> client.stage("vm1", CutoverStage.SWITCHOVER))
                .isInstanceOf(TunnelDaemonClient.DaemonException.class).hasMessageContaining("404");
    }
}
