package io.cutover.lab;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The shape of a lab: its hosts, bridges, cables and routes. Addresses come from 198.18.0.0/15 (and
 * 2001:2::/48 for IPv6), the benchmarking ranges, and exist only inside the lab's namespaces.
 *
 * <ul>
 *   <li>{@link #LAN}: {@code client} and {@code dns} on {@code br-tor}; {@code hostA} and the VM {@code vm1} on
 *       {@code br-a}; {@code hostB} on {@code br-b}; both leaf bridges patched to {@code br-tor}; one subnet.</li>
 *   <li>{@link #WAN}: site A ({@code br-a}, router {@code rtrA}) and site B ({@code br-b}, router {@code rtrB}) on
 *       different subnets, joined by the router {@code wan}, which also serves the client site ({@code br-tor}). The
 *       sites' routers share one gateway MAC, {@value #GATEWAY_MAC}, as the gateways of an EVPN fabric share an
 *       anycast gateway MAC: a guest that has just moved to the other site, and still sends to the gateway it knew,
 *       leaves through the new site's router until it learns its new gateway.</li>
 * </ul>
 * In both, {@code hostA} and {@code hostB} share a direct underlay cable (tunnel and migration traffic), and each is
 * a hypervisor host ({@link #HYPERVISORS}) running its own Open vSwitch with a bridge {@value #HOST_BRIDGE}, uplinked
 * to its site's bridge, for its guests' taps. The SDN controller's address in the lab, {@value #CONTROLLER_ADDRESS}, is
 * on the fabric's loopback: the fabric's switches reach it there, the hosts' over a management cable each.
 * <p>
 * Every bridge gets a fixed datapath id ({@link #datapathId}), the key the SDN controller knows a switch by, so that
 * configurations and tests can name the lab's switches: {@code br-a} {@value #DPID_A}, {@code br-b} {@value #DPID_B},
 * {@code br-tor} {@value #DPID_TOR}; host A's {@code br-int} {@value #DPID_HOST_A}, host B's {@value #DPID_HOST_B}.
 */
public enum Topology {
    LAN(
            List.of("br-tor", "br-a", "br-b"),
            List.of(List.of("br-tor", "br-a"), List.of("br-tor", "br-b")),
            List.of(
                    new Port("client", "eth0", "br-tor", "198.18.0.10/24", "2001:2::10/64", null),
                    new Port("dns", "eth0", "br-tor", "198.18.0.53/24", "2001:2::53/64", null),
                    new Port("hostA", "eth0", "br-a", "198.18.0.1/24", "2001:2::1/64", null),
                    new Port("hostB", "eth0", "br-b", "198.18.0.2/24", "2001:2::2/64", null),
                    new Port("vm1", "eth0", "br-a", "198.18.0.100/24", "2001:2::100/64", Topology.VM_MAC)),
            List.of(new Wire("hostA", "eth1", "198.19.0.1/30", "hostB", "eth1", "198.19.0.2/30"),
                    Management.CABLE_A, Management.CABLE_B),
            Management.CONTROLLER_ROUTES,
            Set.of()),
    WAN(
            List.of("br-tor", "br-a", "br-b"),
            List.of(),
            List.of(
                    new Port("client", "eth0", "br-tor", "198.18.3.10/24", null, null),
                    new Port("dns", "eth0", "br-tor", "198.18.3.53/24", null, null),
                    new Port("wan", "eth0", "br-tor", "198.18.3.1/24", null, null),
                    new Port("rtrA", "eth0", "br-a", "198.18.1.1/24", null, Topology.GATEWAY_MAC),
                    new Port("hostA", "eth0", "br-a", "198.18.1.11/24", null, null),
                    new Port("vm1", "eth0", "br-a", "198.18.1.100/24", null, Topology.VM_MAC),
                    new Port("rtrB", "eth0", "br-b", "198.18.2.1/24", null, Topology.GATEWAY_MAC),
                    new Port("hostB", "eth0", "br-b", "198.18.2.12/24", null, null)),
            List.of(
                    new Wire("wan", "to-a", "198.18.254.1/30", "rtrA", "uplink", "198.18.254.2/30"),
                    new Wire("wan", "to-b", "198.18.254.5/30", "rtrB", "uplink", "198.18.254.6/30"),
                    new Wire("hostA", "eth1", "198.19.0.1/30", "hostB", "eth1", "198.19.0.2/30"),
                    Management.CABLE_A, Management.CABLE_B),
            concat(Management.CONTROLLER_ROUTES, List.of(
                    new Route("wan", "198.18.1.0/24", "198.18.254.2"),
                    new Route("wan", "198.18.2.0/24", "198.18.254.6"),
                    new Route("rtrA", "default", "198.18.254.1"),
                    new Route("rtrB", "default", "198.18.254.5"),
                    new Route("client", "default", "198.18.3.1"),
                    new Route("dns", "default", "198.18.3.1"),
                    new Route("hostA", "default", "198.18.1.1"),
                    new Route("vm1", "default", "198.18.1.1"),
                    new Route("hostB", "default", "198.18.2.1"))),
            Set.of("wan", "rtrA", "rtrB"));

    /** The datapath id of {@code br-a}. */
    public static final String DPID_A = "00000000000000a0";
    /** The datapath id of {@code br-b}. */
    public static final String DPID_B = "00000000000000b0";
    /** The datapath id of {@code br-tor}. */
    public static final String DPID_TOR = "00000000000000f0";
    private static final java.util.Map<String, String> DATAPATH_IDS = java.util.Map.of(
            "br-a", DPID_A, "br-b", DPID_B, "br-tor", DPID_TOR);
    /** The hypervisor hosts: each runs its own Open vSwitch, with a bridge {@value #HOST_BRIDGE} for its guests. */
    public static final List<String> HYPERVISORS = List.of("hostA", "hostB");
    /** The bridge every hypervisor host has for its guests' ports, as real deployments name it. */
    public static final String HOST_BRIDGE = "br-int";
    /** The datapath id of host A's {@value #HOST_BRIDGE}. */
    public static final String DPID_HOST_A = "00000000000000a1";
    /** The datapath id of host B's {@value #HOST_BRIDGE}. */
    public static final String DPID_HOST_B = "00000000000000b1";
    private static final java.util.Map<String, String> HOST_DATAPATH_IDS = java.util.Map.of(
            "hostA", DPID_HOST_A, "hostB", DPID_HOST_B);
    /** Each hypervisor host's underlay bridge for the overlay's tunnels (the userspace datapath's native tunnelling). */
    public static final String OVERLAY_BRIDGE = "br-phy";
    /** The overlay underlay's MTU: a guest's 1,500-byte frames plus Geneve's 50 bytes of headers, with room to spare. */
    public static final int OVERLAY_MTU = 1600;
    private static final java.util.Map<String, String> OVERLAY_ADDRESSES = java.util.Map.of(
            "hostA", "198.19.2.1/30", "hostB", "198.19.2.2/30");
    private static final java.util.Map<String, String> OVERLAY_DATAPATH_IDS = java.util.Map.of(
            "hostA", "00000000000000a2", "hostB", "00000000000000b2");

    /**
     * The lab's SDN controller address, on the fabric's loopback: the fabric's switches reach it there, each
     * hypervisor host's switch over its management cable into the fabric.
     */
    public static final String CONTROLLER_ADDRESS = "198.19.255.1";

    /**
     * The MAC address of each WAN site's gateway ({@code rtrA}, {@code rtrB}): an anycast gateway MAC (locally
     * administered), so that what a moved guest sends to its old site's gateway reaches the new site's.
     */
    public static final String GATEWAY_MAC = "02:00:5e:00:01:01";
    /** The VM's MAC address, the same in every topology so that captures are easy to read. */
    public static final String VM_MAC = "02:00:c6:12:00:64";
    /** The name of the VM host. */
    public static final String VM = "vm1";
    /** The forward zone the lab's BIND serves. */
    public static final String ZONE = "vms.cutover.test.";
    /** The reverse zone the lab's BIND serves, for 198.18.0.0/16. */
    public static final String REVERSE_ZONE = "18.198.in-addr.arpa.";
    /** The name of the lab's TSIG key, which may update both zones. */
    public static final String TSIG_KEY_NAME = "cutover-lab";
    /** A second TSIG key the lab's BIND knows but lets update nothing (to see a refusal of a valid key). */
    public static final String UNGRANTED_KEY_NAME = "cutover-lab-ungranted";
    /** The host that runs the fabric's Open vSwitch daemons (the ToR and the sites' bridges). */
    public static final String FABRIC = "fabric";

    private final List<String> bridges;
    private final List<List<String>> patches;
    private final List<Port> ports;
    private final List<Wire> wires;
    private final List<Route> routes;
    private final Set<String> routers;

    Topology(List<String> bridges, List<List<String>> patches, List<Port> ports, List<Wire> wires,
             List<Route> routes, Set<String> routers) {
        this.bridges = bridges;
        this.patches = patches;
        this.ports = ports;
        this.wires = wires;
        this.routes = routes;
        this.routers = routers;
    }

    /** The topology called {@code name} ({@code lan} or {@code wan}, any case). */
    public static Topology parse(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown topology '" + name + "' (expected lan or wan)", e);
        }
    }

    public List<String> bridges() {
        return bridges;
    }

    /**
     * The datapath id the lab sets on {@code bridge} ({@code other-config:datapath-id}), as 16 hex digits.
     *
     * @throws IllegalArgumentException for a bridge that is not the lab's
     */
    public String datapathId(String bridge) {
        String dpid = bridges.contains(bridge) ? DATAPATH_IDS.get(bridge) : null;
        if (dpid == null) {
            throw new IllegalArgumentException("bridge " + bridge + " is not one of the lab's " + bridges);
        }
        return dpid;
    }

    /**
     * The datapath id of {@code host}'s own {@value #HOST_BRIDGE}, as 16 hex digits.
     *
     * @throws IllegalArgumentException for a host that is not one of the lab's hypervisors
     */
    /**
     * {@code host}'s overlay underlay address, with its prefix length (on its {@value #OVERLAY_BRIDGE}): where the other
     * hypervisors' tunnels to it end.
     */
    public static String overlayAddress(String host) {
        String address = OVERLAY_ADDRESSES.get(host);
        if (address == null) {
            throw new IllegalArgumentException(host + " is not one of the lab's hypervisor hosts " + HYPERVISORS);
        }
        return address;
    }

    /** The datapath id of {@code host}'s {@value #OVERLAY_BRIDGE} (no controller takes it: a label in the status). */
    public static String overlayBridgeId(String host) {
        overlayAddress(host);
        return OVERLAY_DATAPATH_IDS.get(host);
    }

    public String hostSwitchId(String host) {
        String dpid = HOST_DATAPATH_IDS.get(host);
        if (dpid == null) {
            throw new IllegalArgumentException(host + " is not one of the lab's hypervisor hosts " + HYPERVISORS);
        }
        return dpid;
    }

    /** {@code host}'s address on the underlay cable between the hypervisor hosts (tunnel and migration traffic). */
    public String underlay(String host) {
        for (Wire wire : wires) {
            if (wire.nodeA().equals("hostA") && wire.nodeB().equals("hostB")) {
                if (host.equals("hostA")) {
                    return wire.addressA();
                }
                if (host.equals("hostB")) {
                    return wire.addressB();
                }
            }
        }
        throw new IllegalArgumentException(host + " has no underlay address in this lab");
    }

    /** The bridge whose datapath id is {@code dpid} (16 hex digits), if it is one of the lab's. */
    public Optional<String> bridgeOf(String dpid) {
        return bridges.stream().filter(b -> DATAPATH_IDS.get(b).equalsIgnoreCase(dpid)).findFirst();
    }

    /** Pairs of bridges joined by a patch cable. */
    public List<List<String>> patches() {
        return patches;
    }

    public List<Port> ports() {
        return ports;
    }

    public List<Wire> wires() {
        return wires;
    }

    public List<Route> routes() {
        return routes;
    }

    /** Hosts that forward IP between their interfaces. */
    public Set<String> routers() {
        return routers;
    }

    /** Every host of the lab, the fabric first. */
    public List<String> nodes() {
        Set<String> nodes = new LinkedHashSet<>();
        nodes.add(FABRIC);
        ports.forEach(p -> nodes.add(p.node()));
        wires.forEach(w -> {
            nodes.add(w.nodeA());
            nodes.add(w.nodeB());
        });
        return List.copyOf(nodes);
    }

    /** The members of the replicated store's ZooKeeper ensemble ({@code lab up --store}), one namespace each. */
    public static final List<String> STORE_MEMBERS = List.of("zk1", "zk2", "zk3");
    /** The port each store member serves clients on, at its address ({@link #storeAddress}). */
    public static final int STORE_CLIENT_PORT = 2181;
    /** The port the store's members replicate on (to the leader). */
    public static final int STORE_QUORUM_PORT = 2888;
    /** The port the store's members elect their leader on. */
    public static final int STORE_ELECTION_PORT = 3888;
    /** The store members' management network: a /30 cable from the fabric to each member. */
    public static final String STORE_NETWORK = "198.19.3.0/24";

    /**
     * The management cable from the fabric to store member {@code member} ({@code zk1} gets 198.19.3.0/30, the
     * fabric's end .1 and the member's .2; {@code zk2} 198.19.3.4/30, {@code zk3} 198.19.3.8/30). The fabric routes
     * between these cables and the hypervisor hosts' management cables, so that the controller (in the fabric) and
     * the agents (in hostA and hostB) reach every member, and the members each other.
     */
    public static Wire storeCable(String member) {
        int index = STORE_MEMBERS.indexOf(member);
        if (index < 0) {
            throw new IllegalArgumentException(member + " is not one of the store's members " + STORE_MEMBERS);
        }
        int base = 4 * index;
        return new Wire(FABRIC, "st-" + member, "198.19.3." + (base + 1) + "/30", member, "mgmt",
                "198.19.3." + (base + 2) + "/30");
    }

    /** Store member {@code member}'s address, where it serves clients and its peers. */
    public static String storeAddress(String member) {
        return storeCable(member).addressB();
    }

    /** The store's connect string, every member's {@code address:port}, as ZooKeeper clients take it. */
    public static String storeConnectString() {
        return String.join(",", STORE_MEMBERS.stream().map(m -> storeAddress(m) + ":" + STORE_CLIENT_PORT).toList());
    }

    /**
     * The routes to and from the store's members: each member reaches the rest of 198.19.0.0/16 through the fabric,
     * each hypervisor host the store's network through its management cable.
     */
    public static List<Route> storeRoutes() {
        List<Route> routes = new java.util.ArrayList<>();
        for (String member : STORE_MEMBERS) {
            routes.add(new Route(member, "198.19.0.0/16", storeCable(member).addressA()));
        }
        routes.add(new Route("hostA", STORE_NETWORK, Management.CABLE_A.addressA()));
        routes.add(new Route("hostB", STORE_NETWORK, Management.CABLE_B.addressA()));
        return routes;
    }

    /**
     * The hypervisor hosts' management cables into the fabric and their routes to the controller (a class of its own:
     * the enum's constants are made before the enum's own static fields).
     */
    private static final class Management {
        static final Wire CABLE_A = new Wire(FABRIC, "mgmt-hostA", "198.19.1.1/30", "hostA", "mgmt",
                "198.19.1.2/30");
        static final Wire CABLE_B = new Wire(FABRIC, "mgmt-hostB", "198.19.1.5/30", "hostB", "mgmt",
                "198.19.1.6/30");
        static final List<Route> CONTROLLER_ROUTES = List.of(
                new Route("hostA", CONTROLLER_ADDRESS + "/32", CABLE_A.addressA()),
                new Route("hostB", CONTROLLER_ADDRESS + "/32", CABLE_B.addressA()));

        private Management() {
        }
    }

    private static <T> List<T> concat(List<T> first, List<T> second) {
        return java.util.stream.Stream.concat(first.stream(), second.stream()).toList();
    }

    /** The first port of {@code node} into a bridge. */
    public Optional<Port> port(String node) {
        return ports.stream().filter(p -> p.node().equals(node)).findFirst();
    }
}
