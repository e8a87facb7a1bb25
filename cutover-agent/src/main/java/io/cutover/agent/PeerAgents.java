package io.cutover.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.support.HostPort;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** Calls the other hosts' agents over their REST API, with this deployment's bearer token. */
public final class PeerAgents {
    /** How long a peer may take to answer before it is taken as down. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, URI> peers;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(DEFAULT_TIMEOUT).build();

    public PeerAgents(Map<String, URI> peers, String token) {
        this.peers = Map.copyOf(peers);
        this.token = token;
    }

    /**
     * Asks {@code host}'s agent to reserve {@code mib} for cutover {@code id}.
     *
     * @throws PrecheckFailedException if the host is unknown, does not answer, or refuses
     */
    public void claimMemory(String host, String id, long mib) {
        HttpResponse<String> response = send(host, HttpRequest.newBuilder(uri(host, "/v1/claims"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"" + id + "\",\"memoryMiB\":" + mib + "}"))
                .header("Content-Type", "application/json"));
        if (response.statusCode() != 201) {
            throw new PrecheckFailedException("destination " + host + " refused to reserve " + mib + " MiB: "
                    + response.body());
        }
    }

    /**
     * The migration address of {@code host}'s agent, from its health report.
     *
     * @throws PrecheckFailedException if the host is unknown, does not answer, or has no built-in migrator
     */
    public InetSocketAddress migrationAddress(String host) {
        HttpResponse<String> response = send(host, HttpRequest.newBuilder(uri(host, "/v1/health")).GET());
        String address = null;
        try {
            address = JSON.readTree(response.body()).path("migrationAddress").asText(null);
        } catch (java.io.IOException e) {
            // not JSON: no address
        }
        if (response.statusCode() != 200 || address == null) {
            throw new PrecheckFailedException("the agent of " + host + " does not receive migrations (no migration "
                    + "section in its configuration): " + response.statusCode() + " " + response.body());
        }
        return HostPort.parseRemote("migrationAddress of " + host, address).socketAddress();
    }

    /**
     * A call to {@code host}'s agent on behalf of a plan step; the answer's body when its status is one of {@code ok}.
     *
     * @throws IllegalStateException naming the host and its answer otherwise
     */
    public String call(String host, String method, String path, int... ok) {
        HttpResponse<String> response;
        try {
            response = send(host, HttpRequest.newBuilder(uri(host, path))
                    .method(method, HttpRequest.BodyPublishers.noBody()));
        } catch (PrecheckFailedException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        if (java.util.Arrays.stream(ok).noneMatch(code -> code == response.statusCode())) {
            throw new IllegalStateException(method + " " + path + " at the agent of " + host + ": "
                    + response.statusCode() + " " + response.body());
        }
        return response.body();
    }

    /** Releases a claim at {@code host}; best effort (a claim also ends with its cutover there). */
    public void releaseMemory(String host, String id) {
        try {
            send(host, HttpRequest.newBuilder(uri(host, "/v1/claims/" + id)).DELETE());
        } catch (PrecheckFailedException ignored) {
            // the peer is gone; its claims went with it
        }
    }

    private URI uri(String host, String path) {
        URI base = peers.get(host);
        if (base == null) {
            throw new PrecheckFailedException("no agent is configured for host " + host + " (peers: "
                    + String.join(", ", peers.keySet()) + ")");
        }
        return base.resolve(path);
    }

    private HttpResponse<String> send(String host, HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(DEFAULT_TIMEOUT).header("Authorization", "Bearer " + token).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new PrecheckFailedException("the agent of " + host + " does not answer: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PrecheckFailedException("interrupted while calling the agent of " + host, e);
        }
    }
}
