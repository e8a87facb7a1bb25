package io.cutover.support.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.IntPredicate;

/**
 * One REST endpoint of a real server on loopback as a fuzz target: each input is sent as the JSON body of a request
 * with the caller's token, and the answer must be a success or a 4xx in the one error layout
 * ({@code {"error", "detail"}}): never a 500, never another body. A server that stops answering fails the input
 * on the client's timeout.
 */
public final class RestTarget implements Fuzzer.Target {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String method;
    private final URI uri;
    private final String token;
    private IntPredicate success = status -> status >= 200 && status < 300;
    private IntPredicate refusal = status -> status >= 400 && status < 500;
    private int sent;
    private int succeeded;

    /**
     * @param method the request's method
     * @param uri    the endpoint, e.g. {@code http://127.0.0.1:PORT/v1/endpoints}
     * @param token  the bearer token, or {@code null} for none
     */
    public RestTarget(String method, URI uri, String token) {
        this.method = method;
        this.uri = uri;
        this.token = token;
    }

    /**
     * Which statuses count as a refusal in the error layout (4xx unless told; e.g. the controller's 503 for a
     * switch that is not connected, which is the API's answer and not a failure of the server).
     */
    public RestTarget refusal(IntPredicate value) {
        this.refusal = value;
        return this;
    }

    /** Which statuses count as the request done (2xx unless told). */
    public RestTarget success(IntPredicate value) {
        this.success = value;
        return this;
    }

    @Override
    public void parse(byte[] input) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                .method(method, HttpRequest.BodyPublishers.ofByteArray(input))
                .header("Content-Type", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        sent++;
        int status = response.statusCode();
        if (success.test(status)) {
            succeeded++;
            return;
        }
        if (!refusal.test(status)) {
            throw new AssertionError(method + " " + uri.getPath() + " answered " + status + ": " + response.body());
        }
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError(status + " whose body is not JSON: " + response.body());
        }
        if (body == null || body.size() != 2 || !body.path("error").isTextual() || !body.path("detail").isTextual()) {
            throw new AssertionError(status + " outside the error layout: " + response.body());
        }
    }

    /** Requests sent so far. */
    public int sent() {
        return sent;
    }

    /** Requests that succeeded (a mutated body may still be valid). */
    public int succeeded() {
        return succeeded;
    }
}
