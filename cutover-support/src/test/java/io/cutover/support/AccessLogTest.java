package io.cutover.support;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A daemon's HTTP server writes one access line for each request that may change something, and none for reads. */
class AccessLogTest {
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private Vertx vertx;
    private URI api;

    @BeforeEach
    void serve() throws Exception {
        ((Logger) LoggerFactory.getLogger(AccessLog.LOGGER)).addAppender(lines);
        lines.start();
        vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        router.route().handler(BodyHandler.create(false));
        router.post("/v1/things").handler(ctx -> ctx.response().setStatusCode(201).end("{}"));
        router.delete("/v1/things/:id").handler(ctx -> ctx.response().setStatusCode(401).end("{}"));
        router.get("/v1/things").handler(ctx -> ctx.response().end("[]"));
        int port = RequestGuard.server(vertx, router).listen(0, "127.0.0.1").await(5, TimeUnit.SECONDS).actualPort();
        api = URI.create("http://127.0.0.1:" + port + "/v1/");
    }

    @AfterEach
    void stop() throws Exception {
        ((Logger) LoggerFactory.getLogger(AccessLog.LOGGER)).detachAppender(lines);
        vertx.close().await(5, TimeUnit.SECONDS);
    }

    @Test
    void oneLinePerMutatingRequestWithItsStatusAndNoneForReads() throws Exception {
        try (JsonHttpClient http = JsonHttpClient.builder(api).build()) {
            assertThat(http.send("POST", "things", null).status()).isEqualTo(201);
            assertThat(http.send("GET", "things", null).status()).isEqualTo(200);
            assertThat(http.send("DELETE", "things/7", null).status()).isEqualTo(401);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (lines.list.size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        List<String> logged = lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(logged).hasSize(2);
        assertThat(logged.get(0)).matches("POST /v1/things from 127\\.0\\.0\\.1:\\d+: 201 in \\d+ ms");
        assertThat(logged.get(1)).matches("DELETE /v1/things/7 from 127\\.0\\.0\\.1:\\d+: 401 in \\d+ ms");
    }
}
