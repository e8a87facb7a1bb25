package io.cutover.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.support.Netns;
import io.cutover.support.ThreadPriority;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * JSON over HTTP from inside a lab namespace, as an orchestrator on that host calls its daemons: the client's
 * threads (and so its sockets) are in the namespace, whichever thread calls, and run at the daemons' priority
 * (ahead of the migration that shares this process).
 */
final class NamespacedHttp implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A call's status and JSON body ({@code null} when empty). */
    record Answer(int status, JsonNode body) {
        /** The body, when the status is one of {@code ok}; otherwise an error naming the call and the answer. */
        JsonNode expect(String call, int... ok) {
            for (int code : ok) {
                if (code == status) {
                    return body;
                }
            }
            throw new IllegalStateException(call + " answered " + status + ": " + body);
        }
    }

    private final URI base;
    private final String token;
    private final ExecutorService threads;
    private final HttpClient http;

    /**
     * @param namespace the network namespace the sockets are opened in
     * @param base      the API's root, ending with a slash, such as {@code http://127.0.0.1:7070/v1/}
     * @param token     the bearer token sent with every call, or {@code null}
     */
    NamespacedHttp(String namespace, URI base, String token) {
        this.base = base;
        this.token = token;
        this.threads = Executors.newCachedThreadPool(ThreadPriority.niced(Netns.threadFactory(namespace),
                LabAgents.NICENESS));
        this.http = inNamespace(() -> HttpClient.newBuilder().executor(threads)
                .connectTimeout(Duration.ofSeconds(5)).build());
    }

    /** {@code method path} with {@code body} (JSON or {@code null}), waiting at most {@code timeout}. */
    Answer send(String method, String path, Object body, Duration timeout) {
        return inNamespace(() -> {
            HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout)
                    .header("Content-Type", "application/json")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body instanceof String text ? text
                            : JSON.writeValueAsString(body)));
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body().isBlank() ? null : JSON.readTree(response.body()));
        });
    }

    /** {@link #send} with a 30-second limit. */
    Answer send(String method, String path, Object body) {
        return send(method, path, body, Duration.ofSeconds(30));
    }

    /** Whether the API answers at all (any status). */
    boolean answers(String path) {
        try {
            send("GET", path, null, Duration.ofSeconds(2));
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    private interface Call<T> {
        T call() throws IOException, InterruptedException;
    }

    private <T> T inNamespace(Call<T> call) {
        try {
            return threads.submit(call::call).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted calling " + base, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot call " + base + ": " + e.getCause(), e.getCause());
        }
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
