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
 * {@code cutover sdn serve} with a token, its REST API on loopback, attacked as a stranger on the host would: calls
 * that change the network without the token or with a wrong one, garbage, a request without Host, a JSON null, bodies
 * over the limit, uploads, forms, clients that send a byte a second, a port scan. Afterwards the endpoints and moves
 * are what they were, the process serves a valid call at once, its memory and open files are back within bounds, and
 * each refusal was logged on one line.
 */
class SdnRestAttackIT {
    private static final String TOKEN = "sdn-attack-it-0123456789abcdef";
    private static final String VM = """
            {"id":5,"name":"vm1","network":1,"mac":"02:00:C6:12:00:64","addresses":["198.18.0.100"],\
            "switch":"0x00a0","port":"vm1"}""";
    private static final String INTRUDER = VM.replace("vm1", "intruder").replace("\"id\":5", "\"id\":6")
            .replace(":64\"", ":65\"");
    private static final Pattern READY = Pattern.compile("rest http://127\\.0\\.0\\.1:(\\d+)/v1");

    @TempDir
    Path dir;

    @Test
    void refusedCallsChangeNothingAndLeaveTheControllerServing() throws Exception {
        Path tokenFile = Files.writeString(dir.resolve("sdn.token"), TOKEN + "\n");
        try (Daemon sdn = Daemon.start(dir.resolve("sdn.log"), null, "sdn", "serve", "--listen", "127.0.0.1:0",
                "--rest", "127.0.0.1:0", "--token-file", tokenFile.toString(), "--state", dir.resolve("state").toString())) {
            InetSocketAddress rest = new InetSocketAddress("127.0.0.1", Integer.parseInt(sdn.awaitLine(READY)));
            assertThat(status(HostilePeer.http(rest, authorized("POST", "/v1/endpoints", VM)))).isEqualTo(201);
            String endpoints = get(rest, "/v1/endpoints");
            String moves = get(rest, "/v1/moves");
            assertThat(endpoints).contains("\"vm1\"");
            HostilePeer.Footprint before = sdn.footprint();

            // the network changed without the token, or with a wrong one: 401 before the body is read
            assertThat(status(HostilePeer.http(rest, json("POST", "/v1/endpoints", INTRUDER)))).isEqualTo(401);
            assertThat(status(HostilePeer.http(rest, json("POST", "/v1/endpoints", INTRUDER,
                    "Authorization: Bearer sdn-attack-it-guessed-token")))).isEqualTo(401);
            assertThat(status(HostilePeer.http(rest, request("DELETE", "/v1/endpoints/vm1", null, "Host: x")))).isEqualTo(401);
            assertThat(status(HostilePeer.http(rest, json("POST", "/v1/moves",
                    "{\"endpoint\":\"vm1\",\"toSwitch\":\"0x00b0\",\"toPort\":\"vm1\"}", "Authorization: Basic YTpi"))))
                    .isEqualTo(401);
            assertThat(status(HostilePeer.http(rest, json("PUT", "/v1/links", "[]")))).isEqualTo(401);
            assertThat(status(HostilePeer.http(rest, json("POST", "/v1/moves/1/commit", "{}",
                    "Authorization: Bearer " + TOKEN.substring(1))))).isEqualTo(401);

            // malformed requests: a 4xx in the layout, never a 500
            String garbage = new String(HostilePeer.exchange(rest, HostilePeer.garbage(15, 4096)), StandardCharsets.ISO_8859_1);
            assertThat(status(garbage)).as(garbage).isEqualTo(400);
            assertThat(status(HostilePeer.http(rest, "GET /v1/endpoints HTTP/1.1\r\nAuthorization: Bearer " + TOKEN
                    + "\r\nConnection: close\r\n\r\n"))).as("no Host").isEqualTo(400);
            assertThat(status(HostilePeer.http(rest, authorized("POST", "/v1/endpoints", "null")))).as("JSON null").isEqualTo(400);
            assertThat(status(HostilePeer.http(rest, authorized("PUT", "/v1/links", "[null]")))).as("a null link").isEqualTo(400);
            String huge = "[" + "{\"switchA\":\"0x00a0\",\"portA\":\"x\"},".repeat(60_000) + "{}]";
            assertThat(status(HostilePeer.http(rest, authorized("PUT", "/v1/links", huge)))).as("2 MiB").isEqualTo(413);
            assertThat(status(HostilePeer.http(rest, json("PUT", "/v1/links", huge)))).as("2 MiB without a token").isEqualTo(401);
            StringBuilder chunked = new StringBuilder("PUT /v1/links HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN
                    + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
            String chunk = "{\"switchA\":\"0x00a0\",\"portA\":\"x\"},".repeat(1000);
            for (int i = 0; i < 120; i++) {
                chunked.append(Integer.toHexString(chunk.length())).append("\r\n").append(chunk).append("\r\n");
            }
            assertThat(status(HostilePeer.http(rest, chunked.append("0\r\n\r\n").toString()))).as("4 MiB in chunks")
                    .isEqualTo(413);
            StringBuilder head = new StringBuilder("GET /v1/endpoints HTTP/1.1\r\nHost: x\r\n");
            for (int i = 0; i < 2000; i++) {
                head.append("X-Padding-").append(i).append(": ").append("y".repeat(20)).append("\r\n");
            }
            int headStatus = status(HostilePeer.http(rest, head.append("\r\n").toString()));
            assertThat(headStatus).as("a 64 KiB head").isEqualTo(431);
            String multipart = "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"f.bin\"\r\n\r\n"
                    + "x".repeat(100_000) + "\r\n--b--\r\n";
            assertThat(status(HostilePeer.http(rest, request("POST", "/v1/endpoints", multipart, "Host: x",
                    "Authorization: Bearer " + TOKEN, "Content-Type: multipart/form-data; boundary=b")))).isEqualTo(415);
            StringBuilder fields = new StringBuilder();
            for (int i = 0; i < 2000; i++) {
                fields.append(i == 0 ? "" : "&").append("f").append(i).append("=v");
            }
            assertThat(status(HostilePeer.http(rest, request("POST", "/v1/endpoints", fields.toString(), "Host: x",
                    "Content-Type: application/x-www-form-urlencoded")))).isEqualTo(415);

            // slow clients and a scan, while a valid call is answered at once
            CompletableFuture<Integer> slow = CompletableFuture.supplyAsync(() -> {
                try {
                    return HostilePeer.trickle(rest, 20, json("POST", "/v1/endpoints", INTRUDER,
                            "Authorization: Bearer " + TOKEN).getBytes(StandardCharsets.ISO_8859_1), Duration.ofSeconds(1),
                            Duration.ofSeconds(4));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(HostilePeer.scan(rest, 200)).isEqualTo(200);
            long t0 = System.nanoTime();
            assertThat(get(rest, "/v1/endpoints")).isEqualTo(endpoints);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("a valid call during the attack").isLessThan(Duration.ofSeconds(2));
            slow.get(30, TimeUnit.SECONDS);

            assertThat(sdn.alive()).isTrue();
            assertThat(get(rest, "/v1/endpoints")).as("the endpoints").isEqualTo(endpoints);
            assertThat(get(rest, "/v1/moves")).as("the moves").isEqualTo(moves);
            HostilePeer.Footprint after = before.awaitWithin(sdn.pid(), 64, 8, Duration.ofSeconds(10));
            assertThat(before.within(after, 64, 8)).as("before %s, after %s", before, after).isTrue();
            assertThat(sdn.logLines("refused POST /v1/endpoints", "missing bearer token")).as(sdn.log()).isEqualTo(1);
            assertThat(sdn.logLines("refused POST /v1/endpoints", "wrong bearer token")).isEqualTo(1);
            assertThat(sdn.logLines("refused DELETE /v1/endpoints/vm1", "missing bearer token")).isEqualTo(1);
            assertThat(sdn.logLines("refused POST /v1/moves ", "wrong bearer token")).isEqualTo(1);
            assertThat(sdn.logLines("refused PUT /v1/links", "missing bearer token")).isEqualTo(2);
            assertThat(sdn.logLines("refused POST /v1/moves/1/commit", "wrong bearer token")).isEqualTo(1);
            assertThat(sdn.logLines("refused GET /v1/endpoints", "Host header")).isEqualTo(1);
            assertThat(sdn.logLines("refused POST /v1/endpoints", "multipart/form-data")).isEqualTo(1);
            assertThat(sdn.logLines("refused POST /v1/endpoints", "application/x-www-form-urlencoded")).isEqualTo(1);
            assertThat(sdn.logLines("refused POST /v1/endpoints", "400 bad request", "JSON body is null")).isEqualTo(1);
            assertThat(sdn.logLines("refused PUT /v1/links", "400 bad request", "holds a null")).isEqualTo(1);
            assertThat(sdn.logLines("refused PUT /v1/links", "413 request too large")).isEqualTo(2);
            assertThat(sdn.logLines("refused a malformed request from 127.0.0.1:")).as("garbage, a 64 KiB head").isEqualTo(2);
            assertThat(sdn.log()).doesNotContain("Exception").doesNotContain("ERROR");
            System.out.printf("sdn REST under attack: before %s, after %s%n", before, after);
        }
    }

    private static String authorized(String method, String path, String body) {
        return json(method, path, body, "Authorization: Bearer " + TOKEN);
    }

    private static String get(InetSocketAddress rest, String path) throws Exception {
        return HostilePeer.authorizedGet(rest, path, TOKEN);
    }

}
