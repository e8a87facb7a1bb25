package io.cutover.agent.steps;

import io.cutover.migration.CutoverStage;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;

/** A tunnel daemon ({@code cutover tunnel serve}) driven through its REST API. */
public final class TunnelDaemonClient implements TunnelEnd {
    /** How long one call may take. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final URI api;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(DEFAULT_TIMEOUT).build();

    /** @param api the daemon's root, such as {@code http://127.0.0.1:7171} (with or without {@code /v1}) */
    public TunnelDaemonClient(URI api) {
        String text = api.toString().replaceAll("/+$", "").replaceAll("/v1$", "");
        this.api = URI.create(text);
    }

    @Override
    public void requireMove(String moveId) {
        call("GET", "/v1/moves/" + moveId, null, 200);
    }

    @Override
    public void stage(String moveId, CutoverStage stage) {
        call("POST", "/v1/moves/" + moveId + "/events", "{\"stage\":\"" + stage.name() + "\"}", 200);
    }

    @Override
    public void remove(String moveId) {
        call("DELETE", "/v1/moves/" + moveId, null, 204, 404);
    }

    /**
     * One call; the answer's body when its status is one of {@code ok}.
     *
     * @throws IllegalStateException naming the call, with the daemon's error, otherwise
     */
    public String call(String method, String path, String body, int... ok) {
        URI uri = URI.create(api + path);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(DEFAULT_TIMEOUT)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + uri + ": the tunnel daemon does not answer (" + e + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(method + " " + uri + ": interrupted", e);
        }
        if (Arrays.stream(ok).noneMatch(code -> code == response.statusCode())) {
            throw new IllegalStateException(method + " " + uri + ": " + response.statusCode() + " " + response.body().strip());
        }
        return response.body();
    }
}
