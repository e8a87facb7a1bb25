package io.cutover.lab.impl;

import io.cutover.lab.CommandResult;
import io.cutover.lab.HostSwitch;
import io.cutover.lab.Topology;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The overlay between the hypervisor hosts: Geneve tunnel ports on every host's {@value Topology#HOST_BRIDGE}, one to
 * each other host, carrying the network's VNI in the tunnel id ({@code key=flow}: the controller sets it per flow).
 * <p>
 * The userspace datapath tunnels natively: it encapsulates and decapsulates itself, and sends the outer packet by its
 * own routing table through a bridge of its own. So each host has an underlay bridge, {@value Topology#OVERLAY_BRIDGE},
 * holding its end of the overlay cable ({@value #CABLE}, a veth pair between the hosts) and the host's underlay address
 * on its internal port; its route to the peer is added to Open vSwitch's table ({@code ovs-appctl ovs/route/add}), and
 * the peer's MAC is learned by ARP as on any bridge. The underlay's MTU is {@value Topology#OVERLAY_MTU}, so a guest
 * keeps its 1,500-byte MTU under Geneve's 50 bytes of headers (a real fabric runs jumbo frames for the same reason).
 * <p>
 * Geneve (UDP 6081) keeps the overlay apart from the tunnel forwarder's VXLAN (UDP 4789, on the other underlay cable):
 * two protocols, two ports, two VNI spaces that never mix. The tunnel ports are {@code no-flood}: until a controller
 * takes {@value Topology#HOST_BRIDGE}, its learning switch floods to the uplink but not into the overlay, which would
 * close a loop through the fabric.
 */
final class LabOverlay {
    /** Each host's end of the overlay's underlay cable. */
    static final String CABLE = "ovl0";
    private static final String PEER_HOST_A = Topology.HYPERVISORS.get(0);
    private static final String PEER_HOST_B = Topology.HYPERVISORS.get(1);
    /** How long Open vSwitch may take to learn its underlay port's address before its route to the peer is refused. */
    private static final Duration ROUTE_WAIT = Duration.ofSeconds(5);

    private LabOverlay() {
    }

    /** Builds the overlay between the two hypervisor hosts, whose Open vSwitch instances are {@code switches}. */
    static void build(LabLayout layout, Map<String, OvsInstance> switches) {
        String nsA = layout.namespace(PEER_HOST_A);
        String nsB = layout.namespace(PEER_HOST_B);
        Shell.run("ip", "link", "add", CABLE, "netns", nsA, "mtu", String.valueOf(Topology.OVERLAY_MTU), "type", "veth",
                "peer", "name", CABLE, "netns", nsB, "mtu", String.valueOf(Topology.OVERLAY_MTU)).orThrow();
        for (String host : List.of(PEER_HOST_A, PEER_HOST_B)) {
            String peer = host.equals(PEER_HOST_A) ? PEER_HOST_B : PEER_HOST_A;
            underlay(layout.namespace(host), switches.get(host), Topology.overlayAddress(host),
                    Topology.overlayBridgeId(host));
            OvsInstance ovs = switches.get(host);
            routeToPeer(ovs, bare(Topology.overlayAddress(peer)));
            String port = HostSwitch.tunnelPort(peer);
            ovs.vsctl("add-port", Topology.HOST_BRIDGE, port, "--", "set", "interface", port, "type=geneve",
                    "options:remote_ip=" + bare(Topology.overlayAddress(peer)),
                    "options:local_ip=" + bare(Topology.overlayAddress(host)), "options:key=flow").orThrow();
            ovs.ofctl("mod-port", Topology.HOST_BRIDGE, port, "no-flood").orThrow();
        }
    }

    /** Gives {@code host} its underlay bridge, with the overlay cable and {@code address} on its internal port. */
    private static void underlay(String namespace, OvsInstance ovs, String address, String datapathId) {
        Shell.runIn(namespace, "ethtool", "-K", CABLE, "tx", "off").orThrow();
        Shell.run("ip", "-n", namespace, "link", "set", CABLE, "up").orThrow();
        ovs.addBridge(Topology.OVERLAY_BRIDGE, datapathId);
        ovs.addPort(Topology.OVERLAY_BRIDGE, CABLE);
        String mtu = "mtu_request=" + Topology.OVERLAY_MTU;
        ovs.vsctl("set", "interface", CABLE, mtu, "--", "set", "interface", Topology.OVERLAY_BRIDGE, mtu).orThrow();
        Shell.run("ip", "-n", namespace, "addr", "add", address, "dev", Topology.OVERLAY_BRIDGE).orThrow();
        Shell.run("ip", "-n", namespace, "link", "set", Topology.OVERLAY_BRIDGE, "up").orThrow();
    }

    /**
     * Adds the route to the peer's underlay address to Open vSwitch's table. Open vSwitch takes the route only once it
     * knows the internal port's address, which it hears from the kernel a moment after {@code ip addr add} (until then:
     * "Error while inserting route"), so the route is retried for a bounded while.
     */
    private static void routeToPeer(OvsInstance ovs, String peer) {
        long deadline = System.nanoTime() + ROUTE_WAIT.toNanos();
        CommandResult added = ovs.appctl("ovs/route/add", peer + "/32", Topology.OVERLAY_BRIDGE);
        while (!added.ok() && System.nanoTime() < deadline && !Thread.currentThread().isInterrupted()) {
            Daemons.sleep(Duration.ofMillis(50));
            added = ovs.appctl("ovs/route/add", peer + "/32", Topology.OVERLAY_BRIDGE);
        }
        added.orThrow();
    }

    /** {@code 198.19.2.1/30} without its prefix length. */
    private static String bare(String address) {
        return address.substring(0, address.indexOf('/'));
    }
}
