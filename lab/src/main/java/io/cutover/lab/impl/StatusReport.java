package io.cutover.lab.impl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.cutover.lab.Topology;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * What {@code cutover lab status} shows of one lab: namespaces, daemons and pids, bridges and ports, addresses, the
 * DNS server. Read once ({@link #of}), then printed for people ({@link #text}) or for scripts ({@link #json}).
 *
 * @param name       the lab's name
 * @param topology   {@code lan} or {@code wan}
 * @param dir        where the lab keeps its files
 * @param namespaces each node's namespace and whether it exists
 * @param daemons    each daemon and its pid ({@code null}: not running)
 * @param bridges    each bridge, its datapath id and its ports ({@code null}: its switch does not answer)
 * @param addresses  each node's interfaces with their state and addresses
 * @param dns        the lab's DNS server
 */
public record StatusReport(String name, String topology, String dir, List<Namespace> namespaces, List<Daemon> daemons,
                           List<Bridge> bridges, List<Interface> addresses, Dns dns) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** @param up whether the namespace exists */
    public record Namespace(String node, String namespace, boolean up) {
    }

    /** @param host the hypervisor whose daemon it is, or {@code null} for the fabric's; @param pid null when down */
    public record Daemon(String name, String host, Long pid) {
    }

    /** @param ports null when its switch does not answer */
    public record Bridge(String name, String datapathId, List<String> ports) {
    }

    /** One line of {@code ip -br addr}: an interface of a node, its state and its addresses. */
    public record Interface(String node, String name, String state, List<String> addresses) {
    }

    public record Dns(String address, String zone, String keyFile) {
    }

    /** Reads the lab's state now. */
    public static StatusReport of(LabLayout layout) {
        Topology topology = LabInfo.read(layout).topology();
        List<Namespace> namespaces = new ArrayList<>();
        for (String node : topology.nodes()) {
            String namespace = layout.namespace(node);
            namespaces.add(new Namespace(node, namespace, Files.exists(Path.of("/run/netns", namespace))));
        }
        OvsInstance fabric = new OvsInstance(layout.ovsDir(), layout.namespace(Topology.FABRIC));
        BindServer dns = new BindServer(layout.dnsDir(), layout.namespace("dns"), topology);
        List<Daemon> daemons = new ArrayList<>(List.of(daemon("ovsdb-server", null, fabric.ovsdbPidFile()),
                daemon("ovs-vswitchd", null, fabric.vswitchdPidFile()), daemon("named", null, dns.pidFile())));
        List<Bridge> bridges = new ArrayList<>();
        for (String bridge : topology.bridges()) {
            bridges.add(bridge(bridge, bridge, topology.datapathId(bridge), fabric));
        }
        for (String host : Topology.HYPERVISORS) {
            OvsInstance hostOvs = new OvsInstance(layout.hostOvsDir(host), layout.namespace(host));
            daemons.add(daemon("ovsdb-server", host, hostOvs.ovsdbPidFile()));
            daemons.add(daemon("ovs-vswitchd", host, hostOvs.vswitchdPidFile()));
            bridges.add(bridge(host + "/" + Topology.HOST_BRIDGE, Topology.HOST_BRIDGE, topology.hostSwitchId(host),
                    hostOvs));
            bridges.add(bridge(host + "/" + Topology.OVERLAY_BRIDGE, Topology.OVERLAY_BRIDGE,
                    Topology.overlayBridgeId(host), hostOvs));
        }
        List<String> nodes = new ArrayList<>(topology.nodes());
        if (Files.isDirectory(layout.storeDir())) {
            for (String member : Topology.STORE_MEMBERS) {
                String namespace = layout.namespace(member);
                namespaces.add(new Namespace(member, namespace, Files.exists(Path.of("/run/netns", namespace))));
                daemons.add(daemon("zookeeper", member,
                        new ZooKeeperMember(layout.storeDir().resolve(member), member, namespace).pidFile()));
                nodes.add(member);
            }
        }
        List<Interface> addresses = new ArrayList<>();
        for (String node : nodes) {
            var shown = Shell.run("ip", "-br", "-n", layout.namespace(node), "addr", "show");
            if (shown.ok()) {
                for (String line : shown.stdout().strip().split("\n")) {
                    String[] words = line.strip().split("\\s+");
                    if (words.length >= 2 && !words[0].equals("lo")) {
                        addresses.add(new Interface(node, words[0], words[1],
                                List.of(Arrays.copyOfRange(words, 2, words.length))));
                    }
                }
            }
        }
        return new StatusReport(layout.name(), topology.name().toLowerCase(Locale.ROOT), layout.dir().toString(),
                namespaces, daemons, bridges, addresses,
                new Dns(dns.address(), Topology.ZONE, dns.keyFile().toString()));
    }

    /** For people: one section a kind, each a table with a header row, one line an item. */
    public String text() {
        StringBuilder out = new StringBuilder();
        out.append("lab ").append(name).append(" (").append(topology).append(") in ").append(dir).append('\n');
        out.append("namespaces:\n");
        table(out, List.of("NODE", "NAMESPACE", "STATE"), namespaces.stream()
                .map(n -> List.of(n.node(), n.namespace(), n.up() ? "up" : "MISSING")).toList());
        out.append("daemons:\n");
        table(out, List.of("DAEMON", "HOST", "PID"), daemons.stream().map(d -> List.of(d.name(),
                d.host() == null ? "fabric" : d.host(), d.pid() == null ? "NOT RUNNING" : d.pid().toString())).toList());
        out.append("bridges:\n");
        table(out, List.of("BRIDGE", "DATAPATH ID", "PORTS"), bridges.stream().map(b -> List.of(b.name(),
                b.datapathId(), b.ports() == null ? "(unavailable)" : String.join(" ", b.ports()))).toList());
        out.append("addresses:\n");
        table(out, List.of("NODE", "INTERFACE", "STATE", "ADDRESSES"), addresses.stream()
                .map(a -> List.of(a.node(), a.name(), a.state(), String.join(" ", a.addresses()))).toList());
        out.append("dns: ").append(dns.address()).append(" zone ").append(dns.zone()).append(" key ")
                .append(dns.keyFile()).append('\n');
        return out.toString();
    }

    /** {@code rows} under {@code header}, indented by two, each column as wide as its widest cell. */
    private static void table(StringBuilder out, List<String> header, List<List<String>> rows) {
        int[] widths = new int[header.size()];
        for (List<String> row : concat(header, rows)) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        for (List<String> row : concat(header, rows)) {
            StringBuilder line = new StringBuilder("  ");
            for (int i = 0; i < row.size(); i++) {
                line.append(i == row.size() - 1 ? row.get(i) : String.format("%-" + widths[i] + "s  ", row.get(i)));
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
    }

    private static List<List<String>> concat(List<String> header, List<List<String>> rows) {
        List<List<String>> all = new ArrayList<>(rows.size() + 1);
        all.add(header);
        all.addAll(rows);
        return all;
    }

    /** For scripts: the record as one JSON object. */
    public String json() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the lab's status as JSON: " + e.getMessage(), e);
        }
    }

    private static Bridge bridge(String label, String bridge, String datapathId, OvsInstance ovs) {
        var ports = ovs.vsctl("list-ports", bridge);
        if (!ports.ok()) {
            return new Bridge(label, datapathId, null);
        }
        String listed = ports.stdout().strip();
        return new Bridge(label, datapathId, listed.isEmpty() ? List.of() : List.of(listed.split("\n")));
    }

    private static Daemon daemon(String name, String host, Path pidFile) {
        OptionalLong pid = Daemons.alivePid(pidFile);
        return new Daemon(name, host, pid.isPresent() ? pid.getAsLong() : null);
    }
}
