package io.cutover.api;

import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What the network knows of a VM: its name, its MAC and its addresses. A cutover moves this endpoint from one
 * host to another.
 *
 * @param name      the VM's name, as the orchestrator and the hypervisor call it
 * @param mac       the VM's MAC, lower case, {@code aa:bb:cc:dd:ee:ff}
 * @param addresses the VM's IPv4 and IPv6 addresses, possibly none
 */
public record VmEndpoint(String name, String mac, List<InetAddress> addresses) {
    private static final Pattern MAC = Pattern.compile("[0-9a-f]{2}(:[0-9a-f]{2}){5}");

    public VmEndpoint {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a VM's name must not be blank");
        }
        Objects.requireNonNull(mac, "mac");
        mac = mac.toLowerCase(Locale.ROOT);
        if (!MAC.matcher(mac).matches()) {
            throw new IllegalArgumentException("bad MAC '" + mac + "': expected aa:bb:cc:dd:ee:ff");
        }
        addresses = List.copyOf(addresses);
    }
}
