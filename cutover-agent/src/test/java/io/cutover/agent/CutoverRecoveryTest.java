package io.cutover.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.agent.config.AgentConfig;
import io.cutover.agent.journal.impl.StoreCutoverJournal;
import io.cutover.agent.plan.PlanStep;
import io.cutover.api.CutoverStage;
import io.cutover.store.ReplicatedStore;
import io.cutover.store.StoreOptions;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Agents on one real ZooKeeper server (loopback): hostA's agent writes its cutover's plan state before each step and
 * dies mid-cutover (its session ends, its lease goes); hostB's agent takes the cutover over by compare-and-set and
 * rolls it back with the undo data hostA wrote; hostC's finds it taken and does nothing.
 */
class CutoverRecoveryTest {
    private static final String TOKEN = "0123456789abcdef0123";
    private static final ObjectMapper JSON = new ObjectMapper();

    private TestingServer server;
    private StoreOptions options;
    private final List<String> undone = new CopyOnWriteArrayList<>();
    /** What every undo waits for (a rollback that takes its time), done unless a test says otherwise. */
    private volatile CompletableFuture<Void> undoing = CompletableFuture.completedFuture(null);

    @BeforeEach
    void startServer() throws Exception {
        server = new TestingServer(true);
        options = StoreOptions.of(server.getConnectString()).withSessionTimeout(Duration.ofSeconds(4))
                .withOperationTimeout(Duration.ofSeconds(2)).withRoot("agents-test");
    }

    @AfterEach
    void stopServer() throws Exception {
        server.close();
    }

    @Test
    void aPeerRollsBackTheCutoversOfAHostWhoseLeaseExpiredAndOnlyOnePeerDoesIt() throws Exception {
        ReplicatedStore storeA = ReplicatedStore.connect(options);
        CutoverService hostA = service("hostA", 1024);
        hostA.useJournal(new StoreCutoverJournal(storeA, "hostA"));
        Cutover cutover = hostA.create(new CutoverRequest("vm1", "52:54:00:00:00:01", List.of("198.18.0.100"), "hostB",
                "hostA", "lan", null, null, 64, null, null, null));
        String id = cutover.id();
        try (ReplicatedStore reader = ReplicatedStore.connect(options)) {
            JsonNode written = JSON.readTree(reader.read("cutovers/hostA/" + id).orElseThrow().data());
            assertThat(written.path("state").path("stage").asText()).isEqualTo("PLANNED");
            assertThat(written.path("state").path("applied").toString()).contains("net.prepare").contains("token-7");
            assertThat(written.path("owner").asText()).isEqualTo("hostA");
            // opened, before net.prepare, PLANNED done
            assertThat(hostA.journal().writes(id)).isEqualTo(3);
        }
        storeA.close(); // hostA's agent is gone: its session, and so its lease, ended

        try (ReplicatedStore storeB = ReplicatedStore.connect(options);
             ReplicatedStore storeC = ReplicatedStore.connect(options)) {
            CutoverService hostB = service("hostB", 0);
            CutoverService hostC = service("hostC", 0);
            StoreCutoverJournal journalB = new StoreCutoverJournal(storeB, "hostB");
            StoreCutoverJournal journalC = new StoreCutoverJournal(storeC, "hostC");
            hostB.useJournal(journalB);
            hostC.useJournal(journalC);
            CutoverRecovery peerB = new CutoverRecovery("hostB", journalB, this::steps, hostB);
            CutoverRecovery peerC = new CutoverRecovery("hostC", journalC, this::steps, hostC);
            CompletableFuture<List<String>> byB = CompletableFuture.supplyAsync(peerB::takeOverExpired);
            CompletableFuture<List<String>> byC = CompletableFuture.supplyAsync(peerC::takeOverExpired);
            List<String> taken = new java.util.ArrayList<>(byB.join());
            taken.addAll(byC.join());
            assertThat(taken).as("one peer only took it over").containsExactly(id);
            CutoverService winner = byB.join().isEmpty() ? hostC : hostB;
            awaitEnded(winner, id);
            assertThat(winner.get(id).plan().stage()).isEqualTo(CutoverStage.ROLLED_BACK);
            assertThat(undone).as("undone once, with the move hostA had prepared").containsExactly("net.prepare token-7");

            JsonNode ended = JSON.readTree(storeB.read("cutovers/hostA/" + id).orElseThrow().data());
            assertThat(ended.path("state").path("stage").asText()).isEqualTo("ROLLED_BACK");
            assertThat(ended.path("state").path("ended").asBoolean()).isTrue();
            assertThat(ended.path("owner").asText()).isEqualTo(winner == hostB ? "hostB" : "hostC");
            assertThat(ended.path("outcome").asText()).contains("lease of hostA's agent expired");
            assertThat(peerB.takeOverExpired()).as("nothing left to take").isEmpty();
            journalB.close();
            journalC.close();
        }
    }

    @Test
    void aPeerDoesNotTakeAgainACutoverItIsStillRollingBack() throws Exception {
        ReplicatedStore storeA = ReplicatedStore.connect(options);
        CutoverService hostA = service("hostA", 1024);
        hostA.useJournal(new StoreCutoverJournal(storeA, "hostA"));
        String id = hostA.create(new CutoverRequest("vm1", "52:54:00:00:00:01", List.of("198.18.0.100"), "hostB",
                "hostA", "lan", null, null, 64, null, null, null)).id();
        storeA.close();

        try (ReplicatedStore storeB = ReplicatedStore.connect(options)) {
            CutoverService hostB = service("hostB", 0);
            StoreCutoverJournal journalB = new StoreCutoverJournal(storeB, "hostB");
            hostB.useJournal(journalB);
            CutoverRecovery peerB = new CutoverRecovery("hostB", journalB, this::steps, hostB);
            undoing = new CompletableFuture<>();
            assertThat(peerB.takeOverExpired()).containsExactly(id);
            assertThat(peerB.takeOverExpired()).as("the next lease check, its rollback still running").isEmpty();
            undoing.complete(null);
            awaitEnded(hostB, id);
            assertThat(hostB.get(id).plan().stage()).isEqualTo(CutoverStage.ROLLED_BACK);
            assertThat(undone).as("undone once").containsExactly("net.prepare token-7");
            JsonNode ended = JSON.readTree(storeB.read("cutovers/hostA/" + id).orElseThrow().data());
            assertThat(ended.path("state").path("stage").asText()).isEqualTo("ROLLED_BACK");
            assertThat(peerB.takeOverExpired()).as("nothing left to take").isEmpty();
            journalB.close();
        }
    }

    @Test
    void aPeerThatCannotMakeAnAppliedStepLeavesTheCutoverToOneThatCan() throws Exception {
        ReplicatedStore storeA = ReplicatedStore.connect(options);
        CutoverService hostA = service("hostA", 1024);
        hostA.useJournal(new StoreCutoverJournal(storeA, "hostA"));
        String id = hostA.create(new CutoverRequest("vm1", "52:54:00:00:00:01", List.of("198.18.0.100"), "hostB",
                "hostA", "lan", null, null, 64, null, null, null)).id();
        storeA.close();

        try (ReplicatedStore storeB = ReplicatedStore.connect(options);
             ReplicatedStore storeC = ReplicatedStore.connect(options)) {
            CutoverService hostB = service("hostB", 0);
            StoreCutoverJournal journalB = new StoreCutoverJournal(storeB, "hostB");
            hostB.useJournal(journalB);
            CutoverRecovery withoutNet = new CutoverRecovery("hostB", journalB, (cutover, request) -> List.of(
                    new Recorded("net.commit", CutoverStage.ACTIVATED)), hostB);
            assertThat(withoutNet.takeOverExpired()).as("hostB makes no net.prepare").isEmpty();
            assertThat(withoutNet.takeOverExpired()).isEmpty();
            JsonNode left = JSON.readTree(storeB.read("cutovers/hostA/" + id).orElseThrow().data());
            assertThat(left.path("owner").asText()).as("the document untouched").isEqualTo("hostA");
            assertThat(left.path("state").path("ended").asBoolean()).isFalse();

            CutoverService hostC = service("hostC", 0);
            StoreCutoverJournal journalC = new StoreCutoverJournal(storeC, "hostC");
            hostC.useJournal(journalC);
            assertThat(new CutoverRecovery("hostC", journalC, this::steps, hostC).takeOverExpired())
                    .as("hostC makes every step").containsExactly(id);
            awaitEnded(hostC, id);
            assertThat(undone).containsExactly("net.prepare token-7");
            journalB.close();
            journalC.close();
        }
    }

    private CutoverService service(String host, long memoryMiB) {
        return new CutoverService(new AgentConfig(host, "127.0.0.1", 0, TOKEN, memoryMiB, Map.of()),
                new MemoryClaims(memoryMiB), new PeerAgents(Map.of(), TOKEN), this::steps, null, null,
                new SimpleMeterRegistry());
    }

    private List<PlanStep> steps(String id, CutoverRequest request) {
        return List.of(new Recorded("net.prepare", CutoverStage.PLANNED), new Recorded("net.commit",
                CutoverStage.ACTIVATED));
    }

    private static void awaitEnded(CutoverService service, String id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!service.get(id).plan().ended() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    /** A step whose undo data is made when it applies, and whose undo notes what it undid with. */
    private final class Recorded implements PlanStep {
        private final String name;
        private final CutoverStage stage;
        private volatile String data;

        Recorded(String name, CutoverStage stage) {
            this.name = name;
            this.stage = stage;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public CutoverStage stage() {
            return stage;
        }

        @Override
        public CompletionStage<Void> apply() {
            data = "token-7";
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Void> rollback() {
            return undoing.thenRun(() -> undone.add(name + " " + data));
        }

        @Override
        public String undoData() {
            return data;
        }

        @Override
        public void restore(String undoData) {
            data = undoData;
        }
    }
}
