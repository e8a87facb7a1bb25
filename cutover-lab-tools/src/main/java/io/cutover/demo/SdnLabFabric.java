package io.cutover.demo;

import io.cutover.lab.Lab;
import io.cutover.support.Netns;
import io.cutover.lab.Port;
import io.cutover.lab.Topology;
import io.cutover.lab.impl.OvsFabric;
import io.cutover.sdn.ControllerOptions;
import io.cutover.sdn.Dpid;
import io.cutover.sdn.Endpoint;
import io.cutover.sdn.Link;

import java.util.ArrayList;
import java.util.List;

/**
 * Puts a lab's bridges under the SDN controller: the controller runs on threads inside the lab's fabric
 * namespace (listening on its loopback), the bridges drop their learning-switch flow, run {@code fail-mode=secure}
 * with OpenFlow 1.3 only, and connect to it. Also derives the controller's model (endpoints, links) from the lab, its
 * switches named by datapath id (the lab gives its bridges fixed ones: {@link Topology#datapathId}).
 */
public final class SdnLabFabric {
    /** The virtual network every lab host belongs to. */
    public static final int NETWORK = 1;

    private SdnLabFabric() {
    }

    /** Options whose event loop runs inside {@code lab}'s fabric namespace, on its loopback. */
    public static ControllerOptions.Builder options(Lab lab) {
        return ControllerOptions.builder().bindAddress("127.0.0.1")
                .threadFactory(Netns.threadFactory(lab.namespace(Topology.FABRIC)));
    }

    /**
     * Points {@code bridges} at the controller on the fabric's loopback {@code port}, in {@code fail-mode=secure}
     * (existing flows keep forwarding while the controller is away) and without the standalone {@code NORMAL} flow.
     */
    public static void attach(Lab lab, int port, List<String> bridges) {
        for (String bridge : bridges) {
            lab.vsctl("set-fail-mode", bridge, "secure").orThrow();
            lab.vsctl("set", "bridge", bridge, "protocols=OpenFlow13").orThrow();
            // only the learning switch's own flow: the controller's flows (a restart) and foreign ones stay
            lab.ofctl("-O", "OpenFlow13", "--strict", "del-flows", bridge, "priority=0").orThrow();
            lab.vsctl("set-controller", bridge, "tcp:127.0.0.1:" + port).orThrow();
            lab.vsctl("set", "controller", bridge, "max_backoff=1000", "inactivity_probe=5000").orThrow();
        }
    }

    /** Gives the bridges back their learning-switch behaviour: no controller, no controller flows, {@code NORMAL}. */
    public static void detach(Lab lab, List<String> bridges) {
        for (String bridge : bridges) {
            lab.vsctl("del-controller", bridge);
            lab.vsctl("set-fail-mode", bridge, "standalone");
            lab.ofctl("-O", "OpenFlow13", "del-flows", bridge);
            lab.ofctl("-O", "OpenFlow13", "add-flow", bridge, "priority=0,actions=NORMAL");
            lab.vsctl("clear", "bridge", bridge, "protocols");
        }
    }

    /** The datapath id of the lab's {@code bridge}, as its Open vSwitch reports it: the controller's key for it. */
    public static Dpid dpid(Lab lab, String bridge) {
        return Dpid.parse(lab.datapathId(bridge));
    }

    /** The datapath ids of {@code bridges}, in their order. */
    public static List<Dpid> dpids(Lab lab, List<String> bridges) {
        return bridges.stream().map(bridge -> dpid(lab, bridge)).toList();
    }

    /** The lab's patch cables as links. */
    public static List<Link> links(Lab lab) {
        List<Link> links = new ArrayList<>();
        for (List<String> patch : lab.topology().patches()) {
            String a = patch.get(0);
            String b = patch.get(1);
            links.add(new Link(dpid(lab, a), OvsFabric.patchPort(a, b), dpid(lab, b), OvsFabric.patchPort(b, a)));
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
}
