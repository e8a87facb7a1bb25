package io.cutover.sdn.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.sdn.Move;
import io.cutover.sdn.SdnException;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Drives a move through a controller's REST API ({@link SdnRestServer}), as a host agent does from another
 * process. Futures fail with {@link ControllerUnreachableException} when the controller does not answer, and
 * with {@link RejectedException} (its status and JSON error) when it refuses.
 */
public final class SdnRestClient {
    /** How long a call may take, commit included (every switch confirms before the answer). */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final URI base;
    private final String token;
    private final Duration timeout;
    private final HttpClient http;

    /**
     * @param base    the API's root, such as {@code http://127.0.0.1:8181/v1}
     * @param token   a bearer token sent with every call, or {@code null}
     * @param timeout how long one call may take
     */
    public SdnRestClient(URI base, String token, Duration timeout) {
        String text = Objects.requireNonNull(base, "base").toString();
        this.base = URI.create(text.endsWith("/") ? text : text + "/");
        this.token = token;
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    public URI base() {
        return base;
    }

    /** {@code POST /moves}: installs the destination's flows (see {@link io.cutover.sdn.SdnController#prepare}). */
    public CompletionStage<Move> prepare(String endpoint, String toSwitch, String toPort) {
        return call("POST", "moves", Map.of("endpoint", endpoint, "toSwitch", toSwitch, "toPort", toPort));
    }

    public CompletionStage<Move> redirectToForwarder(int moveId, String port) {
        return call("POST", "moves/" + moveId + "/redirect", Map.of("port", port));
    }

    public CompletionStage<Move> commit(int moveId) {
        return call("POST", "moves/" + moveId + "/commit", null);
    }

    public CompletionStage<Move> cleanup(int moveId) {
        return call("POST", "moves/" + moveId + "/cleanup", null);
    }

    public CompletionStage<Move> rollback(int moveId) {
        return call("POST", "moves/" + moveId + "/rollback", null);
    }

    public CompletionStage<Move> move(int moveId) {
        return call("GET", "moves/" + moveId, null);
    }

    private CompletionStage<Move> call(String method, String path, Object body) {
        URI uri = base.resolve(path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(write(body)));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString()).handle((response, error) -> {
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                throw new ControllerUnreachableException(method + " " + uri + ": the controller does not answer ("
                        + cause + ")", cause);
            }
            if (response.statusCode() / 100 != 2) {
                throw new RejectedException(method + " " + uri, response.statusCode(), response.body());
            }
            try {
                return JSON.readValue(response.body(), Move.class);
            } catch (JsonProcessingException e) {
                throw new SdnException(method + " " + uri + ": unreadable answer: " + e.getOriginalMessage(), e);
            }
        });
    }

    private static String write(Object body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** The controller could not be reached (down, or the call timed out); the move's state there is unknown. */
    public static final class ControllerUnreachableException extends SdnException {
        private static final long serialVersionUID = 1L;

        public ControllerUnreachableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The controller answered with an error. */
    public static final class RejectedException extends SdnException {
        private static final long serialVersionUID = 1L;

        private final int status;
        private final String error;

        public RejectedException(String call, int status, String body) {
            super(call + ": " + status + " " + describe(body));
            this.status = status;
            this.error = describe(body);
        }

        /** The HTTP status: 400, 404, 409 (wrong move state), 502 (a switch refused), 503 (a switch is down). */
        public int status() {
            return status;
        }

        /** The controller's {@code error: detail}. */
        public String error() {
            return error;
        }

        private static String describe(String body) {
            try {
                JsonNode node = JSON.readTree(body);
                return node.path("error").asText() + ": " + node.path("detail").asText();
            } catch (IOException | RuntimeException e) {
                return body == null ? "" : body.strip();
            }
        }
    }
}
