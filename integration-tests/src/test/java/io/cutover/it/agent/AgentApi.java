package io.cutover.it.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Predicate;

/** An orchestrator's calls to an agent's REST API, as docs/orchestrators.md shows them. */
final class AgentApi {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final HttpClient http = HttpClient.newHttpClient();

    AgentApi(URI base) {
        this.base = base;
    }

    /** The answer's status and JSON body. */
    record Answer(int status, JsonNode body) {
    }

    Answer create(String json) throws Exception {
        return send("POST", "cutovers", json);
    }

    Answer phase(String id, String phase) throws Exception {
        return send("POST", "cutovers/" + id + "/phase/" + phase, null);
    }

    JsonNode cutover(String id) throws Exception {
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

    Answer send(String method, String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(120))
                .header("Authorization", "Bearer " + LabProcesses.TOKEN).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body().isBlank() ? null : JSON.readTree(response.body()));
    }
}
