package io.cutover.agent.config;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.net.URI;

/**
 * The {@code tunnel} section of {@code host.yaml}: this host's brownout forwarder ({@code cutover tunnel serve}),
 * driven through its REST API, which listens on loopback only. The other host's end is driven through that host's
 * agent, which relays to its own daemon. A move is registered with both daemons beforehand
 * ({@code cutover tunnel add --id VM ...}), under the VM's name; the plan checks both are ready at PLANNED, then
 * holds, flushes, drains and closes it.
 *
 * <pre>
 * tunnel:
 *   api: http://127.0.0.1:7946     # this host's daemon
 * </pre>
 *
 * @param api this host's tunnel daemon API
 */
public record TunnelConfig(URI api) {

    /** The section's fields, before validation. */
    static final class Raw {
        @JsonProperty("api")
        String api;

        TunnelConfig validate(Keys keys) {
            return new TunnelConfig(keys.httpUrl("tunnel.api", api));
        }
    }
}
