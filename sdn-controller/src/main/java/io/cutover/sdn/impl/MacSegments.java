package io.cutover.sdn.impl;

import io.cutover.sdn.Dpid;
import io.cutover.sdn.Endpoint;
import io.cutover.sdn.Link;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * A MAC address is unique within a layer-2 segment (switches joined by links), not across segments that only routers
 * join: each site of a WAN may have a gateway with the same anycast gateway MAC, as the gateways of an EVPN fabric do.
 * Forwarding is by MAC, so two endpoints of one MAC in one segment would take each other's traffic.
 */
final class MacSegments {
    private final LinkRoutes routes;

    MacSegments(List<Link> links) {
        this.routes = new LinkRoutes(FlowPlanner.adjacency(links));
    }

    /** The first of {@code others} (not {@code endpoint} itself) that has its MAC on a switch joined to its own. */
    Optional<Endpoint> clash(Endpoint endpoint, Dpid at, Collection<Endpoint> others) {
        return others.stream()
                .filter(other -> !other.name().equals(endpoint.name()) && other.mac().equals(endpoint.mac())
                        && other.network() == endpoint.network())
                .filter(other -> routes.reachable(other.switchId(), at))
                .findFirst();
    }

    /** Refuses {@code endpoint} at switch {@code at} where it would clash with one of {@code others}. */
    void require(Endpoint endpoint, Dpid at, Collection<Endpoint> others) {
        clash(endpoint, at, others).ifPresent(other -> {
            throw new IllegalArgumentException("endpoint " + endpoint.name() + " has the MAC of " + other.name()
                    + ", on a switch joined to its own by links");
        });
    }
}
