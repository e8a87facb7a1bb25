package io.cutover.it.security;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static io.cutover.it.security.HostilePeer.json;
import static io.cutover.it.security.HostilePeer.request;
import static io.cutover.it.security.HostilePeer.status;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code cutover agent} on loopback, with a token of its own and one it shares with its peer hostB, attacked as a
 * stranger on the host and as a peer that oversteps would: every call without the token or with a wrong one (reads
 * too), the peer's token for what only this host's orchestrator may do, garbage, a request without Host, a JSON null,
 * bodies over the limit, an upload, a form, clients that send a byte a second, a port scan. Afterwards its cutovers and
 * its free memory are what they were, it serves a valid call at once, its memory and open files are back within
 * bounds, and each refusal was logged on one line.
 */
class AgentAttackIT {
    private static final String TOKEN = "agent-attack-it-host-0123456789";
    private static final String PEER_TOKEN = "agent-attack-it-pair-0123456789";
    private static final String CUTOVER = """
            {"vm": "vm1", "mac": "02:00:c6:12:00:64", "addresses": ["198.18.0.100"], "source": "hostA",
             "destination": "hostB", "mode": "lan", "memoryMiB": 64}""";
    private static final Pattern READY = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)/v1");

    @TempDir
    Path dir;

    @Test
    void refusedCallsChangeNothingAndLeaveTheAgentServing() throws Exception {
        Path config = Files.writeString(dir.resolve("host.yaml"), """
                host: hostA
                listen: 127.0.0.1:0
                token: %s
                memory-mib: 1024
                peers:
                  hostB: {url: "http://127.0.0.1:9", token: %s}
                """.formatted(TOKEN, PEER_TOKEN));
        try (Daemon agent = Daemon.start(dir.resolve("agent.log"), null, "agent", "--config", config.toString())) {
            InetSocketAddress api = new InetSocketAddress("127.0.0.1", Integer.parseInt(agent.awaitLine(READY)));
            String cutovers = get(api, "/v1/cutovers");
            String health = get(api, "/v1/health");
            assertThat(health).contains("\"memoryFreeMiB\":1024");
            HostilePeer.Footprint before = agent.footprint();

            // no token, or a wrong one: 401 before the body is read, reads as well
            assertThat(status(HostilePeer.http(api, json("POST", "/v1/cutovers", CUTOVER)))).isEqualTo(401);
            assertThat(status(HostilePeer.http(api, json("POST", "/v1/claims", "{\"id\":\"c-x\",\"memoryMiB\":512}",
                    "Authorization: Bearer agent-attack-it-guessed-00000")))).isEqualTo(401);
            assertThat(status(HostilePeer.http(api, request("DELETE", "/v1/cutovers/c-1", null, "Host: x")))).isEqualTo(401);
            assertThat(status(HostilePeer.http(api, request("GET", "/v1/cutovers", null, "Host: x")))).isEqualTo(401);
            assertThat(status(HostilePeer.http(api, json("POST", "/v1/cutovers/c-1/phase/switchover", "",
                    "Authorization: Basic YTpi")))).isEqualTo(401);

            // the peer's token for what only this host may do: 403, and nothing started
            String overstep = HostilePeer.http(api, json("POST", "/v1/cutovers", CUTOVER,
                    "Authorization: Bearer " + PEER_TOKEN));
            assertThat(status(overstep)).as(overstep).isEqualTo(403);
            assertThat(HostilePeer.body(overstep)).contains("\"error\":\"forbidden\"");

            // malformed requests: a 4xx in the layout, never a 500
            String garbage = new String(HostilePeer.exchange(api, HostilePeer.garbage(21, 4096)), StandardCharsets.ISO_8859_1);
            assertThat(status(garbage)).as(garbage).isEqualTo(400);
            assertThat(status(HostilePeer.http(api, "GET /v1/cutovers HTTP/1.1\r\nAuthorization: Bearer " + TOKEN
                    + "\r\nConnection: close\r\n\r\n"))).as("no Host").isEqualTo(400);
            assertThat(status(HostilePeer.http(api, authorized("POST", "/v1/cutovers", "null")))).as("JSON null")
                    .isEqualTo(400);
            String huge = "{\"vm\": \"" + "v".repeat(2 << 20) + "\"}";
            assertThat(status(HostilePeer.http(api, authorized("POST", "/v1/cutovers", huge)))).as("2 MiB").isEqualTo(413);
            String multipart = "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"f.bin\"\r\n\r\n"
                    + "x".repeat(100_000) + "\r\n--b--\r\n";
            assertThat(status(HostilePeer.http(api, request("POST", "/v1/claims", multipart, "Host: x",
                    "Content-Type: multipart/form-data; boundary=b")))).isEqualTo(415);
            StringBuilder fields = new StringBuilder();
            for (int i = 0; i < 2000; i++) {
                fields.append(i == 0 ? "" : "&").append("f").append(i).append("=v");
            }
            assertThat(status(HostilePeer.http(api, request("POST", "/v1/cutovers", fields.toString(), "Host: x",
                    "Content-Type: application/x-www-form-urlencoded")))).isEqualTo(415);

            // slow clients and a scan, while a valid call is answered at once
            CompletableFuture<Integer> slow = CompletableFuture.supplyAsync(() -> {
                try {
                    return HostilePeer.trickle(api, 20, authorized("POST", "/v1/cutovers", CUTOVER)
                            .getBytes(StandardCharsets.ISO_8859_1), Duration.ofSeconds(1), Duration.ofSeconds(4));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(HostilePeer.scan(api, 200)).isEqualTo(200);
            long t0 = System.nanoTime();
            assertThat(get(api, "/v1/cutovers")).isEqualTo(cutovers);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("a valid call during the attack")
                    .isLessThan(Duration.ofSeconds(2));
            slow.get(30, TimeUnit.SECONDS);

            assertThat(agent.alive()).isTrue();
            assertThat(get(api, "/v1/cutovers")).as("the cutovers").isEqualTo(cutovers);
            assertThat(get(api, "/v1/health")).as("no memory claimed").contains("\"memoryFreeMiB\":1024");
            HostilePeer.Footprint after = before.awaitWithin(agent.pid(), 64, 8, Duration.ofSeconds(10));
            assertThat(before.within(after, 64, 8)).as("before %s, after %s", before, after).isTrue();
            assertThat(agent.logLines("refused POST /v1/cutovers ", "missing bearer token")).as(agent.log()).isEqualTo(1);
            assertThat(agent.logLines("refused POST /v1/claims", "wrong bearer token")).isEqualTo(1);
            assertThat(agent.logLines("refused DELETE /v1/cutovers/c-1", "missing bearer token")).isEqualTo(1);
            assertThat(agent.logLines("refused GET /v1/cutovers", "missing bearer token")).isEqualTo(1);
            assertThat(agent.logLines("refused POST /v1/cutovers/c-1/phase/switchover", "wrong bearer token"))
                    .isEqualTo(1);
            assertThat(agent.logLines("refused POST /v1/cutovers ", "403 forbidden", "the agent of hostB may not"))
                    .isEqualTo(1);
            assertThat(agent.logLines("refused GET /v1/cutovers", "Host header")).isEqualTo(1);
            assertThat(agent.logLines("refused POST /v1/cutovers ", "400 bad request")).as("JSON null").isEqualTo(1);
            assertThat(agent.logLines("refused POST /v1/cutovers ", ": 413 request too large")).isEqualTo(1);
            assertThat(agent.logLines("refused POST /v1/claims", "multipart/form-data")).isEqualTo(1);
            assertThat(agent.logLines("refused POST /v1/cutovers", "application/x-www-form-urlencoded")).isEqualTo(1);
            assertThat(agent.logLines("refused a malformed request from 127.0.0.1:")).as("garbage").isEqualTo(1);
            assertThat(agent.log()).doesNotContain("Exception").doesNotContain("ERROR");
            System.out.printf("agent REST under attack: before %s, after %s%n", before, after);
        }
    }

    private static String authorized(String method, String path, String body) {
        return json(method, path, body, "Authorization: Bearer " + TOKEN);
    }

    private static String get(InetSocketAddress api, String path) throws Exception {
        return HostilePeer.authorizedGet(api, path, TOKEN);
    }
}
