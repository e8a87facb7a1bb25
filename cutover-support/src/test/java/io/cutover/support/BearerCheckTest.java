package io.cutover.support;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A real router behind {@link BearerCheck}: the token lets a request on, an open path needs none, the rest get a 401. */
class BearerCheckTest {
    private static final String TOKEN = "0123456789abcdef0123";

    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private Vertx vertx;
    private URI api;

    @BeforeEach
    void serve() throws Exception {
        ((Logger) LoggerFactory.getLogger(BearerCheck.class)).addAppender(lines);
        lines.start();
        vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        router.route("/v1/*").handler(new BearerCheck(TOKEN, "/v1/openapi.yaml"));
        router.route("/v1/*").handler(ctx -> ctx.response().end("served " + ctx.request().path()));
        int port = RequestGuard.server(vertx, router).listen(0, "127.0.0.1").await(5, TimeUnit.SECONDS).actualPort();
        api = URI.create("http://127.0.0.1:" + port + "/v1/");
    }

    @AfterEach
    void stop() throws Exception {
        ((Logger) LoggerFactory.getLogger(BearerCheck.class)).detachAppender(lines);
        vertx.close().await(5, TimeUnit.SECONDS);
    }

    @Test
    void theTokenAndAnOpenPathAreLetOnEverythingElseIsA401OnOneLine() throws Exception {
        assertThat(get("things", "Bearer " + TOKEN).body()).isEqualTo("served /v1/things");
        assertThat(get("things", "Bearer  " + TOKEN + " ").statusCode()).as("spaces around the token").isEqualTo(200);
        assertThat(get("openapi.yaml", null).body()).isEqualTo("served /v1/openapi.yaml");

        HttpResponse<String> missing = get("things", null);
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        assertThat(missing.body()).isEqualTo("{\"error\":\"unauthorized\",\"detail\":\"missing bearer token\"}");
        assertThat(get("things", "Bearer " + TOKEN.substring(1)).body()).contains("wrong bearer token");
        assertThat(get("things", "Basic " + TOKEN).body()).as("another scheme").contains("wrong bearer token");
        assertThat(get("things", TOKEN).statusCode()).as("no scheme").isEqualTo(401);

        List<String> logged = lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(logged).hasSize(4);
        assertThat(logged.get(0)).matches("refused GET /v1/things from 127\\.0\\.0\\.1:\\d+: missing bearer token");
        assertThat(logged.get(1)).endsWith(": wrong bearer token").doesNotContain(TOKEN.substring(1));
    }

    private HttpResponse<String> get(String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(api.resolve(path));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
