package io.cutover.agent.config;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code sdn} section of {@code host.yaml}: the controller whose REST API moves the VM's flows.
 *
 * <pre>
 * sdn:
 *   url: http://127.0.0.1:8181/v1   # the controller's REST API
 *   token-file: sdn.token           # optional bearer token (or token: ...)
 *   bridges: {hostA: br-a, hostB: br-b}      # each host's switch, as the controller names it
 *   forwarder-ports: {hostA: fwd0}  # optional: the source's tunnel forwarder port (SWITCHOVER redirect)
 *   timeout: 10s                    # one call to the controller
 *   rollback-patience: 60s          # how long a rollback keeps trying while the controller is down
 * </pre>
 *
 * @param url              the controller's REST API root
 * @param token            bearer token, or {@code null}
 * @param bridges          host name to switch name
 * @param forwarderPorts   host name to the port of its forwarder on its switch (hosts without one skip the redirect)
 * @param timeout          one call's limit
 * @param rollbackPatience how long a rollback retries a controller that does not answer
 */
public record SdnConfig(URI url, String token, Map<String, String> bridges, Map<String, String> forwarderPorts,
                        Duration timeout, Duration rollbackPatience) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_ROLLBACK_PATIENCE = Duration.ofSeconds(60);

    /** The switch of {@code host}. */
    public String bridgeOf(String host) {
        String bridge = bridges.get(host);
        if (bridge == null) {
            throw new IllegalArgumentException("sdn.bridges has no switch for host " + host + " (known: "
                    + String.join(", ", bridges.keySet()) + ")");
        }
        return bridge;
    }

    /** The section's fields, before validation. */
    static final class Raw {
        @JsonProperty("url")
        String url;
        @JsonProperty("token")
        String token;
        @JsonProperty("token-file")
        String tokenFile;
        @JsonProperty("bridges")
        Map<String, String> bridges;
        @JsonProperty("forwarder-ports")
        Map<String, String> forwarderPorts;
        @JsonProperty("timeout")
        String timeout;
        @JsonProperty("rollback-patience")
        String rollbackPatience;

        SdnConfig validate(Keys keys) {
            URI uri = keys.httpUrl("sdn.url", url);
            if (bridges == null || bridges.isEmpty()) {
                throw keys.bad("sdn.bridges", "missing: expected each host's switch, such as {hostA: br-a, hostB: br-b}");
            }
            bridges.forEach((host, bridge) -> keys.required("sdn.bridges." + host, bridge, "a switch name"));
            Map<String, String> ports = forwarderPorts == null ? Map.of() : new TreeMap<>(forwarderPorts);
            ports.forEach((host, port) -> keys.required("sdn.forwarder-ports." + host, port, "a port name"));
            return new SdnConfig(uri, keys.secret("sdn.", token, tokenFile), Map.copyOf(bridges), Map.copyOf(ports),
                    keys.duration("sdn.timeout", timeout, DEFAULT_TIMEOUT),
                    keys.duration("sdn.rollback-patience", rollbackPatience, DEFAULT_ROLLBACK_PATIENCE));
        }
    }
}
