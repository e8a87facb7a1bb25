package io.cutover.agent.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.cutover.support.BearerToken;
import io.cutover.support.TlsFiles;

import java.util.Map;

/**
 * Who may call the agent besides its own host, and over what: the token each other host's agent shares with this
 * one, TLS, and whether the health report is open. In {@code host.yaml}:
 *
 * <pre>
 * peers:
 *   hostB:                                 # the other host's agent
 *     url: https://198.19.0.2:7070
 *     token-file: peers/hostB.token         # the secret hostA and hostB share: each presents it to the other, and
 *                                           #   it admits only the calls agents make of each other
 *   hostC: http://198.19.0.3:7070           # (older form) hostC shares this host's own token: a warning at start
 * tls:                                      # optional: the API speaks HTTPS
 *   cert: tls/agent.pem                     # this agent's certificate chain (PEM), with an IP SAN per address peers call
 *   key: tls/agent.key                      # its private key (PEM, PKCS#8)
 *   ca: tls/ca.pem                          # the CA of the other agents' certificates (their servers', and their
 *                                           #   clients' when asked)
 *   client-certificates: required           # optional: requested (default with ca) or required
 * open-health: true                         # default true: GET /v1/health needs no token (every other call does)
 * </pre>
 *
 * @param peerTokens the token each peer shares with this host, by host name; a peer absent here shares the host's
 *                   own token
 * @param tls        the API's TLS files, also used to call the peers; or {@code null} for plain HTTP
 * @param openHealth whether {@code GET /v1/health} answers without a token
 */
public record AccessConfig(Map<String, String> peerTokens, TlsFiles tls, boolean openHealth) {
    /** No peer tokens of their own, no TLS, the health report open. */
    public static final AccessConfig SHARED_TOKEN = new AccessConfig(Map.of(), null, true);

    public AccessConfig {
        peerTokens = Map.copyOf(peerTokens);
    }

    /** The token this host presents to {@code peer} (and accepts from it): its own, or the host's token. */
    public String tokenFor(String peer, String hostToken) {
        return peerTokens.getOrDefault(peer, hostToken);
    }

    /** The {@code tls} section, before validation. */
    static final class RawTls {
        @JsonProperty("cert")
        String cert;
        @JsonProperty("key")
        String key;
        @JsonProperty("ca")
        String ca;
        @JsonProperty("client-certificates")
        String clientCertificates;

        /** The files of a client: the CA it trusts, and a certificate and key if it presents one. */
        TlsFiles validateClient(Keys keys, String prefix) {
            if (clientCertificates != null) {
                throw keys.bad(prefix + ".client-certificates", "a server's key: not for a client");
            }
            if ((cert == null) != (key == null)) {
                throw keys.bad(prefix + (cert == null ? ".cert" : ".key"), "cert and key go together");
            }
            return checked(keys, prefix, new TlsFiles(cert == null ? null : keys.readableFile(prefix + ".cert", cert),
                    key == null ? null : keys.readableFile(prefix + ".key", key),
                    keys.readableFile(prefix + ".ca", ca), false));
        }

        private static TlsFiles checked(Keys keys, String prefix, TlsFiles files) {
            try {
                return files.checked();
            } catch (IllegalArgumentException e) {
                throw keys.bad(prefix, e.getMessage());
            }
        }

        TlsFiles validate(Keys keys) {
            boolean required = switch (clientCertificates == null ? "requested" : clientCertificates.strip()) {
                case "requested" -> false;
                case "required" -> true;
                default -> throw keys.bad("tls.client-certificates", "expected requested or required, got "
                        + Keys.quoted(clientCertificates));
            };
            if (required && ca == null) {
                throw keys.bad("tls.ca", "client-certificates: required needs the CA that signs them");
            }
            return checked(keys, "tls", new TlsFiles(keys.readableFile("tls.cert", cert),
                    keys.readableFile("tls.key", key), ca == null ? null : keys.readableFile("tls.ca", ca), required));
        }
    }

    /** One peer's token, checked like the host's. */
    static String peerToken(Keys keys, String peer, String token, String tokenFile) {
        String secret = keys.secret("peers." + peer + ".", token, tokenFile);
        if (secret == null || secret.length() < BearerToken.MIN_LENGTH) {
            throw keys.bad("peers." + peer + ".token", "expected a token of at least " + BearerToken.MIN_LENGTH
                    + " characters shared with " + peer);
        }
        return secret;
    }
}
