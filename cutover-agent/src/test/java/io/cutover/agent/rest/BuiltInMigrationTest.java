package io.cutover.agent.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.agent.BuiltInMigrator;
import io.cutover.agent.CutoverService;
import io.cutover.agent.MemoryClaims;
import io.cutover.agent.PeerAgents;
import io.cutover.agent.StepFactory;
import io.cutover.agent.config.AccessConfig;
import io.cutover.agent.config.AgentConfig;
import io.cutover.agent.config.MigrationConfig;
import io.cutover.agent.steps.Step;
import io.cutover.api.CutoverStage;
import io.cutover.support.Metrics;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code POST /v1/cutovers} with the built-in migrator: the source agent migrates a synthetic guest to the
 * destination agent's migration address (both on loopback), the plan's steps run at the migration's stages, and both
 * agents report the same verified digest of the whole memory.
 */
class BuiltInMigrationTest {
    private static final String TOKEN = "test-token-0123456789abcdef";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<String> applied = new CopyOnWriteArrayList<>();
    /** Completes when the tunnel's drain ends (at once unless a test holds it). */
    private volatile java.util.concurrent.CompletableFuture<Void> drained =
            java.util.concurrent.CompletableFuture.completedFuture(null);
    private Vertx vertx;
    private BuiltInMigrator sourceMigrator;
    private BuiltInMigrator destinationMigrator;
    private final Metrics sourceMetrics = Metrics.of("agent");
    private final Metrics destinationMetrics = Metrics.of("agent");
    private URI source;
    private URI destination;

    @BeforeEach
    void startTwoAgents() throws Exception {
        vertx = Vertx.vertx();
        MigrationConfig loopback = new MigrationConfig(new InetSocketAddress("127.0.0.1", 0), null);
        destinationMigrator = BuiltInMigrator.open(loopback, destinationMetrics.registry());
        destination = listen(agent("hostB", Map.of(), StepFactory.none(), destinationMigrator, destinationMetrics));
        sourceMigrator = BuiltInMigrator.open(loopback, sourceMetrics.registry());
        source = listen(agent("hostA", Map.of("hostB", destination), (id, request) -> List.of(
                record("sdn.prepare", CutoverStage.PLANNED), record("tunnel.hold", CutoverStage.SWITCHOVER),
                record("sdn.commit", CutoverStage.ACTIVATED), new Step("tunnel.drain", CutoverStage.DRAINING, () -> {
                    applied.add("tunnel.drain");
                    return drained;
                }, Step::done),
                record("sdn.cleanup", CutoverStage.COMPLETED)), sourceMigrator, sourceMetrics));
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().await(5, TimeUnit.SECONDS);
        sourceMigrator.close();
        destinationMigrator.close();
        sourceMetrics.close();
        destinationMetrics.close();
    }

    @Test
    void theSourceMigratesTheGuestWithThePlanAsListenerAndBothSidesVerifyTheSameMemory() throws Exception {
        HttpResponse<String> created = post(source, "/v1/cutovers", request("synthetic:size=8m,workload=hotset,rate=2000"));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = JSON.readTree(created.body()).path("id").asText();
        JsonNode done = await(id, c -> c.path("stage").asText().equals("COMPLETED"));

        JsonNode report = done.path("migration").path("report");
        assertThat(report.path("outcome").asText()).isEqualTo("COMPLETED");
        assertThat(report.path("integrity").asText()).isEqualTo("FULL_MEMORY");
        assertThat(applied).containsExactly("sdn.prepare", "tunnel.hold", "sdn.commit", "tunnel.drain", "sdn.cleanup");
        JsonNode arrived = JSON.readTree(get(destination, "/v1/migrations").body()).path("migrations").get(0);
        assertThat(arrived.path("activated").asBoolean()).isTrue();
        assertThat(arrived.path("guestRunning").asBoolean()).isTrue();
        assertThat(arrived.path("verifiedDigest").asText()).as("the digest of the whole memory, at both ends")
                .isEqualTo(report.path("verifiedDigest").asText()).isNotEqualTo("0");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (freeMemory() != 1024 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(freeMemory()).as("the claim ends with the cutover").isEqualTo(1024);
        assertThat(destinationMigrator.stats().expected()).as("the claim's secret was spent").isZero();
        assertThat(destinationMigrator.stats().pendingBytes()).isZero();

        assertThat(scrape(source, "cutover_migrations_total", 1, "outcome=\"completed\"", "side=\"source\""))
                .isEqualTo(1);
        assertThat(scrape(destination, "cutover_migrations_total", 1, "outcome=\"completed\"",
                "side=\"destination\"")).isEqualTo(1);
        assertThat(scrape(source, "cutover_migrations_total", 0, "outcome=\"completed\"", "side=\"destination\""))
                .as("the source received nothing").isZero();
        double sent = scrape(source, "cutover_migration_bytes_total", 1, "direction=\"sent\"");
        assertThat(sent).as("what the migration's report says it sent").isPositive()
                .isEqualTo(report.path("progress").path("transferredBytes").asDouble());
        assertThat(scrape(destination, "cutover_migration_bytes_total", 1, "direction=\"received\""))
                .isPositive();
        assertThat(scrape(source, "cutover_migration_rounds_total", 1)).isGreaterThanOrEqualTo(1);
        assertThat(scrape(source, "cutover_migration_downtime_seconds_count", 1)).isEqualTo(1);
    }

    @Test
    void theCutoverDrainsAfterTheMigrationAndCompletesOnlyOnceTheDrainEnded() throws Exception {
        drained = new java.util.concurrent.CompletableFuture<>();
        HttpResponse<String> created = post(source, "/v1/cutovers", request("synthetic:size=8m,workload=hotset,rate=2000"));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = JSON.readTree(created.body()).path("id").asText();
        await(id, c -> c.path("migration").path("report").path("outcome").asText().equals("COMPLETED"));
        Thread.sleep(300);
        JsonNode draining = JSON.readTree(get(source, "/v1/cutovers/" + id).body());
        assertThat(draining.path("stage").asText()).as("the migration ended, the clients have not moved")
                .isEqualTo("DRAINING");
        assertThat(applied).doesNotContain("sdn.cleanup");
        drained.complete(null);
        await(id, c -> c.path("stage").asText().equals("COMPLETED") && c.path("ended").asBoolean());
        assertThat(applied).endsWith("tunnel.drain", "sdn.cleanup");
    }

    @Test
    void theMigrationPortServesOnlyTheClaimedMigrationNoLargerThanTheClaim() throws Exception {
        // a stranger on the migration port: refused, nothing reserved
        String[] at = destinationMigrator.address().split(":");
        try (java.net.Socket stranger = new java.net.Socket(at[0], Integer.parseInt(at[1]))) {
            io.netty.buffer.ByteBuf hello = io.netty.buffer.Unpooled.buffer();
            new io.cutover.migration.transport.Hello("m-00000001", "synthetic:size=8m", 4096, 2048, false, "")
                    .writeFrame(hello);
            byte[] bytes = new byte[hello.readableBytes()];
            hello.readBytes(bytes);
            hello.release();
            stranger.getOutputStream().write(bytes);
            stranger.setSoTimeout(10_000);
            while (stranger.getInputStream().read() != -1) {
                // the refusal, then the close
            }
        }
        assertThat(destinationMigrator.stats().refused(io.cutover.migration.Refusal.UNEXPECTED)).isEqualTo(1);

        // a guest of 128 MiB on a claim of 64 MiB: refused by the destination, the guest runs on at the source
        HttpResponse<String> created = post(source, "/v1/cutovers", request("synthetic:size=128m,workload=idle"));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = JSON.readTree(created.body()).path("id").asText();
        JsonNode failed = await(id, c -> c.path("stage").asText().equals("ROLLED_BACK")
                && c.path("migration").has("report"));
        assertThat(failed.path("migration").path("report").path("outcome").asText()).isEqualTo("ROLLED_BACK");
        assertThat(failed.toString()).contains("larger than expected");
        assertThat(destinationMigrator.stats().refused(io.cutover.migration.Refusal.TOO_LARGE)).isEqualTo(1);
        assertThat(destinationMigrator.incoming()).as("nothing arrived").isEmpty();

        // a migration that fits its claim is still served
        HttpResponse<String> fits = post(source, "/v1/cutovers", request("synthetic:size=8m,workload=hotset,rate=2000"));
        String ok = JSON.readTree(fits.body()).path("id").asText();
        assertThat(await(ok, c -> c.path("stage").asText().matches("COMPLETED|ROLLED_BACK")).path("stage").asText())
                .isEqualTo("COMPLETED");
    }

    @Test
    void aMigratorCutoverIsRefusedWhereItCannotRun() throws Exception {
        HttpResponse<String> atDestination = post(destination, "/v1/cutovers", request("synthetic:size=8m"));
        assertThat(atDestination.statusCode()).isEqualTo(409);
        assertThat(atDestination.body()).contains("the built-in migrator runs at the source");
        HttpResponse<String> badGuest = post(source, "/v1/cutovers", request("synthetic:size=8m,workload=sometimes"));
        assertThat(badGuest.statusCode()).isEqualTo(400);
        assertThat(badGuest.body()).contains("migrator.guest: ");
        assertThat(applied).isEmpty();
    }

    private long freeMemory() throws Exception {
        return JSON.readTree(get(destination, "/v1/health").body()).path("memoryFreeMiB").asLong();
    }

    private URI listen(AgentServer server) throws Exception {
        return URI.create("http://127.0.0.1:" + server.listen("127.0.0.1", 0).await(5, TimeUnit.SECONDS));
    }

    private AgentServer agent(String host, Map<String, URI> peers, StepFactory steps, BuiltInMigrator migrator,
                              Metrics metrics) {
        AgentConfig config = new AgentConfig(host, "127.0.0.1", 0, TOKEN, 1024, peers);
        return new AgentServer(vertx, new CutoverService(config, new MemoryClaims(1024), new PeerAgents(peers, TOKEN),
                steps, migrator, null, metrics.registry()), TOKEN, host, null, metrics, AccessConfig.SHARED_TOKEN);
    }

    /**
     * The sample of {@code name} with every one of {@code labels} ({@code key="value"}) in {@code agent}'s
     * {@code GET /metrics}, once it reaches {@code atLeast} (5 s at most: a migration is counted as it ends).
     */
    private double scrape(URI agent, String name, double atLeast, String... labels) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            HttpResponse<String> answer = get(agent, "/metrics");
            assertThat(answer.statusCode()).isEqualTo(200);
            double value = answer.body().lines()
                    .filter(line -> line.startsWith(name + "{") && List.of(labels).stream().allMatch(line::contains))
                    .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                    .findFirst().orElse(Double.NaN);
            if (value >= atLeast || System.nanoTime() > deadline) {
                return value;
            }
            Thread.sleep(50);
        }
    }

    private Step record(String name, CutoverStage stage) {
        return Step.of(name, stage, () -> applied.add(name), () -> applied.add("undo " + name));
    }

    private JsonNode await(String id, java.util.function.Predicate<JsonNode> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        JsonNode cutover = JSON.readTree(get(source, "/v1/cutovers/" + id).body());
        while (!condition.test(cutover)) {
            assertThat(System.nanoTime()).as("cutover: %s", cutover.toPrettyString()).isLessThan(deadline);
            Thread.sleep(50);
            cutover = JSON.readTree(get(source, "/v1/cutovers/" + id).body());
        }
        return cutover;
    }

    private static String request(String guest) {
        return """
                {"vm": "vm1", "mac": "02:00:c6:12:00:64", "addresses": ["198.18.0.100"], "source": "hostA",
                 "destination": "hostB", "mode": "lan", "memoryMiB": 64, "migrator": {"guest": "%s"}}""".formatted(guest);
    }

    private HttpResponse<String> get(URI agent, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(agent.resolve(path)).timeout(Duration.ofSeconds(10))
                        .header("Authorization", "Bearer " + TOKEN).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(URI agent, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(agent.resolve(path)).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
    }
}
