package io.cutover.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.lab.Lab;
import io.cutover.lab.Topology;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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
     * The renumbering of the VM from {@code from}'s site to {@code to}'s, to run in the blackout. What it changes
     * is worked out now, and the {@code ip} process that will do it is started now and waits for its commands on
     * its input, so that the blackout pays for no process start. Close it if it is not run.
     */
    Change change(Site from, Site to) {
        List<String> before = ipv4Cidrs();
        List<String> after = List.of(to.vmCidr(), from.vmAddress().getHostAddress() + "/32");
        return new Change(commands(before, after, to));
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

    /** The {@code ip -batch} commands: the new addresses first. */
    private String commands(List<String> current, List<String> wanted, Site site) {
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
        return batch.toString();
    }

    /** A renumbering ready to run: an {@code ip -batch -} in the VM's namespace, waiting for its commands. */
    final class Change implements Runnable, AutoCloseable {
        private final String commands;
        private final Process ip;

        private Change(String commands) {
            this.commands = commands;
            try {
                this.ip = new ProcessBuilder("ip", "-n", lab.namespace(Topology.VM), "-force", "-batch", "-")
                        .redirectErrorStream(true).start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start ip for the VM's new addresses", e);
            }
        }

        /** Gives {@code ip} its commands and waits until it has run them. */
        @Override
        public void run() {
            try (var input = ip.getOutputStream()) {
                input.write(commands.getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot give ip the VM's new addresses", e);
            }
            try {
                String output = new String(ip.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (ip.waitFor() != 0) {
                    throw new IllegalStateException("ip -batch failed renumbering the VM: " + output.strip()
                            + "\n" + commands);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read what ip said", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted renumbering the VM", e);
            }
        }

        @Override
        public void close() {
            ip.destroy();
        }
    }
}
