package io.cutover.demo;

import io.cutover.lab.HostSwitch;
import io.cutover.lab.Lab;
import io.cutover.lab.OvsTools;
import io.cutover.support.Netns;
import io.cutover.lab.Port;
import io.cutover.lab.Topology;
import io.cutover.lab.impl.OvsInstance;
import io.cutover.sdn.ControllerOptions;
import io.cutover.sdn.Dpid;
import io.cutover.sdn.Endpoint;
import io.cutover.sdn.Link;

import java.util.ArrayList;
import java.util.List;

/**
 * Puts a lab's bridges under the SDN controller: the controller runs on threads inside the lab's fabric
 * namespace, listening on the lab's controller address ({@link Topology#CONTROLLER_ADDRESS}, on the fabric's loopback),
 * and the switches — the fabric's bridges and each hypervisor host's own {@code br-int}, over its management cable —
 * drop their learning-switch flow, run {@code fail-mode=secure} with OpenFlow 1.3 only, and connect to it. Also derives
 * the controller's model (endpoints, links) from the lab, its switches named by datapath id (the lab gives its bridges
 * fixed ones: {@link Topology#datapathId}, {@link Topology#hostSwitchId}).
 */
public final class SdnLabFabric {
    /** The virtual network every lab host belongs to. */
    public static final int NETWORK = 1;

    private SdnLabFabric() {
    }

    /** Options whose event loop runs inside {@code lab}'s fabric namespace, on the lab's controller address. */
    public static ControllerOptions.Builder options(Lab lab) {
        return ControllerOptions.builder().bindAddress(Topology.CONTROLLER_ADDRESS)
                .threadFactory(Netns.threadFactory(lab.namespace(Topology.FABRIC)));
    }

    /**
     * Points the fabric's {@code bridges} at the controller on the lab's controller address and {@code port}, in
     * {@code fail-mode=secure} (existing flows keep forwarding while the controller is away) and without the
     * standalone {@code NORMAL} flow.
     */
    public static void attach(Lab lab, int port, List<String> bridges) {
        bridges.forEach(bridge -> attach(lab, bridge, port));
    }

    /**
     * Points the fabric's {@code bridges} at every controller of a cluster, one per port of {@code ports} on the lab's
     * controller address, as {@link #attach(Lab, int, List)} does for one: each switch connects to all of them, and
     * their role requests decide which one writes. A bridge that already has exactly these controllers is left as it
     * is (each member of a cluster attaches the lab; the second must not cut the first's connections).
     */
    public static void attachCluster(Lab lab, List<Integer> ports, List<String> bridges) {
        bridges.forEach(bridge -> attach(lab, bridge, targets(ports)));
    }

    /** Points every hypervisor host's own switch at every controller of a cluster, as {@link #attachCluster} does. */
    public static void attachHostSwitchesToCluster(Lab lab, List<Integer> ports) {
        lab.hostSwitches().forEach(host -> attach(host, host.bridge(), targets(ports)));
    }

    private static List<String> targets(List<Integer> ports) {
        return ports.stream().sorted().map(port -> "tcp:" + Topology.CONTROLLER_ADDRESS + ":" + port).toList();
    }

    /** Points every hypervisor host's own switch at the controller, as {@link #attach(Lab, int, List)} does. */
    public static void attachHostSwitches(Lab lab, int port) {
        lab.hostSwitches().forEach(host -> attach(host, host.bridge(), port));
    }

    /**
     * Points {@code host}'s own switch at {@code target}, an Open vSwitch controller target such as
     * {@code ssl:198.19.255.1:6653} (with its TLS files set by {@code ovs-vsctl set-ssl}), as
     * {@link #attach(Lab, int, List)} does.
     */
    public static void attachHostSwitch(HostSwitch host, String target) {
        attach(host, host.bridge(), target);
    }

    private static void attach(OvsTools ovs, String bridge, int port) {
        attach(ovs, bridge, "tcp:" + Topology.CONTROLLER_ADDRESS + ":" + port);
    }

    private static void attach(OvsTools ovs, String bridge, String target) {
        attach(ovs, bridge, List.of(target));
    }

    private static void attach(OvsTools ovs, String bridge, List<String> targets) {
        if (targets.size() > 1 && ovs.vsctl("get-controller", bridge).orThrow().stdout().lines().map(String::strip)
                .filter(line -> !line.isEmpty()).sorted().toList().equals(targets.stream().sorted().toList())) {
            return;
        }
        ovs.vsctl("set-fail-mode", bridge, "secure").orThrow();
        ovs.vsctl("set", "bridge", bridge, "protocols=OpenFlow13").orThrow();
        // only the learning switch's own flow: the controller's flows (a restart) and foreign ones stay
        ovs.ofctl("-O", "OpenFlow13", "--strict", "del-flows", bridge, "priority=0").orThrow();
        if (targets.size() == 1) {
            ovs.vsctl("set-controller", bridge, targets.get(0)).orThrow();
            ovs.vsctl("set", "controller", bridge, "max_backoff=1000", "inactivity_probe=5000").orThrow();
            return;
        }
        List<String> command = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            command.addAll(List.of("--", "--id=@c" + i, "create", "controller", "target=\"" + targets.get(i) + "\"",
                    "max_backoff=1000", "inactivity_probe=5000"));
        }
        command.addAll(List.of("--", "set", "bridge", bridge, "controller=[" + String.join(",",
                java.util.stream.IntStream.range(0, targets.size()).mapToObj(i -> "@c" + i).toList()) + "]"));
        ovs.vsctl(command.toArray(String[]::new)).orThrow();
    }

    /**
     * Gives the fabric's bridges and every host's own switch back their learning-switch behaviour: no controller, no
     * controller flows, {@code NORMAL}.
     */
    public static void detachAll(Lab lab) {
        detach(lab, lab.topology().bridges());
        lab.hostSwitches().forEach(host -> detach(host, host.bridge()));
    }

    /** Gives the fabric's {@code bridges} back their learning-switch behaviour. */
    public static void detach(Lab lab, List<String> bridges) {
        bridges.forEach(bridge -> detach(lab, bridge));
    }

    private static void detach(OvsTools ovs, String bridge) {
        ovs.vsctl("del-controller", bridge);
        ovs.vsctl("set-fail-mode", bridge, "standalone");
        ovs.ofctl("-O", "OpenFlow13", "del-flows", bridge);
        ovs.ofctl("-O", "OpenFlow13", "add-flow", bridge, "priority=0,actions=NORMAL");
        ovs.vsctl("clear", "bridge", bridge, "protocols");
    }

    /** The datapath id of the lab's {@code bridge}, as its Open vSwitch reports it: the controller's key for it. */
    public static Dpid dpid(Lab lab, String bridge) {
        return Dpid.parse(lab.datapathId(bridge));
    }

    /** The datapath ids of {@code bridges}, in their order. */
    public static List<Dpid> dpids(Lab lab, List<String> bridges) {
        return bridges.stream().map(bridge -> dpid(lab, bridge)).toList();
    }

    /** The datapath ids of every hypervisor host's own switch. */
    public static List<Dpid> hostSwitchIds(Lab lab) {
        return lab.hostSwitches().stream().map(host -> Dpid.parse(host.datapathId())).toList();
    }

    /** Each hypervisor host's uplink, from its own switch to its site's bridge in the fabric, as a link. */
    public static List<Link> hostUplinks(Lab lab) {
        List<Link> links = new ArrayList<>();
        for (HostSwitch host : lab.hostSwitches()) {
            String siteBridge = lab.port(host.host()).bridge();
            links.add(new Link(Dpid.parse(host.datapathId()), HostSwitch.UPLINK, dpid(lab, siteBridge),
                    HostSwitch.fabricSide(host.host())));
        }
        return links;
    }

    /** The lab's patch cables as links. */
    public static List<Link> links(Lab lab) {
        List<Link> links = new ArrayList<>();
        for (List<String> patch : lab.topology().patches()) {
            String a = patch.get(0);
            String b = patch.get(1);
            links.add(new Link(dpid(lab, a), OvsInstance.patchPort(a, b), dpid(lab, b), OvsInstance.patchPort(b, a)));
        }
        return links;
    }

    /** Every host of the lab plugged into a bridge, as an endpoint numbered in topology order. */
    public static List<Endpoint> endpoints(Lab lab) {
        List<Endpoint> endpoints = new ArrayList<>();
        java.util.Map<String, Dpid> dpids = new java.util.HashMap<>();
        int id = 1;
        for (Port port : lab.topology().ports()) {
            List<String> addresses = new ArrayList<>();
            addresses.add(port.ipv4Address());
            if (port.ipv6Address() != null) {
                addresses.add(port.ipv6Address());
            }
            endpoints.add(new Endpoint(id++, port.node(), NETWORK, lab.mac(port.node(), port.iface()), addresses,
                    dpids.computeIfAbsent(port.bridge(), bridge -> dpid(lab, bridge)), port.switchSide()));
        }
        return endpoints;
    }

    /**
     * Each hypervisor host's forwarder port on its own switch ({@link HostSwitch#FORWARDER}) as an endpoint named
     * {@code <host>-fwd}, numbered from {@code firstId}: the switch admits what the host's tunnel daemon injects there.
     */
    public static List<Endpoint> forwarderEndpoints(Lab lab, int firstId) {
        List<Endpoint> endpoints = new ArrayList<>();
        int id = firstId;
        for (HostSwitch host : lab.hostSwitches()) {
            endpoints.add(new Endpoint(id++, host.host() + "-fwd", NETWORK, lab.mac(host.host(), HostSwitch.FORWARDER),
                    List.of(), Dpid.parse(host.datapathId()), HostSwitch.FORWARDER));
        }
        return endpoints;
    }
}
