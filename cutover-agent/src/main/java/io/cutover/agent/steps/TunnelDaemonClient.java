package io.cutover.agent.steps;

import io.cutover.api.CutoverStage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

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

    private static final ObjectMapper JSON = new ObjectMapper();

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
     * @throws DaemonException naming the call and the daemon's error otherwise, or when the daemon does not answer
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
            throw new DaemonException(0, "cannot reach the tunnel daemon at " + api
                    + " (is 'cutover tunnel serve' running?): " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DaemonException(0, method + " " + uri + ": interrupted", e);
        }
        if (Arrays.stream(ok).noneMatch(code -> code == response.statusCode())) {
            throw new DaemonException(response.statusCode(), describe(response.body()), null);
        }
        return response.body();
    }

    /** {@code error: detail} of a JSON error, or the body as it is. */
    private static String describe(String body) {
        try {
            JsonNode error = JSON.readTree(body);
            return error.path("error").asText() + ": " + error.path("detail").asText();
        } catch (IOException e) {
            return body.strip();
        }
    }

    /** The daemon refused a call (its status and error), or did not answer (status 0). */
    public static final class DaemonException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        private final int status;
        private final String detail;

        public DaemonException(int status, String detail, Throwable cause) {
            super(status == 0 ? detail : "the tunnel daemon answered " + status + ": " + detail, cause);
            this.status = status;
            this.detail = detail;
        }

        /** The daemon's {@code error: detail}, or why it did not answer. */
        public String detail() {
            return detail;
        }

        /** The HTTP status, or 0 when the daemon did not answer. */
        public int status() {
            return status;
        }
    }
}
