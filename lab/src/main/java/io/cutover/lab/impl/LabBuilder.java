package io.cutover.lab.impl;

import io.cutover.lab.HostSwitch;
import io.cutover.lab.LabException;
import io.cutover.lab.Port;
import io.cutover.lab.Route;
import io.cutover.lab.Topology;
import io.cutover.lab.Wire;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

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
        // a SIGTERM while the lab is being made would leave what was made so far: nothing more is made, what was is
        // removed (the build's own failure path does it, or the hook once the build has not ended within 10 s)
        CountDownLatch ended = new CountDownLatch(1);
        Thread onExit = new Thread(() -> {
            journal.close();
            try {
                ended.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            LabTeardown.remove(layout);
        }, "lab-up-stopped-" + layout.name());
        Runtime.getRuntime().addShutdownHook(onExit);
        try {
            make();
        } finally {
            ended.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(onExit);
            } catch (IllegalStateException exiting) {
                // the JVM is exiting: the hook removes the lab
            }
        }
    }

    private void make() {
        try {
            Files.createDirectories(layout.ovsDir());
            Files.createDirectories(layout.dnsDir());
            LabInfo.write(layout, topology);
            createNamespaces();
            OvsInstance fabric = new OvsInstance(layout.ovsDir(), layout.namespace(Topology.FABRIC));
            fabric.start(journal);
            topology.bridges().forEach(bridge -> fabric.addBridge(bridge, topology.datapathId(bridge)));
            topology.patches().forEach(pair -> fabric.patch(pair.get(0), pair.get(1)));
            topology.ports().forEach(port -> plug(fabric, port));
            topology.wires().forEach(this::wire);
            topology.routers().forEach(router -> inNode(router, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1"));
            topology.routes().forEach(this::route);
            inNode(Topology.FABRIC, "ip", "addr", "add", Topology.CONTROLLER_ADDRESS + "/32", "dev", "lo");
            java.util.Map<String, OvsInstance> hostSwitches = new java.util.HashMap<>();
            for (String host : Topology.HYPERVISORS) {
                hostSwitches.put(host, startHostSwitch(host));
            }
            LabOverlay.build(layout, hostSwitches);
            hostSwitches.forEach((host, ovs) -> uplink(fabric, ovs, host));
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

    private void plug(OvsInstance fabric, Port port) {
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

    /**
     * Starts {@code host}'s own Open vSwitch in its namespace with the bridge {@value Topology#HOST_BRIDGE}, a learning
     * switch until a controller takes it, and gives it the host's forwarder port ({@link HostSwitch#FORWARDER}).
     */
    private OvsInstance startHostSwitch(String host) throws IOException {
        Files.createDirectories(layout.hostOvsDir(host));
        OvsInstance ovs = new OvsInstance(layout.hostOvsDir(host), layout.namespace(host));
        ovs.start(journal);
        ovs.addBridge(Topology.HOST_BRIDGE, topology.hostSwitchId(host));
        String hostNs = layout.namespace(host);
        ovs.vsctl("add-port", Topology.HOST_BRIDGE, HostSwitch.FORWARDER, "--", "set", "interface",
                HostSwitch.FORWARDER, "type=internal").orThrow();
        Shell.runIn(hostNs, "ethtool", "-K", HostSwitch.FORWARDER, "tx", "off").orThrow();
        Shell.run("ip", "-n", hostNs, "link", "set", HostSwitch.FORWARDER, "up").orThrow();
        return ovs;
    }

    /**
     * Cables {@code host}'s {@value Topology#HOST_BRIDGE} to the host's site bridge in the fabric: after the overlay's
     * tunnel ports are {@code no-flood}, or the learning switches would flood around the loop the two close.
     */
    private void uplink(OvsInstance fabric, OvsInstance ovs, String host) {
        String hostNs = layout.namespace(host);
        String fabricNs = layout.namespace(Topology.FABRIC);
        String fabricSide = HostSwitch.fabricSide(host);
        Shell.run("ip", "link", "add", HostSwitch.UPLINK, "netns", hostNs, "type", "veth",
                "peer", "name", fabricSide, "netns", fabricNs).orThrow();
        for (String[] end : new String[][] {{hostNs, HostSwitch.UPLINK}, {fabricNs, fabricSide}}) {
            Shell.runIn(end[0], "ethtool", "-K", end[1], "tx", "off").orThrow();
            Shell.run("ip", "-n", end[0], "link", "set", end[1], "up").orThrow();
        }
        ovs.addPort(Topology.HOST_BRIDGE, HostSwitch.UPLINK);
        fabric.addPort(topology.port(host).orElseThrow().bridge(), fabricSide);
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
