package io.cutover.agent.config;

import com.fasterxml.jackson.annotation.JsonProperty;

import io.cutover.tunnel.DrainPolicy;

import java.net.URI;
import java.time.Duration;

/**
 * The {@code tunnel} section of {@code host.yaml}: this host's brownout forwarder ({@code cutover tunnel serve}),
 * driven through its REST API, which listens on loopback only. The other host's end is driven through that host's
 * agent, which relays to its own daemon. With {@code underlay} and {@code iface} on both hosts, the source's plan
 * registers each cutover's move with both daemons at PLANNED ({@code tunnel.register}: the cutover's id, a fresh VXLAN
 * identifier and key); without them a move is registered with both daemons beforehand ({@code cutover tunnel add
 * --id VM ...}), under the VM's name, and the plan checks both are ready ({@code tunnel.ready}). Either way it then
 * holds, flushes, drains and closes it.
 *
 * <pre>
 * tunnel:
 *   api: http://127.0.0.1:7946     # this host's daemon
 *   token-file: tunnel.token       # the daemon's bearer token (its tokenFile; or token: ...); none only for a
 *                                  #   daemon run with insecureNoToken: true
 *   underlay: 198.19.0.1:4789      # optional: where the daemon takes tunnelled traffic (its listen address)
 *   iface: eth0                    # optional: its interface on the VMs' side (catches at the source, injects at
 *                                  #   the destination)
 *   drain-idle: 30s                # optional: the moves the agent registers end once idle this long (and, on a
 *                                  #   WAN, once every resolver has expired the old address)
 *   drain-hard-max: 10m            # optional: ... and this long after activation in any case
 * </pre>
 *
 * @param api          this host's tunnel daemon API
 * @param token        its bearer token, or {@code null}
 * @param underlay     where the daemon listens on the underlay, {@code HOST:PORT}, or {@code null}
 * @param iface        the daemon's interface on the VMs' side, or {@code null}
 * @param drainIdle    the idle period of the moves the agent registers ({@link DrainPolicy#DEFAULT_IDLE} by default)
 * @param drainHardMax their hard maximum ({@link DrainPolicy#DEFAULT_HARD_MAX} by default)
 */
public record TunnelConfig(URI api, String token, String underlay, String iface, Duration drainIdle,
                           Duration drainHardMax) {

    /** A section with the default drain. */
    public TunnelConfig(URI api, String token, String underlay, String iface) {
        this(api, token, underlay, iface, DrainPolicy.DEFAULT_IDLE, DrainPolicy.DEFAULT_HARD_MAX);
    }

    /** Leaves the token out. */
    @Override
    public String toString() {
        return "TunnelConfig[api=" + api + ", token=" + (token == null ? "none" : "(set)") + ", underlay=" + underlay
                + ", iface=" + iface + ", drainIdle=" + drainIdle + ", drainHardMax=" + drainHardMax + "]";
    }

    /** Whether the agent registers each cutover's move itself. */
    public boolean registersMoves() {
        return underlay != null;
    }


    /** The section's fields, before validation. */
    static final class Raw {
        @JsonProperty("api")
        String api;
        @JsonProperty("token")
        String token;
        @JsonProperty("token-file")
        String tokenFile;
        @JsonProperty("underlay")
        String underlay;
        @JsonProperty("iface")
        String iface;
        @JsonProperty("drain-idle")
        String drainIdle;
        @JsonProperty("drain-hard-max")
        String drainHardMax;

        TunnelConfig validate(Keys keys) {
            if ((underlay == null) != (iface == null)) {
                throw keys.bad(underlay == null ? "tunnel.underlay" : "tunnel.iface",
                        "underlay and iface go together: the agent registers moves only when it knows both");
            }
            String at = underlay == null ? null : keys.remote("tunnel.underlay", underlay).getAddress()
                    .getHostAddress() + ":" + keys.remote("tunnel.underlay", underlay).getPort();
            if (iface != null && !iface.matches("[A-Za-z0-9._-]{1,15}")) {
                throw keys.bad("tunnel.iface", "expected an interface name, got '" + iface + "'");
            }
            return new TunnelConfig(keys.httpUrl("tunnel.api", api), keys.secret("tunnel.", token, tokenFile), at, iface,
                    keys.duration("tunnel.drain-idle", drainIdle, DrainPolicy.DEFAULT_IDLE),
                    keys.duration("tunnel.drain-hard-max", drainHardMax, DrainPolicy.DEFAULT_HARD_MAX));
        }
    }
}
