package io.cutover.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.cutover.agent.config.AccessConfig;
import io.cutover.agent.config.AgentConfig;
import io.cutover.support.HostPort;
import io.cutover.support.HttpErrorStatusException;
import io.cutover.support.HttpMalformedAnswerException;
import io.cutover.support.HttpUnreachableException;
import io.cutover.support.JsonAnswer;
import io.cutover.support.JsonHttpClient;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Calls the other hosts' agents over their REST API, each with the token it shares with this host (see {@link
 * AccessConfig}), over TLS with this agent's files when the peer's URL is {@code https}.
 */
public final class PeerAgents {
    /** How long a peer may take to answer before it is taken as down. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    private final Map<String, JsonHttpClient> peers;

    /** Peers that all share {@code token}, over plain HTTP or the JDK's CAs. */
    public PeerAgents(Map<String, URI> peers, String token) {
        this(peers, token, AccessConfig.SHARED_TOKEN);
    }

    /** The peers of an agent whose own token is {@code hostToken}, with their tokens and TLS from {@code access}. */
    public PeerAgents(Map<String, URI> peers, String hostToken, AccessConfig access) {
        Map<String, JsonHttpClient> clients = new LinkedHashMap<>();
        peers.forEach((host, api) -> clients.put(host, JsonHttpClient.builder(api)
                .bearerToken(access.tokenFor(host, hostToken)).tls(access.tls())
                .connectTimeout(DEFAULT_TIMEOUT).timeout(DEFAULT_TIMEOUT).build()));
        this.peers = Map.copyOf(clients);
    }

    /** The peers {@code config} names, with its tokens and TLS. */
    public static PeerAgents of(AgentConfig config) {
        return new PeerAgents(config.peers(), config.token(), config.access());
    }

    /**
     * Asks {@code host}'s agent to reserve {@code mib} for cutover {@code id}.
     *
     * @return the one-time secret for the migration to {@code host}'s built-in migrator, or {@code null} if it has
     *         none
     * @throws PrecheckFailedException if the host is unknown, does not answer, or refuses
     */
    public String claimMemory(String host, String id, long mib) {
        JsonAnswer answer = send(host, "POST", "/v1/claims",
                JsonNodeFactory.instance.objectNode().put("id", id).put("memoryMiB", mib));
        if (answer.status() != 201) {
            throw new PrecheckFailedException("destination " + host + " refused to reserve " + mib + " MiB: "
                    + answer.text());
        }
        try {
            JsonNode claim = answer.body();
            return claim == null ? null : claim.path("migrationSecret").asText(null);
        } catch (HttpMalformedAnswerException e) {
            throw new PrecheckFailedException("destination " + host + " answered the claim with " + answer.text(), e);
        }
    }

    /**
     * The migration address of {@code host}'s agent, from its health report.
     *
     * @throws PrecheckFailedException if the host is unknown, does not answer, or has no built-in migrator
     */
    public InetSocketAddress migrationAddress(String host) {
        JsonAnswer health = send(host, "GET", "/v1/health", null);
        String address = field(health, "migrationAddress");
        if (address == null) {
            throw new PrecheckFailedException("the agent of " + host + " does not receive migrations (no migration "
                    + "section in its configuration): " + health.status() + " " + health.text());
        }
        return HostPort.parseRemote("migrationAddress of " + host, address).socketAddress();
    }

    /** {@code name} in an agent's health report, or {@code null} when the report is not a 200 that has it. */
    private static String field(JsonAnswer health, String name) {
        if (health.status() != 200) {
            return null;
        }
        try {
            JsonNode report = health.body();
            return report == null ? null : report.path(name).asText(null);
        } catch (HttpMalformedAnswerException e) {
            return null;
        }
    }

    /**
     * Asks {@code host}'s agent to take {@code request}'s guest for cutover {@code id} (whose memory it has claimed):
     * to point its incoming QEMU at the migration stream, or, for a libvirt domain, to follow the domain's events
     * there; it reports the guest's resume (or, with libvirt, its failure) to this host's agent.
     *
     * @throws IllegalStateException naming the host and its answer when it refuses
     */
    public void prepareIncoming(String host, String id, CutoverRequest request) {
        call(host, "POST", "/v1/incoming", new IncomingRequest(id, request.vm(), request.source(),
                request.migrator() == null ? null : request.migrator().qemu(), request.libvirt()), 201);
    }

    /**
     * Has {@code host}'s agent register {@code move} with its tunnel daemon as {@code role}, with {@code peer} as the
     * other end.
     *
     * @throws IllegalStateException naming the host and its answer when it refuses
     */
    public void registerTunnelMove(String host, io.cutover.agent.steps.TunnelMove move, String role, String peer) {
        // no interface: the other host's agent names its own
        call(host, "POST", "/v1/tunnel/moves", move.at(role, peer, null), 201);
    }

    /**
     * Has {@code host}'s agent start the drain of tunnel move {@code id} at its daemon (DRAINING), with what the DNS
     * steps did ({@link io.cutover.tunnel.DrainPolicy.DnsChange#fields()}), or {@code null}.
     *
     * @throws IllegalStateException naming the host and its answer when it refuses
     */
    public void drainTunnelMove(String host, String id, Map<String, String> dns) {
        call(host, "POST", "/v1/tunnel/moves/" + id + "/stage/draining", dns == null ? null : Map.of("dns", dns), 200);
    }

    /**
     * Tunnel move {@code id} at {@code host}'s daemon as its agent relays it ({@code closed}, {@code drainEndedBy},
     * {@code hardMax}); empty when the daemon has no such move.
     *
     * @throws IllegalStateException naming the host and its answer when it does not answer
     */
    public java.util.Optional<JsonNode> tunnelMove(String host, String id) {
        JsonAnswer answer;
        try {
            answer = send(host, "GET", "/v1/tunnel/moves/" + id, null);
            if (answer.status() == 404) {
                return java.util.Optional.empty();
            }
            return java.util.Optional.of(answer.requireStatus(200).body());
        } catch (PrecheckFailedException e) {
            throw new IllegalStateException(e.getMessage(), e);
        } catch (HttpErrorStatusException | HttpMalformedAnswerException e) {
            throw new IllegalStateException("GET /v1/tunnel/moves/" + id + " at the agent of " + host + ": " + e.getMessage(), e);
        }
    }

    /**
     * The tunnel address on the underlay of {@code host}'s daemon, from its agent's health report.
     *
     * @throws IllegalStateException when the agent does not answer or does not say
     */
    public String tunnelUnderlay(String host) {
        JsonAnswer health;
        try {
            health = send(host, "GET", "/v1/health", null);
        } catch (PrecheckFailedException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        String underlay = field(health, "tunnelUnderlay");
        if (underlay == null) {
            throw new IllegalStateException("the agent of " + host + " does not say where its tunnel daemon listens "
                    + "(tunnel.underlay in its host.yaml): " + health.status() + " " + health.text());
        }
        return underlay;
    }

    /**
     * A call to {@code host}'s agent on behalf of a plan step, whose answer's status must be one of {@code ok}.
     *
     * @throws IllegalStateException naming the host and its answer otherwise
     */
    public void call(String host, String method, String path, int... ok) {
        call(host, method, path, null, ok);
    }

    /** {@link #call(String, String, String, int...)} with {@code body} as JSON. */
    private void call(String host, String method, String path, Object body, int... ok) {
        try {
            send(host, method, path, body).requireStatus(ok);
        } catch (PrecheckFailedException e) {
            throw new IllegalStateException(e.getMessage(), e);
        } catch (HttpErrorStatusException e) {
            throw new IllegalStateException(method + " " + path + " at the agent of " + host + ": " + e.status() + " "
                    + e.body(), e);
        }
    }

    /** Releases a claim at {@code host}; best effort (a claim also ends with its cutover there). */
    public void releaseMemory(String host, String id) {
        try {
            send(host, "DELETE", "/v1/claims/" + id, null);
        } catch (PrecheckFailedException ignored) {
            // the peer is gone; its claims went with it
        }
    }

    private JsonAnswer send(String host, String method, String path, Object body) {
        JsonHttpClient peer = peers.get(host);
        if (peer == null) {
            throw new PrecheckFailedException("no agent is configured for host " + host + " (peers: "
                    + String.join(", ", peers.keySet()) + ")");
        }
        try {
            return peer.send(method, path, body);
        } catch (HttpUnreachableException e) {
            throw new PrecheckFailedException("the agent of " + host + " does not answer: " + e.getCause(), e);
        }
    }
}
