package io.cutover.agent.rest;

import io.cutover.support.CertificateNames;

import java.security.cert.X509Certificate;
import java.util.List;

import io.cutover.agent.config.AccessConfig;
import io.cutover.support.BearerToken;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Who may call the agent, told apart by the bearer token they present: this host's orchestrator and hooks hold the
 * host's token and may do anything here; another host's agent holds the token it shares with this host and may only
 * make the calls agents make of each other, for itself. Each token is compared in constant time.
 */
final class Callers {
    /** A caller the agent knows. */
    record Caller(String peer) {
        /** This host's orchestrator or hooks. */
        static final Caller HOST = new Caller(null);

        boolean isHost() {
            return peer == null;
        }

        @Override
        public String toString() {
            return isHost() ? "this host" : "the agent of " + peer;
        }
    }

    private final BearerToken host;
    private final Map<String, BearerToken> peers = new LinkedHashMap<>();

    Callers(String hostToken, AccessConfig access) {
        this.host = new BearerToken(hostToken);
        access.peerTokens().forEach((peer, token) -> peers.put(peer, new BearerToken(token)));
    }

    /**
     * Why {@code caller} is refused for the TLS certificate its connection presented ({@code null}: none, or no TLS),
     * or empty. A peer's certificate must name the host whose token it carries (its CN or a DNS subject alternative
     * name): the CA vouches for the key, the name for whose it is, so one host's certificate cannot carry another's
     * token. A connection without a certificate (TLS that only requests one) rests on the token alone.
     */
    static Optional<String> certificateRefusal(Caller caller, X509Certificate certificate) {
        if (caller.isHost() || certificate == null) {
            return Optional.empty();
        }
        List<String> names = CertificateNames.of(certificate);
        return names.contains(caller.peer()) ? Optional.empty()
                : Optional.of(caller + "'s token came over a certificate naming " + names + ", not " + caller.peer());
    }

    /** The caller whose token {@code authorization} (a header or {@code null}) carries, if any. */
    Optional<Caller> identify(String authorization) {
        if (host.admits(authorization)) {
            return Optional.of(Caller.HOST);
        }
        for (Map.Entry<String, BearerToken> peer : peers.entrySet()) {
            if (peer.getValue().admits(authorization)) {
                return Optional.of(new Caller(peer.getKey()));
            }
        }
        return Optional.empty();
    }
}
