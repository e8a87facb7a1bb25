package io.cutover.support;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one error layout of the daemons' REST APIs (the agent's, the controller's, the tunnel daemon's and
 * {@link RequestGuard}'s refusals): {@code {"error": "...", "detail": "..."}} with the status that fits, and nothing
 * else in the body. {@code error} is a short category a script can match ({@value #BAD_REQUEST}, {@value #UNAUTHORIZED},
 * {@value #NOT_FOUND}, or a daemon's own such as {@code switch unavailable}); {@code detail} says what was wrong with
 * this request, for a person. Written in one place so that the three APIs cannot drift apart again.
 */
public final class ErrorAnswer {
    /** A 400: the request's body, path or parameters are wrong. */
    public static final String BAD_REQUEST = "bad request";
    /** A 401: no bearer token, or the wrong one. */
    public static final String UNAUTHORIZED = "unauthorized";
    /** A 403: a caller who proved who they are asked for what they may not do. */
    public static final String FORBIDDEN = "forbidden";
    /** A 404: no such resource, or no such thing (a move, a cutover, an endpoint) under it. */
    public static final String NOT_FOUND = "not found";
    /** A 500: a bug; the detail names the exception. */
    public static final String INTERNAL = "internal error";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = LoggerFactory.getLogger(ErrorAnswer.class);

    private ErrorAnswer() {
    }

    /** The body of an error answer. */
    public static String body(String error, String detail) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("detail", detail == null ? "" : detail);
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write two strings as JSON", e);
        }
    }

    /** Ends {@code response} with the error; does nothing when an answer was already sent. */
    public static void send(HttpServerResponse response, int status, String error, String detail) {
        if (response.ended()) {
            return;
        }
        response.setStatusCode(status).putHeader("content-type", "application/json").end(body(error, detail));
    }

    /** Ends the request's answer with the error; does nothing when an answer was already sent. */
    public static void send(RoutingContext ctx, int status, String error, String detail) {
        send(ctx.response(), status, error, detail);
    }

    /**
     * Ends the request's answer with a refusal (a 4xx) and logs it on one line, as {@code refused METHOD PATH from
     * ADDRESS: STATUS ERROR: DETAIL}, so that an operator sees every request the daemon turned away; does nothing when
     * an answer was already sent.
     */
    public static void refuse(RoutingContext ctx, int status, String error, String detail) {
        if (ctx.response().ended()) {
            return;
        }
        LOG.warn("refused {} {} from {}: {} {}: {}", ctx.request().method(), ctx.request().path(),
                ctx.request().remoteAddress(), status, error, detail);
        send(ctx, status, error, detail);
    }

    /** A 401 with {@code WWW-Authenticate: Bearer}; {@code refusal} says what was wrong with the token (see {@link BearerToken#refusal}). */
    public static void unauthorized(RoutingContext ctx, String refusal) {
        ctx.response().putHeader("WWW-Authenticate", "Bearer");
        send(ctx, 401, UNAUTHORIZED, refusal);
    }

    /** A 404 for a request no route takes: the detail is its method and path. */
    public static void noRoute(RoutingContext ctx) {
        send(ctx, 404, NOT_FOUND, ctx.request().method() + " " + ctx.request().path());
    }

    /**
     * The answer to a failure Vert.x gives with a status and no exception (a body over the limit: 413), logged on one
     * line as a {@linkplain #refuse refusal}; a status that is no error becomes a 500.
     */
    public static void status(RoutingContext ctx) {
        int status = ctx.statusCode() >= 400 ? ctx.statusCode() : 500;
        refuse(ctx, status, errorFor(status), "status " + status);
    }

    /** The category of an error answer that has only its status. */
    public static String errorFor(int status) {
        return switch (status) {
            case 400 -> BAD_REQUEST;
            case 401 -> UNAUTHORIZED;
            case 403 -> FORBIDDEN;
            case 404 -> NOT_FOUND;
            case 405 -> "method not allowed";
            case 413 -> "request too large";
            case 414 -> "request line too long";
            case 415 -> "unsupported media type";
            case 431 -> "request head too large";
            case 500 -> INTERNAL;
            default -> "request failed";
        };
    }
}
