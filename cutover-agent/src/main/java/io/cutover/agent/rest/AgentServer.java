package io.cutover.agent.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.agent.BuiltInMigrator;
import io.cutover.agent.Cutover;
import io.cutover.agent.CutoverRequest;
import io.cutover.agent.CutoverService;
import io.cutover.agent.IncomingRequest;
import io.cutover.agent.MemoryClaims;
import io.cutover.agent.Phase;
import io.cutover.agent.PrecheckFailedException;
import io.cutover.agent.config.AccessConfig;
import io.cutover.agent.evacuation.Evacuation;
import io.cutover.agent.evacuation.EvacuationRequest;
import io.cutover.agent.evacuation.Evacuations;
import io.cutover.agent.evacuation.VmMove;
import io.cutover.agent.evacuation.impl.AgentEvacuations;
import io.cutover.agent.evacuation.impl.ServiceMover;
import io.cutover.agent.plan.PlanStepException;
import io.cutover.agent.plan.Timeline;
import io.cutover.agent.plan.TimelineEntry;
import io.cutover.agent.steps.TunnelDaemonClient;
import io.cutover.agent.steps.TunnelEnd;
import io.cutover.agent.steps.TunnelMove;
import io.cutover.api.CutoverStage;
import io.cutover.api.MigrationFigures;
import io.cutover.support.BearerCheck;
import io.cutover.support.ErrorAnswer;
import io.cutover.support.Metrics;
import io.cutover.tunnel.DrainPolicy;
import io.cutover.migration.IncomingMigration;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * The agent's REST API. Every call but the OpenAPI document (and the health report, unless {@link
 * AccessConfig#openHealth} says otherwise) needs {@code Authorization: Bearer <token>}: this host's token acts on
 * everything here; a peer's token (see {@link Callers}) only on what agents ask of each other, and only for itself
 * (a destination reports {@code activated} or {@code failed} for the cutovers that move a guest to it).
 * With {@link AccessConfig#tls} the API speaks HTTPS. Errors are {@code {"error": "...", "detail": "..."}} with the
 * status that fits: 400 bad input, 401 no or wrong token, 403 a peer's token for what it may not do, 404 unknown
 * cutover or evacuation, 409 a pre-check or a phase order refused, 502 a step of the plan failed (and was rolled
 * back).
 */
public final class AgentServer {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AgentServer.class);

    /** The largest request body accepted. */
    public static final int MAX_BODY_BYTES = 64 * 1024;
    static final String HEALTH_PATH = "/v1/health";
    static final String OPENAPI_PATH = "/v1/openapi.yaml";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final String CALLER = "caller";
    /** How often an event stream looks whether its cutover has ended. */
    private static final long EVENTS_END_CHECK_MS = 250;

    private final Vertx vertx;
    private final CutoverService service;
    private final Callers callers;
    private final AccessConfig access;
    private final String host;
    private final TunnelEnd tunnel;
    private final Metrics metrics;
    private final Evacuations evacuations;
    private HttpServer server;

    public AgentServer(Vertx vertx, CutoverService service, String token, String host) {
        this(vertx, service, token, host, null);
    }

    /** @param tunnel this host's tunnel daemon, relayed to the other agents' plans; or {@code null} */
    public AgentServer(Vertx vertx, CutoverService service, String token, String host, TunnelEnd tunnel) {
        this(vertx, service, token, host, tunnel, null, AccessConfig.SHARED_TOKEN);
    }

    /**
     * @param token   this host's token
     * @param tunnel  this host's tunnel daemon, relayed to the other agents' plans; or {@code null}
     * @param metrics served as {@code GET /metrics} (to any caller with a token); or {@code null} for none
     * @param access  the peers' tokens, TLS and whether the health report is open
     */
    public AgentServer(Vertx vertx, CutoverService service, String token, String host, TunnelEnd tunnel,
                       Metrics metrics, AccessConfig access) {
        this.metrics = metrics;
        this.vertx = vertx;
        this.service = service;
        this.callers = new Callers(token, access);
        this.access = access;
        this.host = host;
        this.tunnel = tunnel;
        this.evacuations = new AgentEvacuations(host, new ServiceMover(service));
    }

    /** Starts listening; the future holds the bound port. */
    public Future<Integer> listen(String address, int port) {
        return io.cutover.support.RequestGuard.server(vertx, router(), access.tls())
                .listen(port, address)
                .map(bound -> {
                    server = bound;
                    return bound.actualPort();
                });
    }

    public Future<Void> close() {
        return server == null ? Future.succeededFuture() : server.close();
    }

    Router router() {
        Router router = Router.router(vertx);
        // who the caller is, before a byte of the body is read: a caller without a token makes this agent hold nothing
        router.route().handler(this::authenticate);
        // no file uploads: Vert.x would keep them on disk
        router.route().handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES));
        router.get(HEALTH_PATH).handler(this::health);
        if (metrics != null) {
            metrics.route(router);
        }
        router.get(OPENAPI_PATH).handler(this::openApi);
        router.post("/v1/claims").handler(this::claim);
        router.delete("/v1/claims/:id").handler(this::releaseClaim);
        router.post("/v1/incoming").handler(this::prepareIncoming);
        router.post("/v1/cutovers").handler(this::hostOnly).handler(this::create);
        router.get("/v1/cutovers").handler(this::list);
        router.get("/v1/cutovers/:id").handler(this::show);
        router.delete("/v1/cutovers/:id").handler(this::hostOnly).handler(this::delete);
        router.get("/v1/cutovers/:id/events").handler(this::events);
        router.post("/v1/evacuations").handler(this::hostOnly).handler(this::evacuate);
        router.get("/v1/evacuations").handler(ctx -> json(ctx, 200, Map.of("evacuations",
                evacuations.list().stream().map(e -> describe(e, false)).toList())));
        router.get("/v1/evacuations/:id").handler(ctx -> json(ctx, 200,
                describe(evacuations.get(ctx.pathParam("id")), true)));
        router.get("/v1/migrations").handler(this::incoming);
        router.post("/v1/tunnel/moves").handler(this::registerTunnelMove);
        router.get("/v1/tunnel/moves/:id").handler(this::tunnelMove);
        router.post("/v1/tunnel/moves/:id/stage/:stage").handler(ctx -> {
            CutoverStage stage = stage(ctx.pathParam("stage"));
            DrainPolicy.DnsChange dns = dnsChange(ctx, stage);
            relay(ctx, 200, t -> {
                if (stage == CutoverStage.DRAINING) {
                    t.drain(ctx.pathParam("id"), dns);
                } else {
                    t.stage(ctx.pathParam("id"), stage);
                }
            });
        });
        router.delete("/v1/tunnel/moves/:id").handler(ctx -> relay(ctx, 204, t -> t.remove(ctx.pathParam("id"))));
        router.post("/v1/cutovers/:id/phase/:phase").handler(this::phase);
        router.route().last().handler(ErrorAnswer::noRoute);
        router.route().failureHandler(ctx -> {
            if (ctx.failure() == null) {
                ErrorAnswer.status(ctx);
            } else {
                fail(ctx, ctx.failure());
            }
        });
        return router;
    }

    /**
     * Lets on a caller with any token this agent knows: this host's, or a peer's (noted for the handlers). Anyone may
     * read the OpenAPI document, and the health check unless the configuration closes it; everything else, an unknown
     * path too, needs a token (a caller without one learns nothing of what is served here).
     */
    private void authenticate(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        boolean open = ctx.request().method() == HttpMethod.GET
                && (path.equals(OPENAPI_PATH) || path.equals(HEALTH_PATH) && access.openHealth());
        if (open || admit(ctx) != null) {
            ctx.next();
        }
    }

    /** Lets on this host's orchestrator and hooks only: a peer's token gets a 403. */
    private void hostOnly(RoutingContext ctx) {
        requireHost(ctx, "do this (this host's own token only)");
        ctx.next();
    }

    /** The caller whose token the request carries, noted for the handler; or {@code null}, answered with a 401. */
    private Callers.Caller admit(RoutingContext ctx) {
        String header = ctx.request().getHeader("Authorization");
        Callers.Caller caller = callers.identify(header).orElse(null);
        if (caller == null) {
            BearerCheck.refuse(ctx);
            return null;
        }
        Optional<String> refusal = Callers.certificateRefusal(caller, peerCertificate(ctx));
        if (refusal.isPresent()) {
            throw new ApiError(403, ErrorAnswer.FORBIDDEN, refusal.get());
        }
        ctx.put(CALLER, caller);
        return caller;
    }

    /** The certificate the caller's TLS connection presented, or {@code null} (none, or no TLS). */
    private static X509Certificate peerCertificate(RoutingContext ctx) {
        SSLSession session = ctx.request().isSSL() ? ctx.request().sslSession() : null;
        try {
            Certificate[] chain = session == null ? null : session.getPeerCertificates();
            return chain != null && chain.length > 0 && chain[0] instanceof X509Certificate x509 ? x509 : null;
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }

    /** The caller {@link #authenticate} let on ({@code null} on an open path). */
    private static Callers.Caller caller(RoutingContext ctx) {
        return ctx.get(CALLER);
    }

    /**
     * Refuses with a 403 (logged on one line, as every refusal) unless the caller may act for {@code host}: this host's callers may act
     * for any; another host's agent only for itself (never when {@code host} is {@code null}).
     */
    /** Refuses with a 403 unless the caller is this host's orchestrator or hooks. */
    private static void requireHost(RoutingContext ctx, String what) {
        requireActsFor(ctx, null, what);
    }

    private static void requireActsFor(RoutingContext ctx, String host, String what) {
        Callers.Caller caller = ctx.get(CALLER);
        if (!caller.isHost() && !caller.peer().equals(host)) {
            throw new ApiError(403, ErrorAnswer.FORBIDDEN, caller + " may not " + what);
        }
    }

    private void health(RoutingContext ctx) {
        MemoryClaims claims = service.claims();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("host", host);
        out.put("status", "up");
        out.put("memoryCapacityMiB", claims.capacityMiB());
        out.put("memoryFreeMiB", claims.freeMiB());
        out.put("cutovers", service.list().size());
        if (service.migrator() != null) {
            out.put("migrationAddress", service.migrator().address());
        }
        if (tunnel instanceof TunnelDaemonClient daemon && daemon.registers()) {
            out.put("tunnelUnderlay", daemon.underlay());
        }
        json(ctx, 200, out);
    }

    private void openApi(RoutingContext ctx) {
        try (InputStream in = AgentServer.class.getResourceAsStream("openapi.yaml")) {
            ctx.response().putHeader("Content-Type", "application/yaml")
                    .end(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException | NullPointerException e) {
            fail(ctx, new ApiError(500, "openapi document missing", String.valueOf(e.getMessage())));
        }
    }

    private void claim(RoutingContext ctx) {
        ClaimRequest claim = body(ctx, ClaimRequest.class);
        if (claim.id() == null || claim.memoryMiB() < 0) {
            throw new ApiError(400, ErrorAnswer.BAD_REQUEST, "expected {\"id\": ..., \"memoryMiB\": >= 0}");
        }
        Optional<String> secret;
        try {
            secret = service.claimForPeer(claim.id(), holder(ctx), claim.memoryMiB());
        } catch (MemoryClaims.InsufficientMemoryException e) {
            throw new ApiError(409, "insufficient memory", e.getMessage());
        } catch (MemoryClaims.ClaimHeldException e) {
            throw new ApiError(403, ErrorAnswer.FORBIDDEN, e.getMessage());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", claim.id());
        out.put("memoryMiB", claim.memoryMiB());
        out.put("memoryFreeMiB", service.claims().freeMiB());
        secret.ifPresent(s -> out.put("migrationSecret", s));
        json(ctx, 201, out);
    }

    private void releaseClaim(RoutingContext ctx) {
        try {
            service.releaseForPeer(ctx.pathParam("id"), holder(ctx));
        } catch (MemoryClaims.ClaimHeldException e) {
            throw new ApiError(403, ErrorAnswer.FORBIDDEN, e.getMessage());
        }
        ctx.response().setStatusCode(204).end();
    }

    /** Whom a claim the caller takes or releases is held by: the peer, or this host for its own callers. */
    private static String holder(RoutingContext ctx) {
        Callers.Caller caller = caller(ctx);
        return caller.isHost() ? MemoryClaims.THIS_HOST : caller.peer();
    }

    /**
     * A source's agent has this host's incoming QEMU take a cutover's stream, or this host follow a libvirt domain's
     * events for it; QMP and virsh are slow: on a worker thread.
     */
    private void prepareIncoming(RoutingContext ctx) {
        IncomingRequest incoming = body(ctx, IncomingRequest.class);
        requireActsFor(ctx, incoming.source(), "hand this host a guest migrated from " + incoming.source());
        vertx.executeBlocking(() -> {
            service.prepareIncoming(incoming);
            return incoming;
        }, false).onComplete(result -> {
            if (result.failed()) {
                fail(ctx, result.cause());
            } else {
                json(ctx, 201, incoming.libvirt() != null
                        ? Map.of("id", incoming.id(), "vm", incoming.vm(), "domain", incoming.libvirt().domain())
                        : Map.of("id", incoming.id(), "vm", incoming.vm(), "uri", incoming.qemu().uri()));
            }
        });
    }

    /** Pre-checks call the destination's agent: they run on a worker thread, never on the event loop. */
    private void create(RoutingContext ctx) {
        CutoverRequest request = body(ctx, CutoverRequest.class);
        vertx.executeBlocking(() -> service.create(request), false).onComplete(result -> {
            if (result.failed()) {
                fail(ctx, result.cause());
                return;
            }
            Cutover cutover = result.result();
            ctx.response().putHeader("Location", "/v1/cutovers/" + cutover.id());
            json(ctx, 201, describe(cutover, false));
        });
    }

    /**
     * Starts an evacuation of this host; the answer (202) comes at once, the moves go on: {@code GET
     * /v1/evacuations/{id}} says how they stand.
     */
    private void evacuate(RoutingContext ctx) {
        EvacuationRequest request = body(ctx, EvacuationRequest.class);
        vertx.executeBlocking(() -> evacuations.start(request), false).onComplete(result -> {
            if (result.failed()) {
                fail(ctx, result.cause());
                return;
            }
            Evacuation evacuation = result.result();
            ctx.response().putHeader("Location", "/v1/evacuations/" + evacuation.id());
            json(ctx, 202, describe(evacuation, true));
        });
    }

    /** An evacuation's summary and, {@code withMoves}, each VM's move. */
    private static Map<String, Object> describe(Evacuation evacuation, boolean withMoves) {
        List<VmMove> moves = evacuation.moves();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", evacuation.id());
        out.put("source", evacuation.request().source());
        out.put("destinations", evacuation.request().destinations());
        out.put("parallel", evacuation.request().parallel());
        out.put("ended", evacuation.ended());
        out.put("durationMs", evacuation.duration().toMillis());
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("vms", moves.size());
        for (VmMove.Outcome outcome : VmMove.Outcome.values()) {
            summary.put(outcome.name().toLowerCase(java.util.Locale.ROOT),
                    moves.stream().filter(m -> m.outcome() == outcome).count());
        }
        out.put("summary", summary);
        if (withMoves) {
            out.put("vms", moves.stream().map(AgentServer::describe).toList());
        }
        return out;
    }

    private static Map<String, Object> describe(VmMove move) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("vm", move.vm());
        out.put("destination", move.destination());
        out.put("cutover", move.cutover());
        out.put("outcome", move.outcome().name());
        out.put("failure", move.failure());
        out.put("durationMs", move.duration() == null ? null : move.duration().toMillis());
        move.downtime().ifPresent(downtime -> out.put("downtimeMs", downtime.toMillis()));
        return out;
    }

    private void list(RoutingContext ctx) {
        json(ctx, 200, Map.of("cutovers", service.list().stream().map(c -> describe(c, false)).toList()));
    }

    private void show(RoutingContext ctx) {
        json(ctx, 200, describe(service.get(ctx.pathParam("id")), true));
    }

    /** Ends a cutover that has not passed the switchover (rolled back), or forgets one that has ended. */
    private void delete(RoutingContext ctx) {
        service.delete(ctx.pathParam("id")).whenComplete((stage, error) -> vertx.runOnContext(ignored -> {
            if (error != null) {
                fail(ctx, error);
            } else {
                json(ctx, 200, Map.of("id", ctx.pathParam("id"), "stage", stage.name()));
            }
        }));
    }

    private void phase(RoutingContext ctx) {
        Phase phase = Phase.parse(ctx.pathParam("phase"));
        Cutover cutover = service.get(ctx.pathParam("id"));
        if (phase != Phase.ACTIVATED && phase != Phase.FAILED) {
            requireHost(ctx, "report " + ctx.pathParam("phase") + " (this host's own token only)");
        }
        // the destination reports its guest's RESUME (its agent) or its stop (its libvirt hook), for its own cutovers
        requireActsFor(ctx, cutover.request().destination(), "report a phase of a cutover to another host");
        service.phase(cutover.id(), phase).whenComplete((ok, error) -> vertx.runOnContext(ignored -> {
            if (error != null) {
                fail(ctx, error);
            } else {
                json(ctx, 200, describe(cutover, false));
            }
        }));
    }

    /**
     * A server-sent event stream of the cutover's timeline: what happened so far, then each new entry, each with its
     * {@code id} (its place in the order entries arrived); a client that reconnects with {@code Last-Event-ID} gets
     * only what came after it. Once the cutover has ended the stream says so ({@code event: end}, its stage) and
     * closes.
     */
    private void events(RoutingContext ctx) {
        Cutover cutover = service.get(ctx.pathParam("id"));
        int from = lastEventId(ctx) + 1;
        HttpServerResponse response = ctx.response().setChunked(true)
                .putHeader("Content-Type", "text/event-stream").putHeader("Cache-Control", "no-cache");
        var context = vertx.getOrCreateContext();
        Consumer<Timeline.Arrival> follower = arrival -> context.runOnContext(ignored -> {
            if (!response.ended() && !response.closed()) {
                response.write(event(arrival));
            }
        });
        Timeline timeline = cutover.plan().timeline();
        timeline.follow(from, follower).forEach(arrival -> response.write(event(arrival)));
        // every entry was handed to this context before the cutover ended: one more hop, and they are all written
        long watch = vertx.setPeriodic(EVENTS_END_CHECK_MS, timer -> {
            if (service.ended(cutover)) {
                vertx.cancelTimer(timer);
                context.runOnContext(ignored -> {
                    timeline.unfollow(follower);
                    if (!response.ended() && !response.closed()) {
                        response.end("event: end\ndata: {\"stage\":\"" + cutover.plan().stage() + "\"}\n\n");
                    }
                });
            }
        });
        // (the response's end handler is the server's: its access log and the connection's idle deadline)
        response.closeHandler(ignored -> {
            vertx.cancelTimer(watch);
            timeline.unfollow(follower);
        });
    }

    /** The {@code Last-Event-ID} a reconnecting client sends, or -1 when it sends none (or not a number). */
    private static int lastEventId(RoutingContext ctx) {
        try {
            return Integer.parseInt(String.valueOf(ctx.request().getHeader("Last-Event-ID")).strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String event(Timeline.Arrival arrival) {
        try {
            return "id: " + arrival.id() + "\nevent: timeline\ndata: " + JSON.writeValueAsString(arrival.entry())
                    + "\n\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A call to this host's tunnel daemon for another agent's plan; on a worker thread (the daemon answers over HTTP). */
    private void relay(RoutingContext ctx, int status, Consumer<TunnelEnd> call) {
        relay(ctx, status, ctx.pathParam("id"), call);
    }

    /** {@link #relay(RoutingContext, int, Consumer)} for the move {@code id}, named in the answer. */
    private void relay(RoutingContext ctx, int status, String id, Consumer<TunnelEnd> call) {
        if (tunnel == null) {
            throw new ApiError(404, ErrorAnswer.NOT_FOUND, "this agent has no tunnel section");
        }
        vertx.executeBlocking(() -> {
            call.accept(tunnel);
            return null;
        }, false).onComplete(result -> {
            if (result.failed()) {
                fail(ctx, result.cause());
            } else if (status == 204) {
                ctx.response().setStatusCode(204).end();
            } else {
                json(ctx, status, Map.of("id", id));
            }
        });
    }

    /**
     * The DNS change another agent's plan sends with DRAINING ({@code {"dns": {...}}}, see {@link
     * DrainPolicy.DnsChange#of}), or {@code null} without a body.
     */
    private static DrainPolicy.DnsChange dnsChange(RoutingContext ctx, CutoverStage stage) {
        if (ctx.body() == null || ctx.body().buffer() == null || ctx.body().length() <= 0) {
            return null;
        }
        TunnelStageRequest asked = body(ctx, TunnelStageRequest.class);
        if (asked.dns() == null) {
            return null;
        }
        requireNoNulls(asked.dns(), "dns");
        if (stage != CutoverStage.DRAINING) {
            throw new ApiError(400, ErrorAnswer.BAD_REQUEST, "dns goes only with the stage draining");
        }
        try {
            return DrainPolicy.DnsChange.of(asked.dns(), "dns");
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, ErrorAnswer.BAD_REQUEST, e.getMessage());
        }
    }

    /** A move at this host's daemon, for another agent's plan: whether it is closed, and how its drain stands. */
    private void tunnelMove(RoutingContext ctx) {
        if (tunnel == null) {
            throw new ApiError(404, ErrorAnswer.NOT_FOUND, "this agent has no tunnel section");
        }
        String id = ctx.pathParam("id");
        vertx.executeBlocking(() -> tunnel.drainState(id), false).onComplete(result -> {
            if (result.failed()) {
                fail(ctx, result.cause());
            } else if (result.result().isEmpty()) {
                fail(ctx, new ApiError(404, ErrorAnswer.NOT_FOUND, "no tunnel move " + id));
            } else {
                TunnelEnd.DrainState drain = result.result().get();
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("id", id);
                out.put("closed", drain.closed());
                if (drain.endedBy() != null) {
                    out.put("drainEndedBy", drain.endedBy());
                }
                out.put("hardMax", drain.hardMax().toMillis() + "ms");
                json(ctx, 200, out);
            }
        });
    }

    /** Another agent's plan registers a move with this host's daemon; this host's interface on the VMs' side is ours. */
    private void registerTunnelMove(RoutingContext ctx) {
        TunnelMoveRequest asked = body(ctx, TunnelMoveRequest.class);
        if (asked.id() == null || asked.vni() == null || asked.role() == null || asked.mode() == null
                || asked.vmMac() == null || asked.vmAddresses() == null || asked.peer() == null || asked.key() == null) {
            throw new ApiError(400, ErrorAnswer.BAD_REQUEST, "expected {id, vni, role, mode, vmMac, vmAddresses, peer, key}");
        }
        requireNoNulls(asked.vmAddresses(), "vmAddresses");
        requireNoNulls(asked.drain(), "drain");
        TunnelMove move = new TunnelMove(asked.id(), asked.vni(), asked.mode(), asked.vmMac(), asked.vmAddresses(),
                asked.key(), asked.drain());
        relay(ctx, 201, move.id(), t -> {
            try {
                t.register(move, asked.role(), asked.peer());
            } catch (UnsupportedOperationException e) {
                throw new PrecheckFailedException(e.getMessage(), e);
            }
        });
    }

    private static CutoverStage stage(String name) {
        try {
            return CutoverStage.valueOf(name.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, ErrorAnswer.BAD_REQUEST, "unknown stage '" + name + "'");
        }
    }

    /** The migrations that arrived here (built-in migrator), oldest first. */
    private void incoming(RoutingContext ctx) {
        if (service.migrator() == null) {
            throw new ApiError(404, ErrorAnswer.NOT_FOUND, "this agent has no built-in migrator (no migration section)");
        }
        json(ctx, 200, Map.of("address", service.migrator().address(), "migrations", service.migrator().incoming().stream()
                .map(AgentServer::describe).toList()));
    }

    private static Map<String, Object> describe(IncomingMigration in) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("migrationId", in.migrationId());
        out.put("guest", in.descriptor());
        out.put("activated", in.activated());
        out.put("guestRunning", in.guest() != null && in.guest().isRunning());
        out.put("failure", in.failure());
        out.put("pagesReceived", in.pagesReceived());
        out.put("bytesReceived", in.bytesReceived());
        out.put("verifiedDigest", Long.toHexString(in.digest()));
        out.put("durationMs", in.duration().toMillis());
        return out;
    }

    private static Map<String, Object> describe(BuiltInMigrator.Outgoing migration) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", migration.live().id());
        out.put("state", migration.live().progress().state().name());
        out.put("guestRunningHere", migration.guest().isRunning());
        migration.report().ifPresent(report -> {
            try {
                out.put("report", JSON.readTree(report.toJson()));
            } catch (JsonProcessingException e) {
                out.put("report", report.toJson());
            }
        });
        return out;
    }

    /** QEMU's figures of a migration this agent drives. */
    private static Map<String, Object> describe(MigrationFigures figures) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("migrator", "qemu");
        out.put("status", figures.status());
        out.put("rounds", figures.rounds());
        out.put("transferredBytes", figures.transferredBytes());
        out.put("remainingBytes", figures.remainingBytes());
        out.put("totalBytes", figures.totalBytes());
        figures.downtime().ifPresent(downtime -> out.put("downtimeMs", downtime.toMillis()));
        return out;
    }

    private Map<String, Object> describe(Cutover cutover, boolean withTimeline) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", cutover.id());
        out.put("stage", cutover.plan().stage().name());
        out.put("ended", service.ended(cutover));
        out.put("blackoutProtected", cutover.plan().blackoutProtected());
        out.put("journalWrites", service.journal().writes(cutover.id()));
        out.put("request", cutover.request());
        out.put("steps", cutover.plan().steps().stream().map(s -> s.stage() + " " + s.name()).toList());
        Throwable failure = cutover.plan().failure();
        if (failure != null) {
            out.put("failure", failure.getMessage());
        }
        service.migration(cutover.id()).ifPresent(migration -> out.put("migration", describe(migration)));
        service.qemuMigration(cutover.id()).ifPresent(migration -> {
            try {
                MigrationFigures figures = migration.progress();
                out.put("migration", figures == null ? Map.of("migrator", "qemu") : describe(figures));
            } catch (RuntimeException e) {
                out.put("migration", Map.of("migrator", "qemu", "unavailable", String.valueOf(e.getMessage())));
            }
        });
        if (withTimeline) {
            out.put("timelineOriginNanos", cutover.plan().timeline().originNanos());
            out.put("timeline", cutover.plan().timeline().entries());
        }
        return out;
    }

    private static <T> T body(RoutingContext ctx, Class<T> type) {
        if (ctx.body() == null || ctx.body().buffer() == null || ctx.body().length() == 0) {
            throw new ApiError(400, ErrorAnswer.BAD_REQUEST, "a JSON body is required");
        }
        return readBody(ctx.body().buffer().getBytes(), type);
    }

    /** A request's JSON body as {@code type}; anything else is an {@link ApiError} 400. */
    static <T> T readBody(byte[] body, Class<T> type) {
        try {
            T value = JSON.readValue(body, type);
            if (value == null) {
                throw new ApiError(400, ErrorAnswer.BAD_REQUEST, "a JSON object is required, not null");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw new ApiError(400, ErrorAnswer.BAD_REQUEST, "malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ApiError(400, ErrorAnswer.BAD_REQUEST, "malformed JSON: " + e.getMessage());
        }
    }

    /** A 400 naming the field when a list in a request holds a null, or a map a null value. */
    private static void requireNoNulls(Object value, String field) {
        if (value instanceof java.util.Collection<?> list && list.contains(null)
                || value instanceof Map<?, ?> map && map.containsValue(null)) {
            throw new ApiError(400, ErrorAnswer.BAD_REQUEST, field + " holds a null");
        }
    }

    private static void json(RoutingContext ctx, int status, Object body) {
        try {
            ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                    .end(JSON.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            fail(ctx, e);
        }
    }

    /** The one place where an exception becomes an HTTP status and a JSON error. */
    private static void fail(RoutingContext ctx, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        ApiError api;
        if (cause instanceof ApiError given) {
            api = given;
        } else if (cause instanceof TunnelDaemonClient.DaemonException daemon) {
            api = daemon.status() == 404 ? new ApiError(404, ErrorAnswer.NOT_FOUND, daemon.detail())
                    : new ApiError(502, "tunnel daemon failed", daemon.getMessage());
        } else if (cause instanceof PrecheckFailedException) {
            api = new ApiError(409, "pre-check failed", cause.getMessage());
        } else if (cause instanceof IllegalArgumentException) {
            api = new ApiError(400, ErrorAnswer.BAD_REQUEST, cause.getMessage());
        } else if (cause instanceof NoSuchElementException) {
            api = new ApiError(404, ErrorAnswer.NOT_FOUND, cause.getMessage());
        } else if (cause instanceof IllegalStateException) {
            api = new ApiError(409, "conflict", cause.getMessage());
        } else if (cause instanceof PlanStepException) {
            api = new ApiError(502, "step failed, rolled back", cause.getMessage());
        } else if (cause.getClass().getName().endsWith("RequestBodyTooLargeException") || ctx.statusCode() == 413) {
            api = new ApiError(413, "request too large", "at most " + MAX_BODY_BYTES + " bytes");
        } else {
            api = new ApiError(500, ErrorAnswer.INTERNAL, String.valueOf(cause));
        }
        if (api.status() < 500) {
            ErrorAnswer.refuse(ctx, api.status(), api.error(), api.getMessage());
        } else {
            if (api.status() == 500) {
                LOG.error("{} {} failed", ctx.request().method(), ctx.request().path(), cause);
            }
            ErrorAnswer.send(ctx, api.status(), api.error(), api.getMessage());
        }
    }

    /** A tunnel move another agent's plan registers here (its fields as {@link TunnelMove}'s, with a role and peer). */
    record TunnelMoveRequest(String id, Integer vni, String role, String mode, String vmMac, List<String> vmAddresses,
                             String peer, String key, Map<String, String> drain) {
    }

    /** What another agent's plan may send with a stage of a tunnel move: DRAINING's DNS change. */
    record TunnelStageRequest(Map<String, String> dns) {
    }

    /**
     * A memory claim asked by a source agent.
     *
     * @param id        the cutover
     * @param memoryMiB the memory to reserve
     */
    record ClaimRequest(String id, long memoryMiB) {
    }
}
