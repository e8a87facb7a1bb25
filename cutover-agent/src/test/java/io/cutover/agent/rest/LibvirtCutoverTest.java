package io.cutover.agent.rest;

import io.cutover.agent.CutoverRequest;
import io.cutover.agent.CutoverService;
import io.cutover.agent.MemoryClaims;
import io.cutover.agent.PeerAgents;
import io.cutover.agent.PrecheckFailedException;
import io.cutover.agent.StepFactory;
import io.cutover.agent.config.AgentConfig;
import io.cutover.agent.libvirt.LibvirtDomains;
import io.cutover.agent.libvirt.FakeVirsh;
import io.cutover.agent.libvirt.LibvirtEvent;
import io.cutover.agent.libvirt.LibvirtEvents;
import io.cutover.agent.plan.CutoverPlan;
import io.cutover.agent.plan.PlanStep;
import io.cutover.agent.plan.TimelineEntry;
import io.cutover.agent.steps.Step;
import io.cutover.api.CutoverStage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Two real agents on loopback following a libvirt migration that the orchestrator runs: each agent's libvirt events
 * are scripted here, in the order two libvirtd send them ({@link Domains} stands in for {@code virsh event}); the
 * destination reports its own over HTTP, as in production.
 */
class LibvirtCutoverTest {
    private static final String TOKEN = "libvirt-token-0123456789abcdef";

    private final List<String> applied = new CopyOnWriteArrayList<>();
    private final Domains atSource = new Domains();
    private final Domains atDestination = new Domains();
    private Vertx vertx;
    private CutoverService source;
    private CutoverService destination;
    private final AtomicReference<Router> destinationRoutes = new AtomicReference<>();
    private volatile boolean failPrepare;
    private Map<String, URI> sourcePeers;

    @BeforeEach
    void startTwoAgents() throws Exception {
        vertx = Vertx.vertx();
        // each agent calls the other: the destination's port is taken first, its agent routed there once the
        // source's listens
        int destinationPort = vertx.createHttpServer()
                .requestHandler(request -> destinationRoutes.get().handle(request))
                .listen(0, "127.0.0.1").await(5, TimeUnit.SECONDS).actualPort();
        sourcePeers = Map.of("hostB", URI.create("http://127.0.0.1:" + destinationPort));
        sourceWith(atSource);
        atSource.states.put("qvm", LibvirtDomains.RUNNING);
    }

    private StepFactory sourceSteps() {
        return (id, request) -> List.of(step("sdn.prepare", CutoverStage.PLANNED),
                step("tunnel.hold", CutoverStage.SWITCHOVER), step("sdn.commit", CutoverStage.ACTIVATED),
                step("tunnel.drain", CutoverStage.DRAINING), step("tunnel.close", CutoverStage.COMPLETED));
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().await(5, TimeUnit.SECONDS);
    }

    @Test
    void theStagesFollowLibvirtsEventsAndThePauseIsPlacedAtItsEvent() throws Exception {
        String id = create().id();
        CutoverPlan plan = source.get(id).plan();
        assertThat(plan.stage()).isEqualTo(CutoverStage.PLANNED);
        assertThat(atSource.followed("qvm")).isTrue();
        assertThat(atDestination.followed("qvm")).as("the destination follows before the answer").isTrue();
        assertThat(destination.claims().holds(id)).isTrue();

        atDestination.emit("qvm", "Started Migrated");
        long pausedAt = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(30);
        atSource.emit("qvm", "Suspended Migrated", pausedAt);
        await(() -> applied.contains("tunnel.hold"));
        assertThat(plan.stage()).isEqualTo(CutoverStage.SWITCHOVER);
        assertThat(plan.timeline().nanoTimeOf("vm.pause", "done")).as("at the event, not when the plan took it")
                .isCloseTo(pausedAt, within(1_000L));

        atDestination.emit("qvm", "Resumed Migrated");
        await(() -> applied.contains("sdn.commit"));
        assertThat(plan.stage()).isEqualTo(CutoverStage.ACTIVATED);
        assertThat(atDestination.followed("qvm")).as("the destination is done once it reported").isFalse();

        atSource.emit("qvm", "Stopped Migrated");
        await(() -> source.ended(source.get(id)));
        assertThat(plan.stage()).isEqualTo(CutoverStage.COMPLETED);
        assertThat(applied).containsExactly("sdn.prepare", "tunnel.hold", "sdn.commit", "tunnel.drain",
                "tunnel.close");
        assertThat(plan.timeline().entries()).extracting(LibvirtCutoverTest::line).containsSubsequence(
                "vm.pause done", "SWITCHOVER stage", "vm.resume done", "ACTIVATED stage", "libvirt completed",
                "DRAINING stage", "COMPLETED stage")
                .contains("libvirt following").doesNotContain("vm.resume unreported", "vm.pause unseen");
        assertThat(plan.blackoutProtected()).isTrue();
        assertThat(atSource.followed("qvm")).as("unsubscribed at the end").isFalse();
        await(() -> !destination.claims().holds(id));
    }

    /** The source's agent reading virsh's own lines ({@link LibvirtEvents} running a fake virsh). */
    @Test
    void virshsLinesDriveTheSourcesStages(@TempDir Path dir) throws Exception {
        FakeVirsh virsh = FakeVirsh.in(dir).state("qvm", LibvirtDomains.RUNNING)
                .prints(1, FakeVirsh.line("other", "Suspended Migrated") + FakeVirsh.line("qvm", "Suspended Migrated"))
                .prints(2, FakeVirsh.line("qvm", "Stopped Migrated"));
        try (LibvirtEvents events = virsh.start(Duration.ofMillis(20))) {
            int sourcePort = sourceWith(events);
            String id = source.create(request()).id();
            CutoverPlan plan = source.get(id).plan();
            long before = System.nanoTime();
            virsh.go(1);
            await(() -> applied.contains("tunnel.hold"));
            long pause = plan.timeline().nanoTimeOf("vm.pause", "done");
            assertThat(pause).as("when the line was read").isBetween(before, System.nanoTime());
            atDestination.emit("qvm", "Resumed Migrated");
            await(() -> applied.contains("sdn.commit"));
            virsh.go(2);
            await(() -> source.ended(source.get(id)));
            assertThat(plan.stage()).as("%s on %d", plan.timeline().entries(), sourcePort)
                    .isEqualTo(CutoverStage.COMPLETED);
            assertThat(plan.timeline().entries()).extracting(LibvirtCutoverTest::line).containsSubsequence(
                    "vm.pause done", "SWITCHOVER stage", "vm.resume done", "ACTIVATED stage", "libvirt completed",
                    "COMPLETED stage");
        }
    }

    /** Replaces the source's agent by one that follows {@code events}; the destination reports to it. */
    private int sourceWith(LibvirtDomains events) throws Exception {
        source = new CutoverService(new AgentConfig("hostA", "127.0.0.1", 0, TOKEN, 0, sourcePeers),
                new MemoryClaims(0), new PeerAgents(sourcePeers, TOKEN), sourceSteps(), null, null, events,
                new SimpleMeterRegistry());
        int sourcePort = new AgentServer(vertx, source, TOKEN, "hostA").listen("127.0.0.1", 0)
                .await(5, TimeUnit.SECONDS);
        Map<String, URI> destinationPeers = Map.of("hostA", URI.create("http://127.0.0.1:" + sourcePort));
        destination = new CutoverService(new AgentConfig("hostB", "127.0.0.1", 0, TOKEN, 1024, destinationPeers),
                new MemoryClaims(1024), new PeerAgents(destinationPeers, TOKEN), StepFactory.none(), null, null,
                atDestination, new SimpleMeterRegistry());
        destinationRoutes.set(new AgentServer(vertx, destination, TOKEN, "hostB").router());
        return sourcePort;
    }

    @Test
    void aGuestResumedAtTheSourceAfterItsPauseRollsTheNetworkBack() throws Exception {
        String id = create().id();
        CutoverPlan plan = source.get(id).plan();
        atSource.emit("qvm", "Suspended Migrated");
        await(() -> applied.contains("tunnel.hold"));
        atSource.emit("qvm", "Resumed Migrated");
        await(() -> source.ended(source.get(id)));
        assertThat(plan.stage()).isEqualTo(CutoverStage.ROLLED_BACK);
        assertThat(applied).containsSubsequence("tunnel.hold", "undo tunnel.hold", "undo sdn.prepare")
                .doesNotContain("sdn.commit");
        assertThat(plan.timeline().entries()).extracting(LibvirtCutoverTest::line)
                .contains("migration failed", "libvirt source-guest");
        assertThat(atSource.followed("qvm")).isFalse();
        await(() -> !atDestination.followed("qvm") && !destination.claims().holds(id));
    }

    @Test
    void theDestinationsFailedMigrationRollsTheNetworkBack() throws Exception {
        String id = create().id();
        CutoverPlan plan = source.get(id).plan();
        atDestination.emit("qvm", "Started Migrated");
        atSource.emit("qvm", "Suspended Migrated");
        await(() -> applied.contains("tunnel.hold"));
        atDestination.emit("qvm", "Stopped Failed");
        await(() -> source.ended(source.get(id)));
        assertThat(plan.stage()).isEqualTo(CutoverStage.ROLLED_BACK);
        assertThat(plan.timeline().entries()).extracting(LibvirtCutoverTest::line).contains("migration failed");
        assertThat(applied).doesNotContain("sdn.commit").contains("undo tunnel.hold");
        // libvirt resumes the guest at the source afterwards: nothing more happens
        atSource.emit("qvm", "Resumed Migrated");
        assertThat(plan.stage()).isEqualTo(CutoverStage.ROLLED_BACK);
        assertThat(atSource.followed("qvm")).isFalse();
    }

    @Test
    void aLibvirtCutoverIsCreatedAtTheSourceWithALibvirtdThatRunsTheDomain() {
        atSource.states.put("qvm", "paused");
        assertThatThrownBy(this::create).isInstanceOf(PrecheckFailedException.class)
                .hasMessageContaining("libvirt domain qvm is paused, not running");
        atSource.states.remove("qvm");
        assertThatThrownBy(this::create).isInstanceOf(PrecheckFailedException.class)
                .hasMessageContaining("unknown to this host's libvirtd");
        assertThatThrownBy(() -> destination.create(request())).isInstanceOf(PrecheckFailedException.class)
                .hasMessageContaining("create this cutover at the agent of hostA");
        CutoverService withoutLibvirt = new CutoverService(new AgentConfig("hostA", "127.0.0.1", 0, TOKEN, 0,
                Map.of()), new MemoryClaims(0), new PeerAgents(Map.of(), TOKEN), StepFactory.none());
        assertThatThrownBy(() -> withoutLibvirt.create(request())).isInstanceOf(PrecheckFailedException.class)
                .hasMessageContaining("no libvirt section");
        assertThat(applied).isEmpty();
    }

    @Test
    void aDestinationThatCannotFollowTheDomainRefusesTheCutoverAndItEnds() throws Exception {
        destination = new CutoverService(new AgentConfig("hostB", "127.0.0.1", 0, TOKEN, 1024, Map.of()),
                new MemoryClaims(1024), new PeerAgents(Map.of(), TOKEN), StepFactory.none());
        destinationRoutes.set(new AgentServer(vertx, destination, TOKEN, "hostB").router());
        assertThatThrownBy(this::create).isInstanceOf(PrecheckFailedException.class)
                .hasMessageContaining("no libvirt section");
        io.cutover.agent.Cutover refused = source.list().iterator().next();
        await(() -> source.ended(refused));
        assertThat(refused.plan().stage()).isEqualTo(CutoverStage.ROLLED_BACK);
        assertThat(applied).containsExactly("sdn.prepare", "undo sdn.prepare");
        assertThat(atSource.followed("qvm")).isFalse();
        await(() -> destination.claims().freeMiB() == 1024);
    }

    @Test
    void aCutoverWhosePlannedStepFailsHasEndedAndFollowsNothing() throws Exception {
        failPrepare = true;
        assertThatThrownBy(this::create).isInstanceOf(PrecheckFailedException.class)
                .hasMessageContaining("rolled back");
        io.cutover.agent.Cutover refused = source.list().iterator().next();
        await(() -> source.ended(refused));
        assertThat(atSource.followed("qvm")).isFalse();
        assertThat(atDestination.followed("qvm")).isFalse();
    }

    private io.cutover.agent.Cutover create() {
        return source.create(request());
    }

    private static CutoverRequest request() {
        return new CutoverRequest("vm1", "02:00:c6:12:00:64", List.of("198.18.0.100"), "hostA", "hostB", "lan",
                List.of(), null, 100, null, null, null, new CutoverRequest.Libvirt("qvm"));
    }

    private static String line(TimelineEntry entry) {
        return entry.what() + " " + entry.event();
    }

    private PlanStep step(String name, CutoverStage stage) {
        return Step.of(name, stage, () -> {
            if (failPrepare && name.equals("sdn.prepare")) {
                throw new IllegalStateException("br-b has no port vm1");
            }
            applied.add(name);
        }, () -> applied.add("undo " + name));
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(condition.getAsBoolean()).as("within 10 s").isTrue();
    }

    /** One host's libvirt domains, their events told by the test on its own thread, as virsh's reader would. */
    static final class Domains implements LibvirtDomains {
        final Map<String, String> states = new ConcurrentHashMap<>();
        private final Map<String, List<Consumer<LibvirtEvent>>> subscribers = new ConcurrentHashMap<>();

        @Override
        public Subscription follow(String domain, Consumer<LibvirtEvent> subscriber) {
            subscribers.computeIfAbsent(domain, name -> new CopyOnWriteArrayList<>()).add(subscriber);
            return () -> subscribers.getOrDefault(domain, List.of()).remove(subscriber);
        }

        @Override
        public String domainState(String domain) {
            return states.getOrDefault(domain, "");
        }

        boolean followed(String domain) {
            return !subscribers.getOrDefault(domain, List.of()).isEmpty();
        }

        void emit(String domain, String words) {
            emit(domain, words, System.nanoTime());
        }

        void emit(String domain, String words, long nanoTime) {
            LibvirtEvent event = LibvirtEvent.parse("2026-12-04 16:00:00.000+0000: event 'lifecycle' for domain '"
                    + domain + "': " + words, nanoTime).orElseThrow();
            subscribers.getOrDefault(domain, List.of()).forEach(subscriber -> subscriber.accept(event));
        }
    }
}
