package io.cutover.tunnel.impl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.cutover.api.CutoverStage;
import io.cutover.support.BearerCheck;
import io.cutover.support.ErrorAnswer;
import io.cutover.support.Metrics;
import io.cutover.tunnel.Forwarder;
import io.cutover.tunnel.MoveSpec;
import io.cutover.tunnel.TunnelDaemon;
import io.cutover.tunnel.TunnelException;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The daemon's local REST API (Vert.x Web), under {@code /v1}, JSON in and out, errors as
 * {@code {"error": ..., "detail": ...}} ({@link ErrorAnswer}: 400 bad input, 401 no or wrong token, 404 no such move or
 * resource, 409 a move that exists already, 422 the forwarder refused):
 * <ul>
 *   <li>{@code GET /v1/moves}, {@code POST /v1/moves} (a move, optionally with {@code "stage"}),</li>
 *   <li>{@code GET|DELETE /v1/moves/{id}}, {@code POST /v1/moves/{id}/events} ({@code {"stage": "ACTIVATED"}}; a
 *       SOURCE's {@code {"stage": "SWITCHOVER", "from": "2026-12-04T10:15:30.120Z"}} also holds what it caught since
 *       that instant, its {@code {"stage": "SWITCHOVER", "lookback": "20ms"}} what it caught in the 20 ms before the
 *       request arrived, see {@link io.cutover.tunnel.Forwarder#hold}; {@code {"stage": "DRAINING", "dns": {...}}} drains
 *       by the DNS rule, see {@link io.cutover.tunnel.Forwarder#drain} and {@link MoveJson#dnsChange}),</li>
 *   <li>{@code GET /v1/stats}, {@code GET /v1/openapi.yaml},</li>
 *   <li>{@code GET /metrics}: the counters and the JVM's figures in Prometheus's text format ({@link TunnelMetrics}).</li>
 * </ul>
 */
public final class RestApi implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RestApi.class);
    private static final String JSON = "application/json";

    private final Vertx vertx;
    private final HttpServer server;
    private final Metrics metrics;

    private RestApi(Vertx vertx, HttpServer server, Metrics metrics) {
        this.vertx = vertx;
        this.server = server;
        this.metrics = metrics;
    }

    /** Serves {@code forwarder} on {@code address} to anyone who can reach it; moves give their keys by value. */
    public static RestApi start(Forwarder forwarder, InetSocketAddress address) {
        return start(forwarder, address, null, null);
    }

    /**
     * Serves {@code forwarder} on {@code address}. With {@code token}, every call but the OpenAPI document's must carry
     * {@code Authorization: Bearer <token>}; one without is refused (401, one log line) before its body is read. A move
     * may name a {@code keyFile} only inside {@code keyDir} ({@code null}: nowhere, keys by value only): the daemon
     * runs as root and must not read a file a caller picks.
     */
    public static RestApi start(Forwarder forwarder, InetSocketAddress address, String token, Path keyDir) {
        Vertx vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        if (token != null) {
            BearerCheck check = new BearerCheck(token, "/v1/openapi.yaml");
            router.route("/v1/*").order(-1).handler(check);
            router.route(Metrics.PATH).order(-1).handler(check);
        }
        Metrics metrics = Metrics.of("tunnel");
        TunnelMetrics.bind(forwarder, metrics.registry());
        metrics.route(router);
        // no file uploads: Vert.x would keep them on disk
        router.route().handler(BodyHandler.create(false).setBodyLimit(64 * 1024));
        router.get("/v1/moves").handler(ctx -> {
            ArrayNode list = MoveJson.MAPPER.createArrayNode();
            forwarder.moves().forEach(m -> list.add(MoveJson.write(m)));
            send(ctx, 200, list);
        });
        router.post("/v1/moves").blockingHandler(ctx -> {
            JsonNode body = body(ctx);
            if (body.hasNonNull("keyFile")) {
                requireInside(keyDir, body.get("keyFile").asText());
            }
            MoveSpec spec = MoveJson.read(body, "request");
            forwarder.add(spec);
            if (body.hasNonNull("stage")) {
                TunnelDaemon.bringTo(forwarder, spec.id(),
                        MoveJson.parseEnum(CutoverStage.class, body.get("stage").asText(), "request: stage"));
            }
            send(ctx, 201, MoveJson.write(forwarder.status(spec.id()).orElseThrow()));
        });
        router.get("/v1/moves/:id").handler(ctx -> forwarder.status(ctx.pathParam("id")).ifPresentOrElse(
                s -> send(ctx, 200, MoveJson.write(s)), () -> noMove(ctx, ctx.pathParam("id"))));
        router.delete("/v1/moves/:id").blockingHandler(ctx -> {
            if (forwarder.remove(ctx.pathParam("id"))) {
                ctx.response().setStatusCode(204).end();
            } else {
                noMove(ctx, ctx.pathParam("id"));
            }
        });
        router.post("/v1/moves/:id/events").blockingHandler(ctx -> {
            String id = ctx.pathParam("id");
            if (forwarder.status(id).isEmpty()) {
                noMove(ctx, id);
                return;
            }
            JsonNode body = body(ctx);
            CutoverStage stage = MoveJson.parseEnum(CutoverStage.class, body.path("stage").asText(""), "request: stage");
            if (body.has("dns")) {
                if (stage != CutoverStage.DRAINING) {
                    throw new IllegalArgumentException("request: dns goes only with the stage DRAINING");
                }
                forwarder.drain(id, MoveJson.dnsChange(body.get("dns"), "request: dns"));
            } else if (body.hasNonNull("from") || body.hasNonNull("lookback")) {
                if (stage != CutoverStage.SWITCHOVER) {
                    throw new IllegalArgumentException("request: from and lookback go only with the stage SWITCHOVER");
                }
                if (body.hasNonNull("from") && body.hasNonNull("lookback")) {
                    throw new IllegalArgumentException("request: from or lookback, not both");
                }
                forwarder.hold(id, body.hasNonNull("from") ? from(body.get("from").asText())
                        : java.time.Instant.now().minus(lookback(body.get("lookback").asText())));
            } else {
                forwarder.stage(id, stage);
            }
            send(ctx, 200, MoveJson.write(forwarder.status(id).orElseThrow()));
        });
        router.get("/v1/stats").handler(ctx -> send(ctx, 200, MoveJson.write(forwarder.stats())));
        router.get("/v1/openapi.yaml").handler(ctx -> ctx.response().putHeader("content-type", "application/yaml")
                .end(openApi()));
        router.route().last().handler(ErrorAnswer::noRoute);
        router.route().failureHandler(RestApi::failure);
        try {
            HttpServer server = io.cutover.support.RequestGuard.server(vertx, router)
                    .listen(address.getPort(), address.getAddress().getHostAddress())
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            return new RestApi(vertx, server, metrics);
        } catch (Exception e) {
            metrics.close();
            vertx.close();
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new TunnelException(null, "cannot open the REST API on " + address + ": " + cause.getMessage(), cause);
        }
    }

    /** The one place where an exception becomes a status code. */
    private static void failure(RoutingContext ctx) {
        Throwable e = ctx.failure();
        if (e instanceof IllegalArgumentException) {
            int status = e.getMessage() != null && e.getMessage().contains("already") ? 409 : 400;
            ErrorAnswer.refuse(ctx, status, status == 409 ? "conflict" : ErrorAnswer.BAD_REQUEST, e.getMessage());
        } else if (e instanceof TunnelException) {
            ErrorAnswer.refuse(ctx, 422, "the forwarder refused", e.getMessage());
        } else if (e != null) {
            LOG.error("REST {} {} failed", ctx.request().method(), ctx.request().path(), e);
            ErrorAnswer.send(ctx, 500, ErrorAnswer.INTERNAL, e.toString());
        } else {
            ErrorAnswer.status(ctx);
        }
    }

    private static JsonNode body(RoutingContext ctx) {
        return readBody(ctx.body().asString());
    }

    /** A request's text as a JSON object; anything else is an IllegalArgumentException (400). */
    static JsonNode readBody(String text) {
        try {
            if (text == null || text.isBlank()) {
                throw new IllegalArgumentException("request: the body must be a JSON object");
            }
            JsonNode tree = MoveJson.MAPPER.readTree(text);
            if (tree == null || !tree.isObject()) {
                throw new IllegalArgumentException("request: the body must be a JSON object");
            }
            return tree;
        } catch (IOException e) {
            throw new IllegalArgumentException("request: the body is no JSON: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
    }

    /** @throws IllegalArgumentException (a 400) unless {@code keyFile}, links resolved, lies inside {@code keyDir} */
    static void requireInside(Path keyDir, String keyFile) {
        if (keyDir == null) {
            throw new IllegalArgumentException("request: keyFile: this daemon takes no key files (no keyDir in its "
                    + "configuration); give the key by value (key: base64)");
        }
        Path file;
        Path dir;
        try {
            dir = keyDir.toRealPath();
            file = Path.of(keyFile).toRealPath();
        } catch (IOException | java.nio.file.InvalidPathException e) {
            throw new IllegalArgumentException("request: keyFile: no such key file in " + keyDir);
        }
        if (!file.startsWith(dir) || !Files.isRegularFile(file)) {
            throw new IllegalArgumentException("request: keyFile: must be a file in " + keyDir);
        }
    }

    private static void send(RoutingContext ctx, int status, JsonNode body) {
        ctx.response().setStatusCode(status).putHeader("content-type", JSON).end(body.toPrettyString());
    }

    private static void noMove(RoutingContext ctx, String id) {
        ErrorAnswer.send(ctx, 404, ErrorAnswer.NOT_FOUND, "no move " + id);
    }

    private static String openApi() {
        try (InputStream in = RestApi.class.getResourceAsStream("/io/cutover/tunnel/openapi.yaml")) {
            return in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** The bound port. */
    public int port() {
        return server.actualPort();
    }

    @Override
    public void close() {
        try {
            server.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("REST API close: {}", e.toString());
        }
        metrics.close();
    }

    /** Where a hold reaches back to: an instant such as {@code 2026-12-04T10:15:30.120Z}. */
    private static java.time.Instant from(String value) {
        try {
            return java.time.Instant.parse(value);
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("request: from: not an instant such as 2026-12-04T10:15:30.120Z: "
                    + value, e);
        }
    }

    /** A hold's lookback: a duration such as {@code 20ms}, at most {@link RecentFrames#WINDOW}. */
    private static java.time.Duration lookback(String value) {
        java.time.Duration lookback;
        try {
            lookback = io.cutover.support.Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("request: lookback: " + e.getMessage(), e);
        }
        if (lookback.compareTo(RecentFrames.WINDOW) > 0) {
            throw new IllegalArgumentException("request: lookback " + value + " is longer than the "
                    + RecentFrames.WINDOW.toMillis() + " ms a source keeps what it caught");
        }
        return lookback;
    }
}
