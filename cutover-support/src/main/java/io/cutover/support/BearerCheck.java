package io.cutover.support;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;

/**
 * A router's handler that lets on a request carrying the API's {@link BearerToken} (or one for an open path) and
 * refuses any other with {@link #refuse}. What is the same on every daemon is written here once: the header's parsing
 * and the constant-time compare ({@link BearerToken}), the 401's layout ({@link ErrorAnswer#unauthorized}) and its one
 * log line; which paths are open, and what a daemon with several callers' tokens does (the agent), stays with the
 * daemon.
 *
 * <pre>{@code
 * router.route("/v1/*").handler(new BearerCheck(token, "/v1/openapi.yaml"));
 * }</pre>
 */
public final class BearerCheck implements Handler<RoutingContext> {
    private static final Logger LOG = LoggerFactory.getLogger(BearerCheck.class);

    private final BearerToken token;
    private final Set<String> openPaths;

    /** Checks for {@code token}, except on the {@code openPaths} (exact request paths), which anyone may read. */
    public BearerCheck(String token, String... openPaths) {
        this.token = new BearerToken(token);
        this.openPaths = Set.of(openPaths);
    }

    @Override
    public void handle(RoutingContext ctx) {
        String header = ctx.request().getHeader("Authorization");
        if (openPaths.contains(ctx.request().path()) || token.admits(header)) {
            ctx.next();
        } else {
            refuse(ctx);
        }
    }

    /**
     * Answers the request with a 401 ({@code WWW-Authenticate: Bearer}, {@code {"error": "unauthorized", "detail":
     * "missing bearer token"}} or {@code "wrong bearer token"}) and logs it on one line, {@code refused METHOD PATH
     * from ADDRESS: DETAIL}: for a daemon that checked the request's {@code Authorization} itself and found no token it
     * knows.
     */
    public static void refuse(RoutingContext ctx) {
        String refusal = BearerToken.refusal(ctx.request().getHeader("Authorization"));
        LOG.warn("refused {} {} from {}: {}", ctx.request().method(), ctx.request().path(),
                ctx.request().remoteAddress(), refusal);
        ErrorAnswer.unauthorized(ctx, refusal);
    }
}
