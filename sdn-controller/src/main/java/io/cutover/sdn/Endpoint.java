package io.cutover.sdn;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A VM (or host) interface the controller forwards to: its MAC, addresses, and where it is plugged in.
 *
 * @param id        a number unique among endpoints, 1..{@value Cookie#MAX_ENDPOINT} (part of its flows' cookie)
 * @param name      a unique name, such as {@code vm1}
 * @param network   the virtual network's id, 1..{@value Cookie#MAX_NETWORK}
 * @param mac       such as {@code 02:00:c6:12:00:64}
 * @param addresses IPv4 and IPv6 addresses (informational: forwarding is by MAC)
 * @param switchId  the datapath id of the switch it is plugged into (JSON {@code switch})
 * @param port      the name of its port on that switch, such as {@code vm1}
 */
public record Endpoint(int id, String name, int network, String mac, List<String> addresses,
                       @JsonProperty("switch") Dpid switchId, String port) {
    private static final Pattern MAC = Pattern.compile("([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}");

    public Endpoint {
        if (id < 1 || id > Cookie.MAX_ENDPOINT) {
            throw new IllegalArgumentException("endpoint id " + id + " is outside 1.." + Cookie.MAX_ENDPOINT);
        }
        if (network < 1 || network > Cookie.MAX_NETWORK) {
            throw new IllegalArgumentException("network " + network + " is outside 1.." + Cookie.MAX_NETWORK);
        }
        requireText("name", name);
        if (switchId == null) {
            throw new IllegalArgumentException("endpoint " + name + ": switch is missing (the datapath id of its "
                    + "switch, such as 0000a2b3c4d5e6f7)");
        }
        requireText("port", port);
        if (mac == null || !MAC.matcher(mac).matches()) {
            throw new IllegalArgumentException("endpoint " + name + ": mac '" + mac + "' is not a MAC address");
        }
        mac = mac.toLowerCase(java.util.Locale.ROOT);
        addresses = addresses == null ? List.of() : List.copyOf(addresses);
    }

    /** This endpoint plugged in elsewhere. */
    public Endpoint at(Dpid newSwitch, String newPort) {
        return new Endpoint(id, name, network, mac, addresses, newSwitch, newPort);
    }

    static void requireText(String what, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " is missing");
        }
        Objects.requireNonNull(value);
    }
}
