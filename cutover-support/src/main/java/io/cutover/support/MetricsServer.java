package io.cutover.support;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;

/**
 * A daemon's {@link Metrics} on a port of their own, for a daemon that has no HTTP API to serve them on (the migration
 * listener): {@code GET /metrics} behind the {@link RequestGuard}, and nothing else (404). With a token every scrape
 * must carry {@code Authorization: Bearer <token>} (401 and one log line otherwise); without one it listens on
 * loopback only, as every tokenless daemon port does.
 */
public final class MetricsServer implements AutoCloseable {

    private final Vertx vertx;
    private final HttpServer server;

    private MetricsServer(Vertx vertx, HttpServer server) {
        this.vertx = vertx;
        this.server = server;
    }

    /**
     * Serves {@code metrics} at {@code at} (port 0 picks one).
     *
     * @param token the bearer token scrapes must carry, or {@code null} for none (then {@code at} must be loopback)
     * @throws IllegalArgumentException if a tokenless server would listen beyond loopback, or the token is too short
     * @throws IllegalStateException    if it cannot listen
     */
    public static MetricsServer start(Metrics metrics, HostPort at, String token) {
        if (token == null && !isLoopback(at.host())) {
            throw new IllegalArgumentException("metrics on " + at.host() + " would be open to the network: give a "
                    + "token, or listen on 127.0.0.1");
        }
        if (token != null && token.length() < BearerToken.MIN_LENGTH) {
            throw new IllegalArgumentException("a metrics token needs at least " + BearerToken.MIN_LENGTH
                    + " characters");
        }
        Vertx vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        if (token != null) {
            router.route().handler(new BearerCheck(token));
        }
        metrics.route(router);
        router.route().last().handler(ErrorAnswer::noRoute);
        try {
            HttpServer server = RequestGuard.server(vertx, router).listen(at.port(), at.host())
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            return new MetricsServer(vertx, server);
        } catch (Exception e) {
            vertx.close();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("cannot serve metrics on " + at.host() + ":" + at.port() + ": "
                    + Causes.unwrap(e).getMessage(), e);
        }
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** The port it listens on. */
    public int port() {
        return server.actualPort();
    }

    @Override
    public void close() {
        vertx.close().toCompletionStage().toCompletableFuture().orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null)
                .join();
    }
}
