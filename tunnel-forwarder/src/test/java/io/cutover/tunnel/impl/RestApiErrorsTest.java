package io.cutover.tunnel.impl;

import com.fasterxml.jackson.databind.JsonNode;
import io.cutover.tunnel.ForwarderOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The API's errors on a real API with a token, on loopback: one layout, {@code {"error", "detail"}}. */
class RestApiErrorsTest {
    private static final String TOKEN = "tunnel-token-0123456789";
    private final HttpClient http = HttpClient.newHttpClient();
    private DefaultForwarder forwarder;
    private RestApi api;

    @BeforeEach
    void start() {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        forwarder = DefaultForwarder.startDetached(ForwarderOptions.builder().bind(loopback).build());
        api = RestApi.start(forwarder, loopback, TOKEN, null);
    }

    @AfterEach
    void stop() {
        api.close();
        forwarder.close();
    }

    @Test
    void everyErrorIsOneObjectOfErrorAndDetail() throws Exception {
        HttpResponse<String> noToken = send("GET", "/v1/moves", null, null);
        assertLayout(noToken, 401, "unauthorized", "missing bearer token");
        assertThat(noToken.headers().firstValue("WWW-Authenticate")).contains("Bearer");
        assertLayout(send("POST", "/v1/moves", "{not json", TOKEN), 400, "bad request", "the body is no JSON");
        String keyless = "{\"id\":\"m\",\"vni\":7,\"role\":\"source\",\"vmMac\":\"02:00:c6:12:00:64\","
                + "\"vmAddresses\":[\"198.18.0.100\"],\"peer\":\"198.19.0.2\",\"iface\":\"eth0\"}";
        assertLayout(send("POST", "/v1/moves", keyless, TOKEN), 400, "bad request",
                "no key or keyFile: moves are sealed (AES-GCM) by default; for plain VXLAN (a kernel VXLAN peer) set "
                        + "insecurePlain: true");
        assertLayout(send("GET", "/v1/moves/nosuch", null, TOKEN), 404, "not found", "no move nosuch");
        assertLayout(send("DELETE", "/v1/moves/nosuch", null, TOKEN), 404, "not found", "no move nosuch");
        assertLayout(send("GET", "/v1/nowhere", null, TOKEN), 404, "not found", "GET /v1/nowhere");
    }

    @Test
    void everyRefusedRequestIsLoggedOnOneLine() throws Exception {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                .getLogger(io.cutover.support.ErrorAnswer.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
                new ch.qos.logback.core.read.ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        try {
            send("POST", "/v1/moves", "null", TOKEN);
            send("POST", "/v1/moves", "{\"pad\":\"" + "x".repeat(100_000) + "\"}", TOKEN);
            assertThat(lines.list).extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                    .satisfiesExactly(
                            line -> assertThat(line).startsWith("refused POST /v1/moves from 127.0.0.1:")
                                    .endsWith(": 400 bad request: request: the body must be a JSON object"),
                            line -> assertThat(line).startsWith("refused POST /v1/moves from 127.0.0.1:")
                                    .endsWith(": 413 request too large: status 413"));
        } finally {
            logger.detachAppender(lines);
        }
    }

    private HttpResponse<String> send(String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("content-type", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The one error layout ({@link io.cutover.support.ErrorAnswer}): exactly {@code error} and {@code detail}, as JSON. */
    private static void assertLayout(HttpResponse<String> response, int status, String error, String detail)
            throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        JsonNode body = MoveJson.MAPPER.readTree(response.body());
        List<String> fields = new ArrayList<>();
        body.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("error", "detail");
        assertThat(body.get("error").asText()).isEqualTo(error);
        assertThat(body.get("detail").asText()).contains(detail);
    }
}
