package io.cutover.support;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A real Vert.x server on loopback, with short deadlines, and clients that send slowly or not at all. */
class ConnectionDeadlinesTest {
    private static final Duration REQUEST = Duration.ofMillis(600);
    private static final Duration IDLE = Duration.ofMillis(1200);

    /** A head of about 80 bytes: 8 s at a byte every 100 ms. */
    private static final String SLOW_HEAD = "GET /stream HTTP/1.1\r\nHost: h\r\nX-Slow: " + "x".repeat(40) + "\r\n\r\n";

    private Vertx vertx;
    private int port;

    @BeforeEach
    void serve() throws Exception {
        vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        router.route().handler(BodyHandler.create(false));
        router.post("/echo").handler(ctx -> ctx.response().end(ctx.body().asString()));
        router.get("/stream").handler(ctx -> {
            ctx.response().setChunked(true);
            long timer = vertx.setPeriodic(200, t -> ctx.response().write("tick\n"));
            vertx.setTimer(2_000, t -> {
                vertx.cancelTimer(timer);
                ctx.response().end("done\n");
            });
        });
        HttpServer server = RequestGuard.server(vertx, router, null, REQUEST, IDLE).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        port = server.actualPort();
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void aBodySentAByteAtATimeIsCutOff() throws Exception {
        try (Socket socket = connect()) {
            socket.getOutputStream().write(("POST /echo HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            assertThat(trickle(socket, "x".repeat(100))).as("closed before the body was whole").isTrue();
        }
    }

    @Test
    void aFirstHeadSentAByteAtATimeIsCutOff() throws Exception {
        try (Socket socket = connect()) {
            assertThat(trickle(socket, SLOW_HEAD)).as("closed before the first head was whole").isTrue();
        }
    }

    @Test
    void aFirstHeadSentAByteAtATimeOverTlsIsCutOff(@TempDir Path dir) throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext",
                "subjectAltName=IP:127.0.0.1", "-keyout", key.toString(), "-out", cert.toString())
                .redirectErrorStream(true).start();
        assertThat(openssl.waitFor(30, TimeUnit.SECONDS) && openssl.exitValue() == 0)
                .as("openssl: %s", new String(openssl.getInputStream().readAllBytes())).isTrue();
        TlsFiles tls = new TlsFiles(cert, key, null, false);
        HttpServer server = RequestGuard.server(vertx, Router.router(vertx), tls, REQUEST, IDLE).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        SSLContext trusting = new TlsFiles(null, null, cert, false).clientContext();
        try (SSLSocket socket = (SSLSocket) trusting.getSocketFactory().createSocket("127.0.0.1",
                server.actualPort())) {
            socket.setSoTimeout(5_000);
            socket.startHandshake();
            assertThat(trickle(socket, SLOW_HEAD)).as("closed before the first head was whole, over TLS").isTrue();
        }
        try (SSLSocket socket = (SSLSocket) trusting.getSocketFactory().createSocket("127.0.0.1",
                server.actualPort())) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write("GET /nothing HTTP/1.1\r\nHost: h\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(readUntil(socket.getInputStream(), "\r\n")).as("a whole request over TLS is served")
                    .startsWith("HTTP/1.1 404");
        }
    }

    @Test
    void aKeptAliveConnectionServesRequestsInTimeAndIsClosedWhenIdle() throws Exception {
        try (Socket socket = connect()) {
            assertThat(exchange(socket, "{\"n\": 1}")).endsWith("{\"n\": 1}");
            Thread.sleep(IDLE.toMillis() / 2);
            assertThat(exchange(socket, "{\"n\": 2}")).as("a second request within the idle deadline")
                    .endsWith("{\"n\": 2}");
            socket.setSoTimeout((int) IDLE.toMillis() * 3);
            assertThat(socket.getInputStream().read()).as("closed once idle").isEqualTo(-1);
        }
    }

    @Test
    void aLongAnswerIsNotCutOff() throws Exception {
        try (Socket socket = connect()) {
            socket.getOutputStream().write("GET /stream HTTP/1.1\r\nHost: h\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.setSoTimeout(5_000);
            String answer = readUntil(socket.getInputStream(), "done");
            assertThat(answer).as("two seconds of answer, longer than the request deadline").contains("tick")
                    .contains("done");
        }
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(5_000);
        return socket;
    }

    /** Sends {@code text} a byte every 100 ms; returns whether the server closed the connection before the end. */
    private static boolean trickle(Socket socket, String text) throws Exception {
        OutputStream out = socket.getOutputStream();
        long started = System.nanoTime();
        for (byte b : text.getBytes(StandardCharsets.US_ASCII)) {
            try {
                out.write(b);
                out.flush();
            } catch (IOException e) {
                return elapsedUnder(started, REQUEST.multipliedBy(4));
            }
            socket.setSoTimeout(100);
            try {
                if (socket.getInputStream().read() == -1) {
                    return elapsedUnder(started, REQUEST.multipliedBy(4));
                }
            } catch (SocketTimeoutException e) {
                // still open: go on
            } catch (IOException e) {
                return elapsedUnder(started, REQUEST.multipliedBy(4));
            }
        }
        return false;
    }

    private static boolean elapsedUnder(long started, Duration limit) {
        return System.nanoTime() - started < limit.toNanos();
    }

    private static String exchange(Socket socket, String json) throws IOException {
        socket.getOutputStream().write(("POST /echo HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + json.length() + "\r\n\r\n" + json).getBytes(StandardCharsets.US_ASCII));
        return readUntil(socket.getInputStream(), json);
    }

    private static String readUntil(InputStream in, String end) throws IOException {
        StringBuilder seen = new StringBuilder();
        while (!seen.toString().contains(end)) {
            int b = in.read();
            if (b == -1) {
                break;
            }
            seen.append((char) b);
        }
        return seen.toString();
    }
}
