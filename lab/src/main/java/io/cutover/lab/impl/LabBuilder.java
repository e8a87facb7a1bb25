package io.cutover.lab.impl;

import io.cutover.lab.LabException;
import io.cutover.lab.Port;
import io.cutover.lab.Route;
import io.cutover.lab.Topology;
import io.cutover.lab.Wire;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;

/**
 * Builds a lab from its {@link Topology}. Every object is journaled before it is made; if any step fails,
 * everything made so far is removed before the error is thrown.
 */
public final class LabBuilder {
    private final LabLayout layout;
    private final Topology topology;
    private final StateJournal journal;

    public LabBuilder(LabLayout layout, Topology topology) {
        this.layout = layout;
        this.topology = topology;
        this.journal = new StateJournal(layout.journal());
    }

    public void build() {
        Prerequisites.check();
        if (Files.exists(layout.dir())) {
            throw new LabException("lab " + layout.name() + " already exists (" + layout.dir()
                    + "); take it down first: cutover lab down --name " + layout.name());
        }
        try {
            Files.createDirectories(layout.ovsDir());
            Files.createDirectories(layout.dnsDir());
            LabInfo.write(layout, topology);
            createNamespaces();
            OvsFabric fabric = new OvsFabric(layout.ovsDir(), layout.namespace(Topology.FABRIC));
            fabric.start(journal);
            topology.bridges().forEach(bridge -> fabric.addBridge(bridge, topology.datapathId(bridge)));
            topology.patches().forEach(pair -> fabric.patch(pair.get(0), pair.get(1)));
            topology.ports().forEach(port -> plug(fabric, port));
            topology.wires().forEach(this::wire);
            topology.routers().forEach(router -> inNode(router, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1"));
            topology.routes().forEach(this::route);
            BindServer dns = new BindServer(layout.dnsDir(), layout.namespace("dns"), topology);
            dns.configure();
            dns.start(journal);
        } catch (IOException | RuntimeException e) {
            List<String> leftovers = LabTeardown.remove(layout);
            String message = e instanceof IOException ? "cannot write " + layout.dir() + ": " + e.getMessage()
                    : e.getMessage();
            LabException failure = e instanceof LabException lab && leftovers.isEmpty() ? lab
                    : new LabException(message + (leftovers.isEmpty() ? "" : " (and left behind: " + leftovers + ")"), e);
            throw failure;
        }
    }

    private void createNamespaces() {
        for (String node : topology.nodes()) {
            String namespace = layout.namespace(node);
            journal.recordNamespace(namespace);
            Shell.run("ip", "netns", "add", namespace).orThrow();
            Shell.run("ip", "-n", namespace, "link", "set", "lo", "up").orThrow();
        }
    }

    private void plug(OvsFabric fabric, Port port) {
        String node = layout.namespace(port.node());
        String switchNs = layout.namespace(Topology.FABRIC);
        Shell.run("ip", "link", "add", port.iface(), "netns", node, "type", "veth",
                "peer", "name", port.switchSide(), "netns", switchNs).orThrow();
        if (port.mac() != null) {
            Shell.run("ip", "-n", node, "link", "set", port.iface(), "address", port.mac()).orThrow();
        }
        address(node, port.iface(), port.ipv4(), port.ipv6());
        // The userspace datapath reads frames through AF_PACKET and does not finish checksums that the
        // sender left to offload: without this, ICMP crosses the bridges but TCP and UDP do not.
        Shell.runIn(node, "ethtool", "-K", port.iface(), "tx", "off").orThrow();
        Shell.run("ip", "-n", switchNs, "link", "set", port.switchSide(), "up").orThrow();
        fabric.addPort(port.bridge(), port.switchSide());
        Shell.run("ip", "-n", node, "link", "set", port.iface(), "up").orThrow();
    }

    private void wire(Wire wire) {
        String nodeA = layout.namespace(wire.nodeA());
        String nodeB = layout.namespace(wire.nodeB());
        Shell.run("ip", "link", "add", wire.ifaceA(), "netns", nodeA, "type", "veth",
                "peer", "name", wire.ifaceB(), "netns", nodeB).orThrow();
        address(nodeA, wire.ifaceA(), wire.ipv4A(), null);
        address(nodeB, wire.ifaceB(), wire.ipv4B(), null);
        Shell.run("ip", "-n", nodeA, "link", "set", wire.ifaceA(), "up").orThrow();
        Shell.run("ip", "-n", nodeB, "link", "set", wire.ifaceB(), "up").orThrow();
    }

    private static void address(String namespace, String iface, String ipv4, String ipv6) {
        Shell.run("ip", "-n", namespace, "addr", "add", ipv4, "dev", iface).orThrow();
        if (ipv6 != null) {
            Shell.run("ip", "-n", namespace, "-6", "addr", "add", ipv6, "dev", iface, "nodad").orThrow();
        }
    }

    private void route(Route route) {
        Shell.run("ip", "-n", layout.namespace(route.node()), "route", "add", route.destination(),
                "via", route.via()).orThrow();
    }

    private void inNode(String node, String... command) {
        Shell.runIn(layout.namespace(node), command).orThrow();
    }
}
