package io.cutover.agent.steps;

import com.fasterxml.jackson.databind.JsonNode;
import io.cutover.api.CutoverStage;
import io.cutover.support.Durations;
import io.cutover.support.HttpErrorStatusException;
import io.cutover.support.HttpUnreachableException;
import io.cutover.support.JsonAnswer;
import io.cutover.support.JsonHttpClient;
import io.cutover.tunnel.DrainPolicy;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** A tunnel daemon ({@code cutover tunnel serve}) driven through its REST API. */
public final class TunnelDaemonClient implements TunnelEnd {
    /** How long one call may take. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final JsonHttpClient http;
    private final String underlay;
    private final String iface;

    /** @param api the daemon's root, such as {@code http://127.0.0.1:7171} (with or without {@code /v1}) */
    public TunnelDaemonClient(URI api) {
        this(api, null);
    }

    /** @param token the daemon's bearer token ({@code tokenFile} in its configuration), or {@code null} */
    public TunnelDaemonClient(URI api, String token) {
        this(api, token, null, null);
    }

    /**
     * @param token    the daemon's bearer token, or {@code null}
     * @param underlay the daemon's tunnel address that the other ends send to ({@code HOST:PORT}), or {@code null}
     * @param iface    its interface on the VMs' side, or {@code null}; with {@code underlay}, moves can be registered
     */
    public TunnelDaemonClient(URI api, String token, String underlay, String iface) {
        this.underlay = underlay;
        this.iface = iface;
        String root = api.toString().replaceAll("/+$", "").replaceAll("/v1$", "");
        JsonHttpClient.Builder builder = JsonHttpClient.builder(URI.create(root + "/v1/")).connectTimeout(DEFAULT_TIMEOUT)
                .timeout(DEFAULT_TIMEOUT);
        this.http = (token == null ? builder : builder.bearerToken(token)).build();
    }

    @Override
    public String underlay() {
        requireRegisters();
        return underlay;
    }

    @Override
    public void register(TunnelMove move, String role, String peer) {
        requireRegisters();
        call("POST", "moves", move.at(role, peer, iface), 201);
    }

    private void requireRegisters() {
        if (!registers()) {
            throw new UnsupportedOperationException("host.yaml's tunnel section names no underlay and iface: moves "
                    + "must be registered beforehand ('cutover tunnel add')");
        }
    }

    /** Whether moves can be registered here (the daemon's underlay address and VM-side interface are known). */
    public boolean registers() {
        return underlay != null && iface != null;
    }

    @Override
    public void requireMove(String moveId) {
        call("GET", "moves/" + moveId, null, 200);
    }

    @Override
    public void stage(String moveId, CutoverStage stage) {
        call("POST", "moves/" + moveId + "/events", Map.of("stage", stage.name()), 200);
    }

    @Override
    public void hold(String moveId, Instant from) {
        call("POST", "moves/" + moveId + "/events", Map.of("stage", CutoverStage.SWITCHOVER.name(),
                "from", from.toString()), 200);
    }

    @Override
    public void drain(String moveId, DrainPolicy.DnsChange dns) {
        if (dns == null) {
            stage(moveId, CutoverStage.DRAINING);
        } else {
            call("POST", "moves/" + moveId + "/events", Map.of("stage", CutoverStage.DRAINING.name(), "dns", dns.fields()),
                    200);
        }
    }

    @Override
    public Optional<DrainState> drainState(String moveId) {
        JsonAnswer answer = call("GET", "moves/" + moveId, null, 200, 404);
        if (answer.status() == 404) {
            return Optional.empty();
        }
        JsonNode move = answer.body();
        return Optional.of(new DrainState(move.path("state").asText().equals("CLOSED"),
                move.path("drainEndedBy").asText(null), Durations.parse(move.path("move").path("drain").path("hardMax")
                .asText(DrainPolicy.DEFAULT_HARD_MAX.toSeconds() + "s"))));
    }

    @Override
    public void remove(String moveId) {
        call("DELETE", "moves/" + moveId, null, 204, 404);
    }

    /**
     * One call under the daemon's {@code /v1} with {@code body} as JSON ({@code null} for none); the answer when its
     * status is one of {@code ok}.
     *
     * @throws DaemonException naming the call and the daemon's error otherwise, or when the daemon does not answer
     */
    public JsonAnswer call(String method, String path, Object body, int... ok) {
        try {
            return http.send(method, path, body).requireStatus(ok);
        } catch (HttpUnreachableException e) {
            throw new DaemonException(0, "cannot reach the tunnel daemon at " + http.base()
                    + " (is 'cutover tunnel serve' running?): " + e.getCause(), e);
        } catch (HttpErrorStatusException e) {
            throw new DaemonException(e.status(), e.problem(), e);
        }
    }

    /** The daemon refused a call (its status and error), or did not answer (status 0). */
    public static final class DaemonException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        private final int status;
        private final String detail;

        public DaemonException(int status, String detail, Throwable cause) {
            super(status == 0 ? detail : "the tunnel daemon answered " + status + ": " + detail, cause);
            this.status = status;
            this.detail = detail;
        }

        /** The daemon's {@code error: detail}, or why it did not answer. */
        public String detail() {
            return detail;
        }

        /** The HTTP status, or 0 when the daemon did not answer. */
        public int status() {
            return status;
        }
    }
}
