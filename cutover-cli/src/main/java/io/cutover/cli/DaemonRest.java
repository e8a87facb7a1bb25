package io.cutover.cli;

import io.cutover.support.HttpUnreachableException;
import io.cutover.support.JsonAnswer;
import io.cutover.support.JsonHttpClient;

import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;

/**
 * A daemon's REST API from the command line (the controller's, an agent's): one call and its answer, and an error
 * answer told as one line with the exit code it stands for.
 */
final class DaemonRest {
    /** How long a daemon may take to answer (the controller's commit waits for every switch). */
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private DaemonRest() {
    }

    /**
     * Sends {@code method path} to the API at {@code api} (its {@code /v1} root) and returns the answer, whatever
     * its status.
     *
     * @param unreachable what the error says when nothing answers, such as {@code no controller answers at ...}
     * @throws IllegalStateException (exit 1) with {@code unreachable} when nothing answers
     */
    static JsonAnswer send(URI api, String token, String method, String path, Object body, String unreachable) {
        return send(api, token, null, method, path, body, unreachable);
    }

    /** {@link #send(URI, String, String, String, Object, String)} over TLS with {@code tls} (or the JDK's CAs). */
    static JsonAnswer send(URI api, String token, io.cutover.support.TlsFiles tls, String method, String path,
                           Object body, String unreachable) {
        try (JsonHttpClient http = JsonHttpClient.builder(api).bearerToken(token).tls(tls).timeout(TIMEOUT).build()) {
            return http.send(method, path, body);
        } catch (HttpUnreachableException e) {
            throw new IllegalStateException(unreachable, e);
        }
    }

    /**
     * Prints an error answer as one line, {@code cutover: 404 not found: no move 7} (the API's {@code error} and
     * {@code detail}, or its text when it has none), and returns its exit code: 2 for a 4xx (the request was wrong),
     * 1 otherwise.
     */
    static int refused(JsonAnswer answer, PrintWriter err) {
        String reason;
        try {
            var body = answer.body();
            reason = body != null && body.hasNonNull("error")
                    ? body.get("error").asText() + (body.path("detail").asText().isEmpty() ? ""
                    : ": " + body.get("detail").asText())
                    : answer.text();
        } catch (RuntimeException notJson) {
            reason = answer.text();
        }
        err.println("cutover: " + answer.status() + " " + reason);
        err.flush();
        return answer.status() / 100 == 4 ? ExitCode.USAGE : ExitCode.FAILED;
    }
}
