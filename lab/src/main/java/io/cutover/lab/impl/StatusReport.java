package io.cutover.lab.impl;

import io.cutover.lab.Topology;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/** What {@code cutover lab status} prints: namespaces, bridges and ports, daemons and pids, addresses. */
public final class StatusReport {
    private StatusReport() {
    }

    public static String describe(LabLayout layout) {
        StringBuilder out = new StringBuilder();
        Topology topology = LabInfo.read(layout).topology();
        out.append("lab ").append(layout.name()).append(" (").append(topology.name().toLowerCase())
                .append(") in ").append(layout.dir()).append('\n');
        out.append("namespaces:\n");
        for (String node : topology.nodes()) {
            String namespace = layout.namespace(node);
            boolean present = Files.exists(Path.of("/run/netns", namespace));
            out.append(String.format("  %-8s %-26s %s%n", node, namespace, present ? "up" : "MISSING"));
        }
        out.append("daemons:\n");
        OvsInstance fabric = new OvsInstance(layout.ovsDir(), layout.namespace(Topology.FABRIC));
        BindServer dns = new BindServer(layout.dnsDir(), layout.namespace("dns"), topology);
        daemon(out, "ovsdb-server", fabric.ovsdbPidFile());
        daemon(out, "ovs-vswitchd", fabric.vswitchdPidFile());
        daemon(out, "named", dns.pidFile());
        for (String host : Topology.HYPERVISORS) {
            OvsInstance hostOvs = hostOvs(layout, host);
            daemon(out, "ovsdb-server", host, hostOvs.ovsdbPidFile());
            daemon(out, "ovs-vswitchd", host, hostOvs.vswitchdPidFile());
        }
        out.append("bridges:\n");
        for (String bridge : topology.bridges()) {
            bridge(out, bridge, topology.datapathId(bridge), fabric);
        }
        for (String host : Topology.HYPERVISORS) {
            bridge(out, host + "/" + Topology.HOST_BRIDGE, topology.hostSwitchId(host), hostOvs(layout, host));
        }
        out.append("addresses:\n");
        for (String node : topology.nodes()) {
            var addresses = Shell.run("ip", "-br", "-n", layout.namespace(node), "addr", "show");
            if (!addresses.ok()) {
                continue;
            }
            for (String line : addresses.stdout().strip().split("\n")) {
                if (!line.startsWith("lo ") && !line.isBlank()) {
                    out.append(String.format("  %-8s %s%n", node, line.replaceAll("\\s+", " ")));
                }
            }
        }
        out.append("dns: ").append(dns.address()).append(" zone ").append(Topology.ZONE)
                .append(" key ").append(dns.keyFile()).append('\n');
        return out.toString();
    }

    private static OvsInstance hostOvs(LabLayout layout, String host) {
        return new OvsInstance(layout.hostOvsDir(host), layout.namespace(host));
    }

    private static void bridge(StringBuilder out, String label, String datapathId, OvsInstance ovs) {
        String bridge = label.substring(label.indexOf('/') + 1);
        var ports = ovs.vsctl("list-ports", bridge);
        out.append(String.format("  %-7s %s  %s%n", label, datapathId,
                ports.ok() ? String.join(" ", ports.stdout().strip().split("\n")) : "(unavailable)"));
    }

    private static void daemon(StringBuilder out, String name, Path pidFile) {
        daemon(out, name, null, pidFile);
    }

    private static void daemon(StringBuilder out, String name, String host, Path pidFile) {
        OptionalLong pid = Daemons.alivePid(pidFile);
        String state = pid.isPresent() ? "pid " + pid.getAsLong() : "NOT RUNNING";
        out.append(String.format("  %-13s %s%s%n", name, state, host == null ? "" : "  (" + host + ")"));
    }
}
