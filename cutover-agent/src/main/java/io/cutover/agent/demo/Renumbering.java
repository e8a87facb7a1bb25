package io.cutover.agent.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.lab.Lab;
import io.cutover.lab.Topology;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The lab VM's new address after a WAN move: during the blackout it takes its address at the destination site
 * and that site's router as its default route, keeping the old address as a /32 for the connections that use it
 * (as a guest given a new address by DHCP keeps the old one until its leases end).
 */
final class Renumbering {
    /** How often the VM asks again for a neighbour's MAC around the move. */
    static final Duration ARP_RETRANS = Duration.ofMillis(5);
    /** How many times the VM asks before it gives up on a neighbour: with {@link #ARP_RETRANS}, seconds. */
    static final int ARP_PROBES = 300;

    private final Lab lab;
    private final String iface;

    /** @param iface the VM's interface that holds its addresses */
    Renumbering(Lab lab, String iface) {
        this.lab = lab;
        this.iface = iface;
    }

    /**
     * The renumbering of the VM from {@code from}'s site to {@code to}'s, to run in the blackout. The addresses it
     * has are read now, so that only one command runs then.
     */
    Runnable change(Site from, Site to) {
        List<String> before = ipv4Cidrs();
        List<String> after = List.of(to.vmCidr(), from.vmAddress().getHostAddress() + "/32");
        return () -> change(before, after, to);
    }

    private List<String> ipv4Cidrs() {
        String json = lab.exec(Topology.VM, "ip", "-j", "-4", "addr", "show", "dev", iface).orThrow().stdout();
        try {
            List<String> cidrs = new ArrayList<>();
            for (JsonNode link : new ObjectMapper().readTree(json)) {
                for (JsonNode address : link.path("addr_info")) {
                    cidrs.add(address.path("local").asText() + "/" + address.path("prefixlen").asInt());
                }
            }
            return cidrs;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the VM's addresses from 'ip -j addr'", e);
        }
    }

    /** One {@code ip -batch} (a single process, as it runs in the blackout): the new addresses first. */
    private void change(List<String> current, List<String> wanted, Site site) {
        StringBuilder batch = new StringBuilder();
        wanted.stream().filter(cidr -> !current.contains(cidr))
                .forEach(cidr -> batch.append("addr add ").append(cidr).append(" dev ").append(iface).append('\n'));
        current.stream().filter(cidr -> !wanted.contains(cidr))
                .forEach(cidr -> batch.append("addr del ").append(cidr).append(" dev ").append(iface).append('\n'));
        batch.append("route replace default via ").append(site.gateway()).append('\n');
        // A paused guest's kernel does not run, but the lab's VM is a namespace whose kernel does: left alone it
        // would ask for the new gateway on the old link during the blackout, give up, and hold its first packets
        // after the move for the next try. So it is told the gateway's MAC (as stale: it confirms it by itself
        // once moved), and keeps trying for longer than a blackout, every few milliseconds.
        batch.append("neigh replace ").append(site.gateway()).append(" lladdr ").append(site.gatewayMac())
                .append(" dev ").append(iface).append(" nud stale\n");
        batch.append("ntable change name arp_cache dev ").append(iface).append(" retrans ")
                .append(ARP_RETRANS.toMillis()).append(" ucast_probes ").append(ARP_PROBES)
                .append(" mcast_probes ").append(ARP_PROBES).append('\n');
        try {
            Path file = Files.writeString(lab.dir().resolve("vm-readdress.ip"), batch);
            lab.exec(Topology.VM, "ip", "-force", "-batch", file.toString()).orThrow();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the VM's address changes", e);
        }
    }
}
