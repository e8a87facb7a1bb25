package io.cutover.support;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RequestGuardTest {
    @Test
    void anHttp1RequestWithoutHostIsRefused() {
        assertThat(RequestGuard.refusal(HttpVersion.HTTP_1_1, null, HttpMethod.GET, null)).contains("Host");
        assertThat(RequestGuard.refusal(HttpVersion.HTTP_1_0, " ", HttpMethod.GET, null)).contains("Host");
        assertThat(RequestGuard.refusal(HttpVersion.HTTP_1_1, "127.0.0.1:7946", HttpMethod.GET, null)).isNull();
    }

    @Test
    void formsAndUploadsAreRefusedAndJsonGoesOn() {
        assertThat(RequestGuard.refusal(HttpVersion.HTTP_1_1, "h", HttpMethod.POST,
                "application/x-www-form-urlencoded; charset=utf-8")).contains("application/x-www-form-urlencoded");
        assertThat(RequestGuard.refusal(HttpVersion.HTTP_1_1, "h", HttpMethod.PUT, "Multipart/Form-Data; boundary=x\""))
                .startsWith("a body of multipart/form-data").doesNotContain("\"");
        assertThat(RequestGuard.refusal(HttpVersion.HTTP_1_1, "h", HttpMethod.POST, "application/json")).isNull();
        assertThat(RequestGuard.refusal(HttpVersion.HTTP_1_1, "h", HttpMethod.POST, null)).isNull();
    }

    @Test
    void whatHttpCannotDecodeIsAnsweredInTheLayoutAndLoggedOnOneLine() throws Exception {
        io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                .getLogger(RequestGuard.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
                new ch.qos.logback.core.read.ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        try {
            int port = RequestGuard.server(vertx, request -> request.response().end("ok")).listen(0, "127.0.0.1")
                    .toCompletionStage().toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS).actualPort();
            String head = "GET / HTTP/1.1\r\nHost: h\r\n" + "X-Pad: y\r\n".repeat(2000) + "\r\n";
            assertThat(exchange(port, head)).startsWith("HTTP/1.1 431 ").contains("connection: close")
                    .endsWith("{\"error\":\"request head too large\",\"detail\":\"malformed request: HTTP header is larger than 8192 bytes.\"}");
            assertThat(exchange(port, "GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: h\r\n\r\n")).contains(" 414 ")
                    .contains("\"error\":\"request line too long\"");
            assertThat(exchange(port, "\u0001\u00ff\n\r\n garbage\r\n\r\n")).contains(" 400 ").contains("\"error\":\"bad request\"");
            assertThat(exchange(port, "GET / HTTP/1.1\r\nHost: h\r\n\r\n")).as("a good one still").endsWith("ok");
            assertThat(lines.list).extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).satisfiesExactly(
                    line -> assertThat(line).startsWith("refused a malformed request from 127.0.0.1:").endsWith(
                            ": 431 HTTP header is larger than 8192 bytes."),
                    line -> assertThat(line).contains(": 414 "),
                    line -> assertThat(line).contains(": 400 ").matches("[ -~]*"));
        } finally {
            logger.detachAppender(lines);
            vertx.close().toCompletionStage().toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /** Writes {@code request} (ISO-8859-1) and reads the answer until the server closes. */
    private static String exchange(int port, String request) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            socket.shutdownOutput();
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }
}
