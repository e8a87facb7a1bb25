package io.cutover.support;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;

/**
 * The daemons' access log: one line for each answered request that may change something (any method but GET, HEAD
 * and OPTIONS), whoever sent it and whatever the answer, on the logger {@value #LOGGER}: {@code POST /v1/moves from
 * 127.0.0.1:40312: 201 in 3 ms}. Reads are not logged (a scraper would fill the log); a refused read still gets its
 * own line from the API that refused it.
 */
public final class AccessLog {
    /** The logger's name, to raise or lower apart from the daemon's others. */
    public static final String LOGGER = "io.cutover.access";
    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);
    private static final Set<HttpMethod> READS = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

    private AccessLog() {
    }

    /** Logs {@code request}, whose answer has just been written, if it may have changed something. */
    static void answered(HttpServerRequest request, long startedNanos) {
        if (!READS.contains(request.method())) {
            LOG.info("{} {} from {}: {} in {} ms", request.method(), request.path(), request.remoteAddress(),
                    request.response().getStatusCode(), (System.nanoTime() - startedNanos) / 1_000_000);
        }
    }
}
