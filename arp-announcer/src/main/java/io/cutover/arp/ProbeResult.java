package io.cutover.arp;

import java.net.Inet4Address;
import java.util.Objects;
import java.util.Optional;

/**
 * The answer to an RFC 5227 ARP probe.
 *
 * @param address the probed address
 * @param owner   the MAC of another host that claimed the address, if any
 */
public record ProbeResult(Inet4Address address, Optional<MacAddress> owner) {

    public ProbeResult {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(owner, "owner");
    }

    /** Whether another MAC owns the address. */
    public boolean conflict() {
        return owner.isPresent();
    }
}
