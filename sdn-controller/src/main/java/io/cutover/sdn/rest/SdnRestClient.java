package io.cutover.sdn.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.cutover.sdn.Dpid;
import io.cutover.sdn.Move;
import io.cutover.sdn.Network;
import io.cutover.sdn.SdnException;
import io.cutover.support.HttpErrorStatusException;
import io.cutover.support.HttpMalformedAnswerException;
import io.cutover.support.HttpUnreachableException;
import io.cutover.support.JsonAnswer;
import io.cutover.support.JsonHttpClient;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Drives a move through a controller's REST API ({@link SdnRestServer}), as a host agent does from another
 * process, and defines its networks. Futures fail with {@link ControllerUnreachableException} when the controller does not answer, and
 * with {@link RejectedException} (its status and JSON error) when it refuses.
 * <p>
 * Given the members of a controller cluster, it calls the one that answered the last change as the master, reads
 * included (a slave answers reads from the state it last followed, which may lag the master's). A member that refuses
 * because it is not the master (503), or that refuses the connection (a dead process), has done nothing: the call goes
 * on to the next member, and after a round without a master (an election under way) to the first again after a
 * pause, for as long as one call's timeout. A call that reached a member and got no answer is not sent again (it may
 * have been done).
 */
public final class SdnRestClient {
    /** How long a call may take, commit included (every switch confirms before the answer). */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** The pause after a round of the members in which none was the master. */
    static final Duration ROUND_PAUSE = Duration.ofMillis(200);
    private static final String NOT_THE_MASTER = "not the master";

    private final List<JsonHttpClient> members;
    private final Duration timeout;
    /** The member that answered the last change: the master, as far as this client knows. */
    private volatile int current;

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
        this(List.of(base), token, timeout, tls);
    }

    /**
     * A client of a controller cluster: {@code members} are the API roots of its members, in the order they are
     * tried; each is called with {@code token} and {@code tls} (or {@code null}s).
     */
    public SdnRestClient(List<URI> members, String token, Duration timeout, io.cutover.support.TlsFiles tls) {
        Objects.requireNonNull(timeout, "timeout");
        if (members.isEmpty()) {
            throw new IllegalArgumentException("a controller client needs at least one controller's URL");
        }
        this.members = members.stream().map(base -> JsonHttpClient.builder(base).bearerToken(token).tls(tls)
                .connectTimeout(timeout).timeout(timeout).build()).toList();
        this.timeout = timeout;
    }

    /** The API root of the controller called next: the one that answered the last change. */
    public URI base() {
        return members.get(current).base();
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
        return send("GET", "switches/" + sw + "/ports", null).thenApply(answer -> {
            java.util.Set<String> names = new java.util.TreeSet<>();
            answer.body().fieldNames().forEachRemaining(names::add);
            return java.util.Set.copyOf(names);
        });
    }

    /**
     * {@code POST /endpoints/{name}/frames}: sends {@code frames} into the endpoint's switch from its port (see {@link
     * io.cutover.sdn.SdnController#sendFrames}); completes once the switch confirmed them.
     */
    public CompletionStage<Void> sendFrames(String endpoint, List<byte[]> frames) {
        List<String> encoded = frames.stream().map(java.util.Base64.getEncoder()::encodeToString).toList();
        return send("POST", "endpoints/" + endpoint + "/frames", Map.of("frames", encoded)).thenApply(answer -> null);
    }

    /**
     * {@code POST /endpoints/{name}/probe}: whether the endpoint answers at the port the controller has it on, asked
     * for up to {@code wait} (see {@link io.cutover.sdn.SdnController#probe}); keep it below this client's timeout.
     */
    public CompletionStage<io.cutover.sdn.ProbeAnswer> probe(String endpoint, Duration wait) {
        return call("POST", "endpoints/" + endpoint + "/probe", Map.of("timeoutMs", wait.toMillis()),
                io.cutover.sdn.ProbeAnswer.class);
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
        return send(method, path, body).thenApply(answer -> answer.body(type)).exceptionally(error -> {
            throw translate(error);
        });
    }

    /** Sends the call to the master, as the class says; completes with a successful answer, or fails translated. */
    private CompletableFuture<JsonAnswer> send(String method, String path, Object body) {
        return attempt(method, path, body, current, new Round(System.nanoTime() + timeout.toNanos()));
    }

    /** One call's way through the members: how many it tried, and a slave's refusal to report if none is the master. */
    private static final class Round {
        final long deadline;
        int tried;
        RuntimeException notTheMaster;

        Round(long deadline) {
            this.deadline = deadline;
        }
    }

    private CompletableFuture<JsonAnswer> attempt(String method, String path, Object body, int member, Round round) {
        round.tried++;
        return members.get(member).sendAsync(method, path, body).thenApply(JsonAnswer::requireSuccess)
                .handle((answer, error) -> {
                    if (error == null) {
                        judgedByMaster(method, member);
                        return CompletableFuture.completedFuture(answer);
                    }
                    RuntimeException failure = translate(error);
                    if (members.size() == 1 || !notDone(failure)) {
                        if (failure instanceof RejectedException) {
                            judgedByMaster(method, member);
                        }
                        return CompletableFuture.<JsonAnswer>failedFuture(failure);
                    }
                    if (failure instanceof RejectedException) {
                        round.notTheMaster = failure;
                    }
                    int next = (member + 1) % members.size();
                    if (round.tried % members.size() != 0) {
                        return attempt(method, path, body, next, round);
                    }
                    if (System.nanoTime() + ROUND_PAUSE.toNanos() > round.deadline) {
                        return CompletableFuture.<JsonAnswer>failedFuture(
                                round.notTheMaster != null ? round.notTheMaster : failure);
                    }
                    Executor later = CompletableFuture.delayedExecutor(ROUND_PAUSE.toMillis(), TimeUnit.MILLISECONDS);
                    return CompletableFuture.supplyAsync(() -> null, later)
                            .thenCompose(ignored -> attempt(method, path, body, next, round));
                }).thenCompose(f -> f);
    }

    /**
     * Takes {@code member} as the master when it answered a change, done or refused for what it asked: only the master
     * judges a change (a slave refuses every change as not the master). A read says nothing of that, since every
     * member answers reads, a slave from the state it last followed; reads go to the member that answered the last
     * change, so that a client reads what it changed.
     */
    private void judgedByMaster(String method, int member) {
        if (!"GET".equals(method)) {
            current = member;
        }
    }

    /** Whether the member that failed so did nothing: it is not the master, or it refused the connection. */
    private static boolean notDone(RuntimeException failure) {
        if (failure instanceof RejectedException rejected) {
            return rejected.status() == 503 && rejected.error().startsWith(NOT_THE_MASTER);
        }
        if (failure instanceof ControllerUnreachableException) {
            for (Throwable cause = failure.getCause(); cause != null; cause = cause.getCause()) {
                if (cause instanceof java.net.ConnectException) {
                    return true;
                }
            }
        }
        return false;
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
