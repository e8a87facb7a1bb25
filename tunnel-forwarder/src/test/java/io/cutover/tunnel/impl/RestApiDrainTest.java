package io.cutover.tunnel.impl;

import com.fasterxml.jackson.databind.JsonNode;
import io.cutover.tunnel.DrainPolicy;
import io.cutover.tunnel.ForwarderOptions;
import io.cutover.tunnel.MoveSpec;
import io.cutover.tunnel.MoveState;
import io.cutover.tunnel.Role;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code POST /v1/moves/{id}/events} with a DRAINING event's DNS change, on a real API on loopback. */
class RestApiDrainTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private DefaultForwarder forwarder;
    private RestApi api;

    @BeforeEach
    void start() throws Exception {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        forwarder = DefaultForwarder.startDetached(ForwarderOptions.builder().bind(loopback).build());
        forwarder.openDetached(MoveSpec.builder("m1", 42).role(Role.SOURCE).vmMac("02:00:c6:12:00:64")
                .vmAddresses(List.of(InetAddress.getByAddress(TestFrames.VM_IP)))
                .peer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9)).iface("unused").insecurePlain(true)
                .drain(new DrainPolicy(Duration.ofMillis(200), Duration.ofSeconds(60), Duration.ofSeconds(60))).build(),
                MoveState.FORWARDING);
        api = RestApi.start(forwarder, loopback);
    }

    @AfterEach
    void stop() {
        api.close();
        forwarder.close();
    }

    @Test
    void badDnsValuesAreA400NamingTheField() throws Exception {
        HttpResponse<String> bad = event("{\"stage\": \"DRAINING\", \"dns\": {\"loweredTtl\": \"-5s\", "
                + "\"switchedAt\": \"2026-12-04T10:00:00Z\"}}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("request: dns.loweredTtl");
        HttpResponse<String> half = event("{\"stage\": \"DRAINING\", \"dns\": {\"originalTtl\": \"300s\"}}");
        assertThat(half.statusCode()).isEqualTo(400);
        assertThat(half.body()).contains("originalTtl and loweredAt go together");
        HttpResponse<String> wrongStage = event("{\"stage\": \"ACTIVATED\", \"dns\": {}}");
        assertThat(wrongStage.statusCode()).isEqualTo(400);
        assertThat(wrongStage.body()).contains("dns goes only with the stage DRAINING");
        assertThat(forwarder.status("m1").orElseThrow().state()).as("none of them changed the move")
                .isEqualTo(MoveState.FORWARDING);
    }

    @Test
    void aDrainingEventsDnsChangeReplacesTheMovesDnsTtlAndTheMoveSaysWhichRuleEndedIt() throws Exception {
        Instant now = Instant.now();
        HttpResponse<String> ok = event("{\"stage\": \"DRAINING\", \"dns\": {\"originalTtl\": \"1s\", \"loweredAt\": \""
                + now + "\", \"loweredTtl\": \"0s\", \"switchedAt\": \"" + now + "\"}}");
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(MoveJson.MAPPER.readTree(ok.body()).path("state").asText()).isEqualTo("DRAINING");
        Thread.sleep(600);
        assertThat(forwarder.status("m1").orElseThrow().state()).as("idle, but within the original TTL")
                .isEqualTo(MoveState.DRAINING);
        long deadline = System.nanoTime() + 10_000_000_000L;
        JsonNode move;
        do {
            Thread.sleep(50);
            move = MoveJson.MAPPER.readTree(http.send(HttpRequest.newBuilder(uri("/v1/moves/m1")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
        } while (!move.path("state").asText().equals("CLOSED") && System.nanoTime() < deadline);
        assertThat(move.path("state").asText()).isEqualTo("CLOSED");
        assertThat(move.path("drainEndedBy").asText()).isEqualTo("dns-and-idle");
    }

    private HttpResponse<String> event(String body) throws Exception {
        return http.send(HttpRequest.newBuilder(uri("/v1/moves/m1/events")).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + api.port() + path);
    }
}
