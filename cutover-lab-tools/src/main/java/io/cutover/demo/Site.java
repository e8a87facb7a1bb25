package io.cutover.demo;

import io.cutover.lab.Lab;
import io.cutover.lab.Topology;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * One end of a demo move: a hypervisor host, its bridge and underlay address, and the VM's address (with
 * prefix), default gateway and the gateway's MAC at that site. On the LAN both sites share the VM's subnet and
 * have no gateway.
 */
record Site(String host, String bridge, String underlay, String vmCidr, String gateway, String gatewayMac) {

    /** The site of {@code host} in {@code lab} for the lab's VM; {@code router} is its gateway, if the lab has it. */
    static Site of(Lab lab, String host, String bridge, String underlay, String router) {
        return of(lab, host, bridge, underlay, router, lab.port(Topology.VM).ipv4());
    }

    /**
     * The site of {@code host} for a VM whose address at site A (or on the LAN) is {@code vmCidr}: at another WAN site
     * it has the same host number in that site's subnet.
     */
    static Site of(Lab lab, String host, String bridge, String underlay, String router, String vmCidr) {
        if (lab.topology().port(router).isEmpty()) {
            return new Site(host, bridge, underlay, vmCidr, null, null);
        }
        String gateway = lab.port(router).ipv4Address();
        String hostNumber = vmCidr.substring(vmCidr.lastIndexOf('.') + 1);
        return new Site(host, bridge, underlay, gateway.substring(0, gateway.lastIndexOf('.') + 1) + hostNumber,
                gateway, lab.mac(router, lab.port(router).iface()));
    }

    /** The VM's address at this site, without its prefix. */
    InetAddress vmAddress() {
        try {
            return InetAddress.getByName(vmCidr.substring(0, vmCidr.indexOf('/')));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("not an address: " + vmCidr, e);
        }
    }
}
