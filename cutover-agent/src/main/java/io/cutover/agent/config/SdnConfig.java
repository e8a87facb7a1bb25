package io.cutover.agent.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.cutover.sdn.Dpid;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code sdn} section of {@code host.yaml}: the controller whose REST API moves the VM's flows.
 *
 * <pre>
 * sdn:
 *   url: http://127.0.0.1:8181/v1   # the controller's REST API; for a controller cluster, every member's instead:
 *                                   #   urls: [http://c1:8181/v1, http://c2:8181/v1, http://c3:8181/v1]
 *                                   #   (each call goes to the master; a slave or a dead member is passed over)
 *   token-file: sdn.token           # optional bearer token (or token: ...)
 *   switches:                       # each host's switch by datapath id (16 hex digits, as
 *     hostA: 00000000000000a0       #   'ovs-vsctl get Bridge br-int datapath_id' prints it;
 *     hostB: 00000000000000b0       #   0x... and 00:00:... are read too)
 *   forwarder-ports: {hostA: fwd0}  # optional: the source's tunnel forwarder port (SWITCHOVER redirect)
 *   timeout: 10s                    # one call to the controller
 *   rollback-patience: 60s          # how long a rollback keeps trying while the controller is down
 *   verify-timeout: 2s              # how long the controller asks the moved VM at its new port (an ARP or neighbour
 *                                   #   probe every 200 ms) before the cutover ends UNVERIFIED; below timeout
 *   tls: {ca: tls/sdn-ca.pem}       # optional, for an https url: the controller's CA (and cert, key when it
 *                                   #   requires a client certificate)
 * </pre>
 *
 * @param urls             the controller's REST API root, or those of a cluster's members (at least one)
 * @param token            bearer token, or {@code null}
 * @param switches         host name to its switch's datapath id (a bridge name is no key: every host may call its
 *                         bridge {@code br-int})
 * @param forwarderPorts   host name to the port of its forwarder on its switch (hosts without one skip the redirect)
 * @param timeout          one call's limit
 * @param rollbackPatience how long a rollback retries a controller that does not answer
 * @param verifyTimeout    how long {@code sdn.verify} waits for the moved VM to answer at its new port
 * @param tls              the files an https controller is called with, or {@code null} (the JDK's CAs)
 */
public record SdnConfig(List<URI> urls, String token, Map<String, Dpid> switches, Map<String, String> forwarderPorts,
                        Duration timeout, Duration rollbackPatience, Duration verifyTimeout,
                        io.cutover.support.TlsFiles tls) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_VERIFY_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_ROLLBACK_PATIENCE = Duration.ofSeconds(60);

    /** The datapath id of {@code host}'s switch. */
    public Dpid switchOf(String host) {
        Dpid dpid = switches.get(host);
        if (dpid == null) {
            throw new IllegalArgumentException("sdn.switches has no switch for host " + host + " (known: "
                    + String.join(", ", switches.keySet()) + ")");
        }
        return dpid;
    }

    /** The section's fields, before validation. */
    static final class Raw {
        @JsonProperty("url")
        String url;
        @JsonProperty("urls")
        List<String> urls;
        @JsonProperty("token")
        String token;
        @JsonProperty("token-file")
        String tokenFile;
        @JsonProperty("switches")
        Map<String, String> switches;
        /** The key before switches were named by datapath id: refused with a hint. */
        @JsonProperty("bridges")
        Map<String, String> bridges;
        @JsonProperty("forwarder-ports")
        Map<String, String> forwarderPorts;
        @JsonProperty("timeout")
        String timeout;
        @JsonProperty("rollback-patience")
        String rollbackPatience;
        @JsonProperty("verify-timeout")
        String verifyTimeout;
        @JsonProperty("tls")
        AccessConfig.RawTls tls;

        SdnConfig validate(Keys keys) {
            List<URI> members = members(keys);
            if (bridges != null) {
                throw keys.bad("sdn.bridges", "replaced by sdn.switches, which names each host's switch by its datapath "
                        + "id, such as {hostA: 00000000000000a0} ('ovs-vsctl get Bridge br-int datapath_id' prints it)");
            }
            if (switches == null || switches.isEmpty()) {
                throw keys.bad("sdn.switches", "missing: expected each host's switch by datapath id, such as "
                        + "{hostA: 00000000000000a0, hostB: 00000000000000b0}");
            }
            Map<String, Dpid> dpids = new TreeMap<>();
            switches.forEach((host, dpid) -> {
                keys.required("sdn.switches." + host, dpid, "a datapath id");
                try {
                    dpids.put(host, Dpid.parse(dpid));
                } catch (IllegalArgumentException e) {
                    throw keys.bad("sdn.switches." + host, e.getMessage());
                }
            });
            Map<String, String> ports = forwarderPorts == null ? Map.of() : new TreeMap<>(forwarderPorts);
            ports.forEach((host, port) -> keys.required("sdn.forwarder-ports." + host, port, "a port name"));
            Duration callLimit = keys.duration("sdn.timeout", timeout, DEFAULT_TIMEOUT);
            Duration verifyLimit = keys.duration("sdn.verify-timeout", verifyTimeout,
                    DEFAULT_VERIFY_TIMEOUT.compareTo(callLimit) < 0 ? DEFAULT_VERIFY_TIMEOUT : callLimit.dividedBy(2));
            if (verifyLimit.compareTo(callLimit) >= 0) {
                throw keys.bad("sdn.verify-timeout", "must be shorter than sdn.timeout (" + callLimit.toMillis()
                        + " ms): the probe is one call to the controller");
            }
            return new SdnConfig(members, keys.secret("sdn.", token, tokenFile), Map.copyOf(dpids), Map.copyOf(ports),
                    callLimit, keys.duration("sdn.rollback-patience", rollbackPatience, DEFAULT_ROLLBACK_PATIENCE),
                    verifyLimit, tls == null ? null : tls.validateClient(keys, "sdn.tls"));
        }

        /** {@code url}, or every member's of {@code urls}: one of the two. */
        private List<URI> members(Keys keys) {
            if (url != null && urls != null) {
                throw keys.bad("sdn.urls", "give url (one controller) or urls (a cluster's members), not both");
            }
            if (urls == null) {
                return List.of(keys.httpUrl("sdn.url", url));
            }
            if (urls.isEmpty()) {
                throw keys.bad("sdn.urls", "empty: expected every member's REST API, such as [http://c1:8181/v1, "
                        + "http://c2:8181/v1]");
            }
            List<URI> members = new java.util.ArrayList<>();
            for (int i = 0; i < urls.size(); i++) {
                members.add(keys.httpUrl("sdn.urls[" + i + "]", urls.get(i)));
            }
            return List.copyOf(members);
        }
    }
}
