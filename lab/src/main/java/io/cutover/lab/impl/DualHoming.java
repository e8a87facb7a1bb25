package io.cutover.lab.impl;

import io.cutover.support.Netns;
import io.cutover.lab.Port;
import io.cutover.lab.Route;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A host with a cable into each of two bridges, as a VM is when the destination hypervisor has plugged its
 * port before the migration ends. Inside the host a Linux bridge {@value #BRIDGE} carries the host's MAC
 * and addresses; the cables are its members and exactly one of them is up, so moving the host from one
 * bridge to the other sets a cable down and the other up (two ioctls): no Open vSwitch reconfiguration
 * while the VM is paused. TCP connections survive, as the addresses do not move.
 *
 * <p>An extra member, {@value #CARRIER}, keeps the bridge's carrier up while no cable is: a virtual NIC keeps its
 * link through a migration, and a kernel whose link goes down forgets its neighbours, then has to ask for them
 * again right after the move — when the answers are still sent to the old location.
 */
public final class DualHoming implements AutoCloseable {
    /** The Linux bridge inside the host that holds its MAC and addresses. */
    public static final String BRIDGE = "br0";
    /** The always-up member of {@value #BRIDGE} that keeps its carrier. */
    public static final String CARRIER = "carrier0";

    private final String namespace;
    /** A thread inside the host's namespace, where the cables are switched. */
    private final Netns inside;
    /** The host's interface toward each lab bridge. */
    private final Map<String, String> cables = new LinkedHashMap<>();
    private volatile String active;

    private DualHoming(String namespace) {
        this.namespace = namespace;
        this.inside = Netns.of(namespace);
    }

    /**
     * Gives {@code port}'s host a standby cable into {@code standbyBridge} and moves its addresses onto
     * {@value #BRIDGE}. The host stays on the bridge its cable leads to now.
     *
     * @param currentBridge the bridge {@code port}'s cable leads to now
     * @param routes        the host's routes, added again once the addresses have moved
     */
    public static DualHoming plug(Port port, String namespace, String fabricNamespace, OvsInstance fabric,
                                  String currentBridge, String standbyBridge, List<Route> routes) {
        if (currentBridge.equals(standbyBridge)) {
            throw new IllegalArgumentException(port.node() + " is already on " + standbyBridge);
        }
        DualHoming homing = new DualHoming(namespace);
        String standby = "to-" + standbyBridge;
        String switchSide = switchSide(port, standbyBridge);
        Shell.run("ip", "link", "add", standby, "netns", namespace, "type", "veth",
                "peer", "name", switchSide, "netns", fabricNamespace).orThrow();
        homing.ip("link", "add", BRIDGE, "type", "bridge", "forward_delay", "0", "stp_state", "0");
        homing.ip("link", "set", BRIDGE, "address", port.mac());
        homing.ip("addr", "flush", "dev", port.iface());
        homing.ip("addr", "add", port.ipv4(), "dev", BRIDGE);
        if (port.ipv6() != null) {
            homing.ip("-6", "addr", "add", port.ipv6(), "dev", BRIDGE, "nodad");
        }
        for (String member : List.of(BRIDGE, port.iface(), standby)) {
            // the userspace switch does not finish checksums left to offload (see LabBuilder)
            Shell.runIn(namespace, "ethtool", "-K", member, "tx", "off").orThrow();
        }
        // a veth whose other end is up and goes nowhere (this kernel has no dummy devices)
        homing.ip("link", "add", CARRIER, "type", "veth", "peer", "name", CARRIER + "-end");
        homing.ip("link", "set", CARRIER + "-end", "up");
        homing.ip("link", "set", CARRIER, "master", BRIDGE);
        homing.ip("link", "set", CARRIER, "up");
        for (String cable : List.of(port.iface(), standby)) {
            homing.ip("link", "set", cable, "master", BRIDGE);
            // with one cable up at a time there is nothing to learn, and a MAC learned on the cable that
            // just went down would send the host's frames into it
            homing.ip("link", "set", cable, "type", "bridge_slave", "learning", "off");
        }
        Shell.run("ip", "-n", fabricNamespace, "link", "set", switchSide, "up").orThrow();
        fabric.addPort(standbyBridge, switchSide);
        homing.ip("link", "set", BRIDGE, "up");
        for (Route route : routes) {
            homing.ip("route", "replace", route.destination(), "via", route.via());
        }
        homing.cables.put(currentBridge, port.iface());
        homing.cables.put(standbyBridge, standby);
        homing.active = currentBridge;
        homing.activate(currentBridge);
        return homing;
    }

    /** The switch's side of {@code port}'s standby cable into {@code standbyBridge}. */
    public static String switchSide(Port port, String standbyBridge) {
        return port.switchSide() + "-" + standbyBridge;
    }

    /** The bridge the host is on now. */
    public String activeBridge() {
        return active;
    }

    public boolean reaches(String bridge) {
        return cables.containsKey(bridge);
    }

    /** Moves the host onto {@code bridge}: its other cable goes down first, so there is never a loop. */
    public synchronized void moveTo(String bridge) {
        if (!cables.containsKey(bridge)) {
            throw new IllegalArgumentException("no cable into " + bridge + "; cables: " + cables.keySet());
        }
        if (!bridge.equals(active)) {
            activate(bridge);
            active = bridge;
        }
    }

    private void activate(String bridge) {
        List<String> others = cables.entrySet().stream().filter(cable -> !cable.getKey().equals(bridge))
                .map(Map.Entry::getValue).toList();
        inside.run(() -> LinkSwitch.flip(others, cables.get(bridge)));
    }

    @Override
    public void close() {
        inside.close();
    }

    private void ip(String... args) {
        String[] command = new String[args.length + 3];
        command[0] = "ip";
        command[1] = "-n";
        command[2] = namespace;
        System.arraycopy(args, 0, command, 3, args.length);
        Shell.run(command).orThrow();
    }
}
