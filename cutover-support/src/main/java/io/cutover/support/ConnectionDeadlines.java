package io.cutover.support;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Closes an HTTP connection that does not bring a whole request in time, so that a client sending a byte a second
 * cannot hold a connection (and its buffers) for ever: a request's body must arrive within {@code request} of its
 * head, and a kept-alive connection must bring its next request within {@code idle} of the last answer's end. While
 * an answer is being written (an event stream), no deadline runs. A connection's first request must be whole within
 * {@code request} of its accept (over TLS, of its handshake, which {@link TlsFiles#HANDSHAKE_SECONDS} bounds). One
 * sweep a {@link #SWEEP_MILLIS} closes what is late, with one log line per connection.
 * <p>
 * The first deadline needs the server's h2c detection off ({@link RequestGuard#server} turns it off): with it on,
 * Vert.x 5 tells of an HTTP/1.x connection only once its first head is whole (it must see that head to know whether
 * it asks to upgrade), so a head sent a byte a second was never cut off.
 */
final class ConnectionDeadlines {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionDeadlines.class);
    static final long SWEEP_MILLIS = 100;

    private final long requestNanos;
    private final long idleNanos;
    private final Map<HttpConnection, Deadline> deadlines = new ConcurrentHashMap<>();

    /** By when {@code request} (if any: the body's) must have arrived whole, and what the log says if not. */
    private record Deadline(long atNanos, HttpServerRequest request, String why, Duration limit) {
    }

    ConnectionDeadlines(Vertx vertx, Duration request, Duration idle) {
        this.requestNanos = request.toNanos();
        this.idleNanos = idle.toNanos();
        vertx.setPeriodic(SWEEP_MILLIS, sweep -> closeLate());
    }

    /** A connection opened (accepted, or its TLS handshake done): its first request must arrive in time. */
    void opened(HttpConnection connection) {
        connection.closeHandler(closed -> deadlines.remove(connection));
        deadlines.put(connection, new Deadline(System.nanoTime() + requestNanos, null, "no whole request",
                Duration.ofNanos(requestNanos)));
    }

    /**
     * A request's head arrived: its body must follow in time; once answered ({@link #answered}), the next request
     * must follow.
     */
    void arrived(HttpServerRequest request) {
        HttpConnection connection = request.connection();
        if (request.isEnded()) {
            deadlines.remove(connection);
        } else {
            deadlines.put(connection, new Deadline(System.nanoTime() + requestNanos, request, "no whole request body",
                    Duration.ofNanos(requestNanos)));
        }
    }

    /** The answer to a request on {@code connection} has been written: the next request must follow in time. */
    void answered(HttpConnection connection) {
        deadlines.put(connection, new Deadline(System.nanoTime() + idleNanos, null, "no further request",
                Duration.ofNanos(idleNanos)));
    }

    private void closeLate() {
        long now = System.nanoTime();
        deadlines.forEach((connection, deadline) -> {
            if (now - deadline.atNanos() > 0 && deadlines.remove(connection, deadline)
                    && (deadline.request() == null || !deadline.request().isEnded())) {
                LOG.warn("closed the connection from {}: {} within {} ms", connection.remoteAddress(), deadline.why(),
                        deadline.limit().toMillis());
                connection.close();
            }
        });
    }
}
