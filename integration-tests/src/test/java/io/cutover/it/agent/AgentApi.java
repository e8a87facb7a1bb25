package io.cutover.it.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.support.JsonAnswer;
import io.cutover.support.JsonHttpClient;

import java.net.URI;
import java.time.Duration;
import java.util.function.Predicate;

/** An orchestrator's calls to an agent's REST API, as docs/orchestrators.md shows them. */
final class AgentApi {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonHttpClient http;

    /** @param base the agent's API root, such as {@code http://127.0.0.1:7070/v1/}; calls run on the calling thread */
    AgentApi(URI base) {
        this.http = JsonHttpClient.builder(base).bearerToken(LabProcesses.TOKEN).timeout(Duration.ofSeconds(120))
                .build();
    }

    JsonAnswer create(String json) throws Exception {
        return send("POST", "cutovers", JSON.readTree(json));
    }

    JsonAnswer phase(String id, String phase) {
        return send("POST", "cutovers/" + id + "/phase/" + phase, null);
    }

    JsonNode cutover(String id) {
        return send("GET", "cutovers/" + id, null).body();
    }

    /** Polls the cutover until {@code condition} holds; fails with its last state after {@code within}. */
    JsonNode awaitCutover(String id, Duration within, Predicate<JsonNode> condition) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        JsonNode last = cutover(id);
        while (!condition.test(last)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the cutover did not get there within " + within + ": " + last.toPrettyString());
            }
            Thread.sleep(100);
            last = cutover(id);
        }
        return last;
    }

    /** Whether the timeline holds {@code what event}. */
    static boolean has(JsonNode cutover, String what, String event) {
        for (JsonNode entry : cutover.path("timeline")) {
            if (entry.path("what").asText().equals(what) && entry.path("event").asText().equals(event)) {
                return true;
            }
        }
        return false;
    }

    /** What the agent answers to {@code GET /metrics}, as Prometheus would scrape it (with the token). */
    String metrics() {
        return send("GET", "/metrics", null).requireStatus(200).text();
    }

    JsonAnswer send(String method, String path, Object body) {
        return http.send(method, path, body);
    }
}
