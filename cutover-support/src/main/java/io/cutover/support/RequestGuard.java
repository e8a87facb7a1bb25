package io.cutover.support;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Locale;

/**
 * What every daemon's HTTP server puts before its router: requests the router would answer with a 500, or parse at a
 * cost nobody asked for, are refused here with a 4xx in the daemons' error layout ({@code {"error", "detail"}}) and
 * one log line. An HTTP/1.x request without {@code Host} gets a 400 (Vert.x's router fails it as a server error); a
 * body that is not JSON (a form, a multipart upload) gets a 415 before a byte of it is read (the APIs take JSON only,
 * and a form's fields would be parsed and held first).
 *
 * {@link #server} also closes a connection that does not bring a whole request in time ({@link ConnectionDeadlines}),
 * its first one counted from the accept, and answers a request HTTP cannot decode (garbage, a head over 8 KiB, a line over 4 KiB, a bad length) in the same
 * layout with one log line ({@link #malformed}): Vert.x answered those itself, unlogged, with an empty body.
 *
 * <pre>{@code
 * RequestGuard.server(vertx, router).listen(port, host)
 * }</pre>
 */
public final class RequestGuard implements Handler<HttpServerRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(RequestGuard.class);

    private final Handler<HttpServerRequest> next;

    private RequestGuard(Handler<HttpServerRequest> next) {
        this.next = next;
    }

    /** How long a client has to bring a request's body after its head. */
    public static final Duration REQUEST_DEADLINE = Duration.ofSeconds(10);
    /** How long a kept-alive connection may wait for its next request after an answer. */
    public static final Duration IDLE_DEADLINE = Duration.ofSeconds(60);

    /** {@code next} (a router), behind the guard. */
    public static RequestGuard before(Handler<HttpServerRequest> next) {
        return new RequestGuard(next);
    }

    /**
     * A daemon's HTTP server: {@code router} behind the guard, the connections' deadlines, and a line in the {@link
     * AccessLog} for each request that may change something.
     */
    public static HttpServer server(Vertx vertx, Handler<HttpServerRequest> router) {
        return server(vertx, router, null);
    }

    /** {@link #server(Vertx, Handler)} speaking TLS with {@code tls}; plain HTTP when it is {@code null}. */
    public static HttpServer server(Vertx vertx, Handler<HttpServerRequest> router, TlsFiles tls) {
        return server(vertx, router, tls, REQUEST_DEADLINE, IDLE_DEADLINE);
    }

    /** {@link #server(Vertx, Handler, TlsFiles)} with other deadlines (tests). */
    static HttpServer server(Vertx vertx, Handler<HttpServerRequest> router, TlsFiles tls, Duration request,
                             Duration idle) {
        ConnectionDeadlines deadlines = new ConnectionDeadlines(vertx, request, idle);
        RequestGuard guard = before(router);
        HttpServerOptions options = tls == null ? new HttpServerOptions() : tls.serverOptions();
        // No h2c: with it, Vert.x reports an HTTP/1.x connection only once its first head is whole, so a first head
        // sent a byte a second would run no deadline. No client of these APIs speaks h2c.
        return vertx.createHttpServer(options.setHttp2ClearTextEnabled(false))
                .connectionHandler(deadlines::opened).invalidRequestHandler(RequestGuard::malformed)
                .requestHandler(arrived -> {
                    deadlines.arrived(arrived);
                    long started = System.nanoTime();
                    arrived.response().endHandler(ended -> {
                        deadlines.answered(arrived.connection());
                        AccessLog.answered(arrived, started);
                    });
                    guard.handle(arrived);
                });
    }

    /**
     * A request HTTP could not decode: 414 for a request line over the limit, 431 for a head over it, 400 otherwise,
     * the connection closed, and one log line that quotes the decoder's reason in printable characters only.
     */
    static void malformed(HttpServerRequest request) {
        Throwable cause = request.decoderResult().cause();
        int status = cause instanceof io.netty.handler.codec.http.TooLongHttpLineException ? 414
                : cause instanceof io.netty.handler.codec.http.TooLongHttpHeaderException ? 431 : 400;
        String reason = printable(cause == null ? "not HTTP" : String.valueOf(cause.getMessage()));
        LOG.warn("refused a malformed request from {}: {} {}", request.remoteAddress(), status, reason);
        request.response().putHeader("connection", "close");
        ErrorAnswer.send(request.response(), status, ErrorAnswer.errorFor(status), "malformed request: " + reason);
    }

    /** {@code text} cut to 120 characters, every one outside printable ASCII shown as {@code ?}. */
    static String printable(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), 120));
        for (int i = 0; i < text.length() && i < 120; i++) {
            char c = text.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return out.toString();
    }

    @Override
    public void handle(HttpServerRequest request) {
        String refusal = refusal(request.version(), request.getHeader("Host"), request.method(),
                request.getHeader("Content-Type"));
        if (refusal == null) {
            next.handle(request);
            return;
        }
        int status = refusal.startsWith("a body") ? 415 : 400;
        LOG.warn("refused {} {} from {}: {}", request.method(), request.path(), request.remoteAddress(), refusal);
        request.response().putHeader("connection", "close");
        ErrorAnswer.send(request.response(), status, ErrorAnswer.errorFor(status), refusal);
    }

    /** Why a request with these is refused, or {@code null} when it may go on. */
    static String refusal(HttpVersion version, String host, HttpMethod method, String contentType) {
        if (version != HttpVersion.HTTP_2 && (host == null || host.isBlank())) {
            return "an HTTP/1.x request needs a Host header";
        }
        boolean carriesBody = method == HttpMethod.POST || method == HttpMethod.PUT || method == HttpMethod.PATCH;
        if (carriesBody && contentType != null) {
            String type = contentType.toLowerCase(Locale.ROOT);
            if (type.startsWith("multipart/") || type.startsWith("application/x-www-form-urlencoded")) {
                return "a body of " + type.split(";")[0].replaceAll("[^a-z0-9/+.-]", "") + ": this API takes JSON only";
            }
        }
        return null;
    }
}
