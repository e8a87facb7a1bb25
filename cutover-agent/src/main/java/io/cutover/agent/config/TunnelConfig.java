package io.cutover.agent.config;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.net.URI;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code tunnel} section of {@code host.yaml}: the brownout forwarders ({@code cutover tunnel serve}) of the
 * hosts, driven through their REST API. A move is registered with both daemons beforehand
 * ({@code cutover tunnel add --id VM ...}), under the VM's name; the plan checks both are ready at PLANNED,
 * then holds, flushes, drains and closes it.
 *
 * <pre>
 * tunnel:
 *   daemons: {hostA: http://127.0.0.1:7171, hostB: http://198.19.0.2:7171}
 * </pre>
 *
 * @param daemons each host's tunnel daemon API
 */
public record TunnelConfig(Map<String, URI> daemons) {

    /** The daemon of {@code host}. */
    public URI daemonOf(String host) {
        URI uri = daemons.get(host);
        if (uri == null) {
            throw new IllegalArgumentException("tunnel.daemons has no daemon for host " + host + " (known: "
                    + String.join(", ", daemons.keySet()) + ")");
        }
        return uri;
    }

    /** The section's fields, before validation. */
    static final class Raw {
        @JsonProperty("daemons")
        Map<String, String> daemons;

        TunnelConfig validate(Keys keys) {
            if (daemons == null || daemons.isEmpty()) {
                throw keys.bad("tunnel.daemons", "missing: expected each host's tunnel daemon API, such as "
                        + "{hostA: http://127.0.0.1:7171}");
            }
            Map<String, URI> uris = new TreeMap<>();
            daemons.forEach((host, url) -> uris.put(host, keys.httpUrl("tunnel.daemons." + host, url)));
            return new TunnelConfig(Map.copyOf(uris));
        }
    }
}
