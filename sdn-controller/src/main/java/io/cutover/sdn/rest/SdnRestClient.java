package io.cutover.sdn.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.cutover.sdn.Dpid;
import io.cutover.sdn.Move;
import io.cutover.sdn.Network;
import io.cutover.sdn.SdnException;
import io.cutover.support.HttpErrorStatusException;
import io.cutover.support.HttpMalformedAnswerException;
import io.cutover.support.HttpUnreachableException;
import io.cutover.support.JsonHttpClient;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Drives a move through a controller's REST API ({@link SdnRestServer}), as a host agent does from another
 * process, and defines its networks. Futures fail with {@link ControllerUnreachableException} when the controller does not answer, and
 * with {@link RejectedException} (its status and JSON error) when it refuses.
 */
public final class SdnRestClient {
    /** How long a call may take, commit included (every switch confirms before the answer). */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final JsonHttpClient http;

    /**
     * @param base    the API's root, such as {@code http://127.0.0.1:8181/v1}
     * @param token   a bearer token sent with every call, or {@code null}
     * @param timeout how long one call may take
     */
    public SdnRestClient(URI base, String token, Duration timeout) {
        this(base, token, timeout, null);
    }

    /** {@link #SdnRestClient(URI, String, Duration)} over HTTPS with {@code tls} (its CA, and a certificate if asked). */
    public SdnRestClient(URI base, String token, Duration timeout, io.cutover.support.TlsFiles tls) {
        Objects.requireNonNull(timeout, "timeout");
        this.http = JsonHttpClient.builder(base).bearerToken(token).tls(tls).connectTimeout(timeout).timeout(timeout).build();
    }

    public URI base() {
        return http.base();
    }

    /** {@code POST /moves}: installs the destination's flows (see {@link io.cutover.sdn.SdnController#prepare}). */
    public CompletionStage<Move> prepare(String endpoint, Dpid toSwitch, String toPort) {
        return call("POST", "moves", Map.of("endpoint", endpoint, "toSwitch", toSwitch.toString(), "toPort", toPort));
    }

    /** {@code POST /moves} with {@code mirrorTo} (see {@link io.cutover.sdn.SdnController#prepareMirrored}). */
    public CompletionStage<Move> prepareMirrored(String endpoint, Dpid toSwitch, String toPort, String mirrorTo) {
        return call("POST", "moves", Map.of("endpoint", endpoint, "toSwitch", toSwitch.toString(), "toPort", toPort,
                "mirrorTo", mirrorTo));
    }

    /** {@code GET /switches/{dpid}/ports}: the switch's port names, as it reported them. */
    public CompletionStage<java.util.Set<String>> ports(Dpid sw) {
        return http.sendAsync("GET", "switches/" + sw + "/ports", null)
                .thenApply(answer -> {
                    java.util.Set<String> names = new java.util.TreeSet<>();
                    answer.requireSuccess().body().fieldNames().forEachRemaining(names::add);
                    return java.util.Set.copyOf(names);
                })
                .exceptionally(error -> {
                    throw translate(error);
                });
    }

    /**
     * {@code POST /endpoints/{name}/frames}: sends {@code frames} into the endpoint's switch from its port (see {@link
     * io.cutover.sdn.SdnController#sendFrames}); completes once the switch confirmed them.
     */
    public CompletionStage<Void> sendFrames(String endpoint, List<byte[]> frames) {
        List<String> encoded = frames.stream().map(java.util.Base64.getEncoder()::encodeToString).toList();
        return http.sendAsync("POST", "endpoints/" + endpoint + "/frames", Map.of("frames", encoded))
                .thenApply(answer -> {
                    answer.requireSuccess();
                    return (Void) null;
                })
                .exceptionally(error -> {
                    throw translate(error);
                });
    }

    public CompletionStage<Move> redirectToForwarder(int moveId, String port) {
        return call("POST", "moves/" + moveId + "/redirect", Map.of("port", port));
    }

    public CompletionStage<Move> commit(int moveId) {
        return call("POST", "moves/" + moveId + "/commit", null);
    }

    public CompletionStage<Move> cleanup(int moveId) {
        return call("POST", "moves/" + moveId + "/cleanup", null);
    }

    public CompletionStage<Move> rollback(int moveId) {
        return call("POST", "moves/" + moveId + "/rollback", null);
    }

    public CompletionStage<Move> move(int moveId) {
        return call("GET", "moves/" + moveId, null);
    }

    /** {@code GET /networks}: the defined networks, by id. */
    public CompletionStage<List<Network>> networks() {
        return call("GET", "networks", null, Network[].class).thenApply(List::of);
    }

    /** {@code GET /networks/{id}}: fails with a 404 {@link RejectedException} when it is not defined. */
    public CompletionStage<Network> network(int id) {
        return call("GET", "networks/" + id, null, Network.class);
    }

    /**
     * {@code POST /networks}: defines a network (see {@link io.cutover.sdn.SdnController#addNetwork}); an identical one
     * already defined is no error. Fails with a 409 {@link RejectedException} when it clashes with a defined network.
     */
    public CompletionStage<Network> addNetwork(Network network) {
        return call("POST", "networks", network, Network.class);
    }

    /** {@code DELETE /networks/{id}}: 404 when it is not defined, 409 while endpoints are in it. */
    public CompletionStage<Void> removeNetwork(int id) {
        return call("DELETE", "networks/" + id, null, JsonNode.class).thenApply(ignored -> null);
    }

    private CompletionStage<Move> call(String method, String path, Object body) {
        return call(method, path, body, Move.class);
    }

    private <T> CompletionStage<T> call(String method, String path, Object body, Class<T> type) {
        return http.sendAsync(method, path, body).thenApply(answer -> answer.requireSuccess().body(type))
                .exceptionally(error -> {
                    throw translate(error);
                });
    }

    /** The client's error as the controller's. */
    private static RuntimeException translate(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof HttpUnreachableException unreachable) {
            return new ControllerUnreachableException(unreachable.call() + ": the controller does not answer ("
                    + unreachable.getCause() + ")", unreachable);
        }
        if (cause instanceof HttpErrorStatusException refused) {
            return new RejectedException(refused);
        }
        if (cause instanceof HttpMalformedAnswerException unreadable) {
            return new SdnException(unreadable.getMessage(), unreadable);
        }
        return cause instanceof RuntimeException runtime ? runtime : new CompletionException(cause);
    }

    /** The controller could not be reached (down, or the call timed out); the move's state there is unknown. */
    public static final class ControllerUnreachableException extends SdnException {
        private static final long serialVersionUID = 1L;

        public ControllerUnreachableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The controller answered with an error. */
    public static final class RejectedException extends SdnException {
        private static final long serialVersionUID = 1L;

        private final int status;
        private final String error;

        public RejectedException(HttpErrorStatusException refused) {
            super(refused.getMessage(), refused);
            this.status = refused.status();
            this.error = refused.problem();
        }

        /** The HTTP status: 400, 404, 409 (wrong move state, a clashing network), 502 (a switch refused), 503 (a switch is down). */
        public int status() {
            return status;
        }

        /** The controller's {@code error: detail}. */
        public String error() {
            return error;
        }
    }
}
