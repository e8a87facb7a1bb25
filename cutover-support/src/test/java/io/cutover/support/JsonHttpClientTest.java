package io.cutover.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.CookieHandler;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The client against a real HTTP server on loopback. */
class JsonHttpClientTest {
    private final List<Map<String, String>> requests = new CopyOnWriteArrayList<>();
    private final List<Integer> clientPorts = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private HttpServer server;
    private URI api;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/echo", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            record(exchange);
            answer(exchange, 201, "{\"method\":\"" + exchange.getRequestMethod() + "\",\"received\":" + body + "}");
        });
        server.createContext("/v1/empty", exchange -> {
            record(exchange);
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.createContext("/v1/moves/7", exchange ->
                answer(exchange, 409, "{\"error\":\"conflict\",\"detail\":\"move 7 is committed\"}"));
        server.createContext("/v1/plain", exchange -> answer(exchange, 502, "bad gateway\n"));
        server.createContext("/v1/text", exchange -> answer(exchange, 200, "not json"));
        server.createContext("/v1/slow", exchange -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            answer(exchange, 200, "{}");
        });
        server.createContext("/health", exchange -> answer(exchange, 200, "{\"path\":\""
                + exchange.getRequestURI().getPath() + "\"}"));
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        api = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1");
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.stop(0);
    }

    private void record(HttpExchange exchange) {
        requests.add(Map.of("authorization", String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")),
                "contentType", String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type"))));
        clientPorts.add(exchange.getRemoteAddress().getPort());
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Test
    void jsonGoesOutAndComesBackWithTheBearerToken() {
        try (JsonHttpClient client = JsonHttpClient.builder(api).bearerToken("t0ken").build()) {
            JsonNode sent = JsonNodeFactory.instance.objectNode().put("id", "vm1").put("memoryMiB", 64);
            JsonAnswer answer = client.send("POST", "echo", sent).requireStatus(201);
            assertThat(answer.body().path("received")).isEqualTo(sent);
            assertThat(answer.body().path("method").asText()).isEqualTo("POST");
            assertThat(client.send("POST", "echo", Map.of("port", "p1")).body().path("received").path("port").asText())
                    .isEqualTo("p1");
        }
        assertThat(requests).allSatisfy(r -> assertThat(r).containsEntry("authorization", "Bearer t0ken")
                .containsEntry("contentType", "application/json"));
    }

    @Test
    void readsATypedBodyAndAnEmptyOne() {
        record Echo(String method) {
        }
        try (JsonHttpClient client = JsonHttpClient.builder(api).build()) {
            assertThat(client.send("POST", "echo", Map.of()).requireSuccess().body(Echo.class))
                    .isEqualTo(new Echo("POST"));
            JsonAnswer empty = client.send("DELETE", "empty", null).requireStatus(204, 404);
            assertThat(empty.body()).isNull();
            assertThat(empty.text()).isEmpty();
            assertThatThrownBy(() -> client.send("GET", "text", null).body())
                    .isInstanceOf(HttpMalformedAnswerException.class).hasMessageContaining("GET " + api + "/text");
        }
        assertThat(requests.get(1)).as("no token configured, none sent").containsEntry("authorization", "null");
    }

    @Test
    void relativePathsAreUnderTheBaseAndAbsoluteOnesFromTheRoot() {
        try (JsonHttpClient client = JsonHttpClient.builder(api).build()) {
            assertThat(client.base()).isEqualTo(URI.create(api + "/"));
            assertThat(client.send("GET", "/health", null).body().path("path").asText()).isEqualTo("/health");
        }
    }

    @Test
    void anErrorStatusCarriesTheStatusAndTheServersError() {
        try (JsonHttpClient client = JsonHttpClient.builder(api).build()) {
            JsonAnswer conflict = client.send("POST", "moves/7", null);
            assertThat(conflict.status()).isEqualTo(409);
            assertThatThrownBy(() -> conflict.requireStatus(200, 204))
                    .isInstanceOfSatisfying(HttpErrorStatusException.class, e -> {
                        assertThat(e.status()).isEqualTo(409);
                        assertThat(e.problem()).isEqualTo("conflict: move 7 is committed");
                        assertThat(e.call()).isEqualTo("POST " + api + "/moves/7");
                    })
                    .hasMessage("POST " + api + "/moves/7: 409 conflict: move 7 is committed");
            assertThatThrownBy(() -> client.send("GET", "plain", null).requireSuccess())
                    .isInstanceOfSatisfying(HttpErrorStatusException.class, e -> {
                        assertThat(e.status()).isEqualTo(502);
                        assertThat(e.problem()).isEqualTo("bad gateway");
                        assertThat(e.body()).isEqualTo("bad gateway\n");
                    });
        }
    }

    @Test
    void aRefusedConnectionIsUnreachable() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        try (JsonHttpClient client = JsonHttpClient.builder(URI.create("http://127.0.0.1:" + closed + "/v1/")).build()) {
            assertThatThrownBy(() -> client.send("POST", "moves/1/rollback", null))
                    .isInstanceOf(HttpUnreachableException.class).hasCauseInstanceOf(ConnectException.class)
                    .hasMessageStartingWith("POST http://127.0.0.1:" + closed + "/v1/moves/1/rollback: no answer");
            assertThatThrownBy(() -> client.sendAsync("GET", "moves", null).join())
                    .isInstanceOf(CompletionException.class).hasCauseInstanceOf(HttpUnreachableException.class);
        }
    }

    @Test
    void anAnswerLaterThanTheTimeoutIsUnreachable() {
        try (JsonHttpClient client = JsonHttpClient.builder(api).timeout(Duration.ofSeconds(10)).build()) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> client.send("GET", "slow", null, Duration.ofMillis(300)))
                    .isInstanceOf(HttpUnreachableException.class).hasCauseInstanceOf(SocketTimeoutException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void callsRunOnTheGivenThreadsEachOnItsOwnConnection() throws Exception {
        List<String> requestedFrom = new CopyOnWriteArrayList<>();
        CookieHandler previous = CookieHandler.getDefault();
        // HttpURLConnection asks the cookie handler on the thread that makes the request
        CookieHandler.setDefault(new CookieHandler() {
            @Override
            public Map<String, List<String>> get(URI uri, Map<String, List<String>> headers) {
                requestedFrom.add(Thread.currentThread().getName());
                return Map.of();
            }

            @Override
            public void put(URI uri, Map<String, List<String>> headers) {
            }
        });
        AtomicInteger count = new AtomicInteger();
        ThreadFactory marked = runnable -> new Thread(runnable, "marked-" + count.incrementAndGet());
        try (JsonHttpClient client = JsonHttpClient.builder(api).threads(marked).build()) {
            client.send("DELETE", "empty", null).requireStatus(204);
            client.sendAsync("DELETE", "empty", null).get(5, TimeUnit.SECONDS).requireStatus(204);
            client.send("DELETE", "empty", null).requireStatus(204);
        } finally {
            CookieHandler.setDefault(previous);
        }
        assertThat(requestedFrom).hasSize(3).allSatisfy(name -> assertThat(name).startsWith("marked-"));
        assertThat(clientPorts).as("no connection kept for another call (it may be in another namespace)")
                .doesNotHaveDuplicates().hasSize(3);
    }

    @Test
    void aCallWhoseThreadNeverRunsItFailsInsteadOfWaitingForever() {
        // a namespace's thread that cannot enter it (the lab was removed) dies before it runs its task
        try (JsonHttpClient client = JsonHttpClient.builder(URI.create("http://127.0.0.1:9/v1/"))
                .threads(Netns.threadFactory("cutover-test-no-such-namespace"))
                .connectTimeout(Duration.ofMillis(200)).timeout(Duration.ofMillis(200)).build()) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> client.send("GET", "health", null))
                    .isInstanceOf(HttpUnreachableException.class)
                    .hasStackTraceContaining("did not run the call");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        }
    }
}
