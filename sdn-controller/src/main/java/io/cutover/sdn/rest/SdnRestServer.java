package io.cutover.sdn.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.sdn.ConflictException;
import io.cutover.sdn.Dpid;
import io.cutover.sdn.Endpoint;
import io.cutover.sdn.Link;
import io.cutover.sdn.MoveStateException;
import io.cutover.sdn.Network;
import io.cutover.sdn.NotFoundException;
import io.cutover.sdn.OpenFlowErrorException;
import io.cutover.sdn.SdnController;
import io.cutover.sdn.SdnException;
import io.cutover.sdn.SwitchInfo;
import io.cutover.sdn.SwitchUnavailableException;
import io.cutover.support.ErrorAnswer;
import io.cutover.support.Metrics;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The controller's REST API under {@code /v1} (Vert.x Web), JSON in and out; errors as
 * {@code {"error": "...", "detail": "..."}} with 400 (bad input), 404 (unknown name), 409 (wrong move state, a
 * bridge name that more than one switch has, a network that clashes with one defined or still has endpoints), 502 (a switch rejected it), 503 (a switch is not connected). The OpenAPI
 * document is at {@code /v1/openapi.yaml}.
 * <p>
 * Switches are named by datapath id in every body ({@code switch} of an endpoint, {@code switchA}/{@code switchB} of a
 * link, {@code toSwitch} of a move), as 16 hex digits, {@code 0x…} or the colon form, and always written as 16 hex
 * digits. A bridge name is only a label ({@code name} in {@code GET /v1/switches}); in the path of
 * {@code /v1/switches/{switch}/…} it is accepted for convenience when exactly one known switch has it.
 */
public final class SdnRestServer implements AutoCloseable {
    /** How long a probe waits for the endpoint's answer when the request does not say. */
    static final long DEFAULT_PROBE_TIMEOUT_MS = 2_000;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SdnRestServer.class);
    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Vertx vertx;
    private final HttpServer server;
    private final Metrics metrics;

    private SdnRestServer(Vertx vertx, HttpServer server, Metrics metrics) {
        this.vertx = vertx;
        this.server = server;
        this.metrics = metrics;
    }

    /** Serves {@code sdn} on {@code host:port} (0 for any free port), a loopback address, to anyone on this host. */
    public static SdnRestServer start(SdnController sdn, String host, int port) {
        return start(sdn, host, port, null);
    }

    /**
     * Serves {@code sdn} on {@code host:port} (0 for any free port). With {@code token}, every call but the OpenAPI
     * document must carry {@code Authorization: Bearer <token>}; a call without it is refused (401, one log line)
     * before its body is read. Without a token the API may only listen on loopback.
     *
     * @throws SdnException when it cannot listen, or a tokenless API would listen beyond loopback
     */
    public static SdnRestServer start(SdnController sdn, String host, int port, String token) {
        return start(sdn, host, port, token, null);
    }

    /**
     * {@link #start(SdnController, String, int, String)} over HTTPS with {@code tls} (with its CA, callers are asked
     * for a certificate it signed, or required to have one); plain HTTP when it is {@code null}.
     */
    public static SdnRestServer start(SdnController sdn, String host, int port, String token,
                                      io.cutover.support.TlsFiles tls) {
        if (token == null && !isLoopback(host)) {
            throw new SdnException("the REST API would let anyone on the network change the flows: listening on "
                    + host + " needs a bearer token (sdn serve --token-file), or listen on 127.0.0.1");
        }
        if (token != null && token.length() < io.cutover.support.BearerToken.MIN_LENGTH) {
            throw new SdnException("the REST API's bearer token must have at least " + io.cutover.support.BearerToken.MIN_LENGTH + " characters");
        }
        Vertx vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        if (token != null) {
            io.cutover.support.BearerCheck check = new io.cutover.support.BearerCheck(token, "/v1/openapi.yaml");
            router.route("/v1/*").handler(check);
            router.route(Metrics.PATH).handler(check);
        }
        Metrics metrics = Metrics.of("sdn");
        sdn.bindTo(metrics.registry());
        metrics.route(router);
        // no file uploads: Vert.x would keep them on disk
        router.route("/v1/*").handler(BodyHandler.create(false).setBodyLimit(1 << 20));
        router.get("/v1/openapi.yaml").handler(ctx -> ctx.response().putHeader("content-type", "application/yaml")
                .end(openApi()));
        // the switches are read on the controller's thread: never waited for on the event loop
        router.get("/v1/switches").handler(ctx -> reply(ctx, 200, sdn.listSwitches()));
        router.get("/v1/switches/:switch/ports").handler(ctx -> reply(ctx, 200, switchOf(sdn, ctx)
                .thenApply(SwitchInfo::ports)));
        router.get("/v1/switches/:switch/flows").handler(ctx -> {
            boolean desired = "true".equals(ctx.request().getParam("desired"));
            reply(ctx, 200, switchOf(sdn, ctx).thenCompose(found -> desired
                    ? sdn.listDesiredFlows(found.dpid()) : sdn.switchFlows(found.dpid())));
        });
        router.get("/v1/endpoints").handler(ctx -> json(ctx, 200, sdn.endpoints()));
        router.get("/v1/endpoints/:name").handler(ctx -> json(ctx, 200, sdn.endpoint(ctx.pathParam("name"))
                .orElseThrow(() -> new NotFoundException("no endpoint " + ctx.pathParam("name")))));
        router.post("/v1/endpoints").handler(ctx -> {
            String text = ctx.body() == null ? null : ctx.body().asString();
            if (text != null && text.stripLeading().startsWith("[")) {
                // many at once: one check, one journal write, one plan and one convergence for them all
                List<Endpoint> endpoints = Arrays.asList(body(ctx, Endpoint[].class, null, null));
                reply(ctx, 201, sdn.putEndpoints(endpoints).thenApply(v -> endpoints));
                return;
            }
            Endpoint endpoint = body(ctx, Endpoint.class, "switchName", "switch");
            reply(ctx, 201, sdn.putEndpoint(endpoint).thenApply(v -> endpoint));
        });
        router.delete("/v1/endpoints/:name").handler(ctx ->
                reply(ctx, 200, sdn.removeEndpoint(ctx.pathParam("name")).thenApply(v -> Map.of("removed", ctx.pathParam("name")))));
        router.post("/v1/endpoints/:name/frames").handler(ctx -> {
            List<byte[]> frames = frames(body(ctx, JsonNode.class, null, null));
            reply(ctx, 200, sdn.sendFrames(ctx.pathParam("name"), frames).thenApply(sent -> Map.of("sent", sent)));
        });
        router.post("/v1/endpoints/:name/probe").handler(ctx -> {
            String text = ctx.body() == null ? null : ctx.body().asString();
            JsonNode request = text == null || text.isBlank() ? null : body(ctx, JsonNode.class, null, null);
            JsonNode timeout = request == null ? null : request.get("timeoutMs");
            if (timeout != null && !timeout.isIntegralNumber()) {
                throw new IllegalArgumentException("timeoutMs must be a whole number of milliseconds, not " + timeout);
            }
            long millis = timeout == null ? DEFAULT_PROBE_TIMEOUT_MS : timeout.asLong();
            reply(ctx, 200, sdn.probe(ctx.pathParam("name"), java.time.Duration.ofMillis(millis)));
        });
        router.get("/v1/networks").handler(ctx -> json(ctx, 200, sdn.networks()));
        router.get("/v1/networks/:id").handler(ctx -> json(ctx, 200, sdn.network(networkId(ctx))
                .orElseThrow(() -> new NotFoundException("no network " + ctx.pathParam("id")))));
        router.post("/v1/networks").handler(ctx -> {
            Network network = body(ctx, Network.class, null, null);
            sdn.addNetwork(network).whenComplete((added, err) -> {
                if (err != null) {
                    fail(ctx, err);
                } else {
                    json(ctx, added ? 201 : 200, network);
                }
            });
        });
        router.delete("/v1/networks/:id").handler(ctx -> {
            int id = networkId(ctx);
            reply(ctx, 200, sdn.removeNetwork(id).thenApply(v -> Map.of("removed", id)));
        });
        router.get("/v1/links").handler(ctx -> json(ctx, 200, sdn.links()));
        router.put("/v1/links").handler(ctx -> {
            List<Link> links = Arrays.asList(body(ctx, Link[].class, null, null));
            reply(ctx, 200, sdn.setLinks(links).thenApply(v -> links));
        });
        router.get("/v1/moves").handler(ctx -> json(ctx, 200, sdn.moves()));
        router.get("/v1/moves/:id").handler(ctx -> json(ctx, 200, sdn.move(moveId(ctx))
                .orElseThrow(() -> new NotFoundException("no move " + ctx.pathParam("id")))));
        router.post("/v1/moves").handler(ctx -> {
            JsonNode request = body(ctx, JsonNode.class, null, null);
            String endpoint = text(request, "endpoint");
            Dpid toSwitch = Dpid.parse(text(request, "toSwitch"));
            String toPort = text(request, "toPort");
            reply(ctx, 201, request.hasNonNull("mirrorTo")
                    ? sdn.prepareMirrored(endpoint, toSwitch, toPort, text(request, "mirrorTo"))
                    : sdn.prepare(endpoint, toSwitch, toPort));
        });
        router.post("/v1/moves/:id/redirect").handler(ctx ->
                reply(ctx, 200, sdn.redirectToForwarder(moveId(ctx), text(body(ctx, JsonNode.class, null, null), "port"))));
        router.post("/v1/moves/:id/commit").handler(ctx -> reply(ctx, 200, sdn.commit(moveId(ctx))));
        router.post("/v1/moves/:id/cleanup").handler(ctx -> reply(ctx, 200, sdn.cleanup(moveId(ctx))));
        router.post("/v1/moves/:id/rollback").handler(ctx -> reply(ctx, 200, sdn.rollback(moveId(ctx))));
        router.route().failureHandler(ctx -> {
            Throwable failure = ctx.failure();
            if (failure == null) {
                ErrorAnswer.status(ctx);
            } else {
                fail(ctx, failure);
            }
        });
        router.route().last().handler(ErrorAnswer::noRoute);
        try {
            HttpServer server = io.cutover.support.RequestGuard.server(vertx, router, tls).listen(port, host)
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            return new SdnRestServer(vertx, server, metrics);
        } catch (Exception e) {
            metrics.close();
            vertx.close();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new SdnException("cannot serve REST on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    private static boolean isLoopback(String host) {
        try {
            return java.net.InetAddress.getByName(host).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    /** Refuses every call without the bearer token, but the OpenAPI document's; one log line per refusal. */
    /** The port the REST server listens on. */
    public int port() {
        return server.actualPort();
    }

    /**
     * The switch the path names: by datapath id, or by a bridge name exactly one known switch has (a name that several
     * have is refused with the datapath ids to choose from).
     */
    static CompletionStage<SwitchInfo> switchOf(SdnController sdn, RoutingContext ctx) {
        String key = ctx.pathParam("switch");
        return sdn.listSwitches().thenApply(switches -> switchOf(switches, key));
    }

    static SwitchInfo switchOf(List<SwitchInfo> switches, String key) {
        Dpid dpid = null;
        try {
            dpid = Dpid.parse(key);
        } catch (IllegalArgumentException notADpid) {
            // a bridge name, perhaps
        }
        if (dpid != null) {
            Dpid wanted = dpid;
            return switches.stream().filter(s -> s.dpid().equals(wanted)).findFirst()
                    .orElseThrow(() -> new NotFoundException("no switch " + wanted));
        }
        List<SwitchInfo> named = switches.stream().filter(s -> key.equals(s.name())).toList();
        if (named.size() > 1) {
            throw new AmbiguousSwitchException("bridge name " + key + " is shared by switches " + String.join(", ",
                    named.stream().map(s -> s.dpid().toString()).toList()) + ": name one by its datapath id");
        }
        return named.stream().findFirst().orElseThrow(() -> new NotFoundException("no switch " + key
                + " (neither a datapath id nor a connected bridge's name)"));
    }

    /** A bridge name that more than one switch has was used to name a switch. */
    static final class AmbiguousSwitchException extends SdnException {
        private static final long serialVersionUID = 1L;

        AmbiguousSwitchException(String message) {
            super(message);
        }
    }

    private static int moveId(RoutingContext ctx) {
        try {
            return Integer.parseInt(ctx.pathParam("id"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("move id '" + ctx.pathParam("id") + "' is not a number");
        }
    }

    private static int networkId(RoutingContext ctx) {
        try {
            return Integer.parseInt(ctx.pathParam("id"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("network id '" + ctx.pathParam("id") + "' is not a number");
        }
    }

    /** The body's {@code frames}: an array of base64-encoded Ethernet frames. */
    private static List<byte[]> frames(JsonNode body) {
        JsonNode frames = body == null ? null : body.get("frames");
        if (frames == null || !frames.isArray()) {
            throw new IllegalArgumentException("the field 'frames' is missing: an array of base64 Ethernet frames");
        }
        List<byte[]> decoded = new java.util.ArrayList<>(frames.size());
        for (JsonNode frame : frames) {
            try {
                if (!frame.isTextual()) {
                    throw new IllegalArgumentException("not a string");
                }
                decoded.add(java.util.Base64.getDecoder().decode(frame.asText()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("frames[" + decoded.size() + "] is not base64: " + e.getMessage(), e);
            }
        }
        return decoded;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw new IllegalArgumentException("the field '" + field + "' is missing");
        }
        return value.asText();
    }

    /**
     * The request's JSON body as {@code type}; a body with the field {@code gone} (a name an older API used) and
     * without {@code replacement} is refused with a hint.
     */
    private static <T> T body(RoutingContext ctx, Class<T> type, String gone, String replacement) {
        return readBody(ctx.body() == null ? null : ctx.body().asString(), type, gone, replacement);
    }

    /** {@link #body} of a request's text; anything but a valid {@code type} is an IllegalArgumentException (400). */
    static <T> T readBody(String body, Class<T> type, String gone, String replacement) {
        if (body == null || body.isBlank()) {
            throw new IllegalArgumentException("the request has no JSON body");
        }
        try {
            if (gone != null) {
                JsonNode tree = JSON.readTree(body);
                if (tree.has(gone) && !tree.has(replacement)) {
                    throw new IllegalArgumentException("the field '" + gone + "' is gone: name the switch by its "
                            + "datapath id in '" + replacement + "' (GET /v1/switches lists them)");
                }
            }
            T value = JSON.readValue(body, type);
            if (value == null) {
                throw new IllegalArgumentException("the request's JSON body is null, not " + type.getSimpleName());
            }
            if (value instanceof Object[] items) {
                for (int i = 0; i < items.length; i++) {
                    if (items[i] == null) {
                        throw new IllegalArgumentException("the request's JSON array holds a null at [" + i + "], not a "
                                + type.getComponentType().getSimpleName());
                    }
                }
            }
            return value;
        } catch (JsonProcessingException e) {
            Throwable cause = e.getCause() instanceof IllegalArgumentException iae ? iae : e;
            throw new IllegalArgumentException("bad JSON body: " + firstLine(cause.getMessage()), e);
        }
    }

    private static void reply(RoutingContext ctx, int status, CompletionStage<?> result) {
        result.whenComplete((value, err) -> {
            if (err != null) {
                fail(ctx, err);
            } else {
                json(ctx, status, value);
            }
        });
    }

    private static void json(RoutingContext ctx, int status, Object value) {
        try {
            ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
                    .end(JSON.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            ErrorAnswer.send(ctx, 500, ErrorAnswer.INTERNAL, "cannot write JSON: " + e.getMessage());
        }
    }

    private static void fail(RoutingContext ctx, Throwable err) {
        while (err instanceof CompletionException && err.getCause() != null) {
            err = err.getCause();
        }
        if (err.getCause() instanceof IllegalArgumentException && !(err instanceof IllegalArgumentException)
                && err.getClass().getName().contains("Jackson")) {
            err = err.getCause();
        }
        int status;
        String kind;
        if (err instanceof NotFoundException) {
            status = 404;
            kind = ErrorAnswer.NOT_FOUND;
        } else if (err instanceof IllegalArgumentException) {
            status = 400;
            kind = ErrorAnswer.BAD_REQUEST;
        } else if (err instanceof MoveStateException || err instanceof ConflictException) {
            status = 409;
            kind = "conflict";
        } else if (err instanceof AmbiguousSwitchException) {
            status = 409;
            kind = "ambiguous switch name";
        } else if (err instanceof OpenFlowErrorException) {
            status = 502;
            kind = "switch rejected the request";
        } else if (err instanceof io.cutover.sdn.BusyException) {
            status = 503;
            kind = "busy";
        } else if (err instanceof SwitchUnavailableException) {
            status = 503;
            kind = "switch unavailable";
        } else if (err instanceof io.cutover.sdn.NotMasterException
                || err instanceof io.cutover.store.StoreUnavailableException) {
            status = 503;
            kind = "not the master";
        } else {
            status = 500;
            kind = ErrorAnswer.INTERNAL;
        }
        if (status < 500) {
            ErrorAnswer.refuse(ctx, status, kind, err.getMessage());
            return;
        }
        if (status == 500) {
            LOG.error("REST {} {} failed", ctx.request().method(), ctx.request().path(), err);
        } else {
            LOG.warn("REST {} {}: {} {}: {}", ctx.request().method(), ctx.request().path(), status, kind, err.getMessage());
        }
        ErrorAnswer.send(ctx, status, kind, err.getMessage());
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }

    private static String openApi() {
        try (InputStream in = SdnRestServer.class.getResourceAsStream("openapi.yaml")) {
            return in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        try {
            vertx.close().toCompletionStage().toCompletableFuture().orTimeout(5, TimeUnit.SECONDS).join();
        } finally {
            metrics.close();
        }
    }
}
