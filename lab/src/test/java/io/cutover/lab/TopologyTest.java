package io.cutover.lab;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TopologyTest {

    @ParameterizedTest
    @EnumSource(Topology.class)
    void everyAddressIsFromTheBenchmarkingRanges(Topology topology) {
        Stream<String> v4 = Stream.concat(
                topology.ports().stream().map(Port::ipv4),
                topology.wires().stream().flatMap(w -> Stream.of(w.ipv4A(), w.ipv4B())));
        assertThat(v4.map(Port::withoutPrefix)).allSatisfy(address ->
                assertThat(address).matches("198\\.(18|19)\\.\\d+\\.\\d+"));
        assertThat(topology.ports().stream().map(Port::ipv6).filter(a -> a != null))
                .allSatisfy(address -> assertThat(address).startsWith("2001:2::"));
        assertThat(topology.routes()).allSatisfy(route -> {
            assertThat(route.via()).matches("198\\.(18|19)\\..*");
            assertThat(route.destination()).matches("default|198\\.(18|19)\\..*");
        });
    }

    @ParameterizedTest
    @EnumSource(Topology.class)
    void everyBridgeHasItsOwnFixedDatapathId(Topology topology) {
        Set<String> dpids = new HashSet<>();
        for (String bridge : topology.bridges()) {
            String dpid = topology.datapathId(bridge);
            assertThat(dpid).matches("[0-9a-f]{16}");
            assertThat(dpids.add(dpid)).as("duplicate datapath id %s", dpid).isTrue();
            assertThat(topology.bridgeOf(dpid)).contains(bridge);
        }
        for (String host : Topology.HYPERVISORS) {
            String dpid = topology.hostSwitchId(host);
            assertThat(dpid).matches("[0-9a-f]{16}");
            assertThat(dpids.add(dpid)).as("duplicate datapath id %s", dpid).isTrue();
        }
        assertThat(topology.datapathId("br-a")).isEqualTo(Topology.DPID_A);
        assertThatThrownBy(() -> topology.hostSwitchId("client")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> topology.datapathId("br-x")).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @EnumSource(Topology.class)
    void switchSideNamesAreUniqueAndFitAnInterfaceName(Topology topology) {
        Set<String> names = new HashSet<>();
        for (Port port : topology.ports()) {
            assertThat(names.add(port.switchSide())).as("duplicate switch port %s", port.switchSide()).isTrue();
            assertThat(port.switchSide().length()).isLessThanOrEqualTo(15);
            assertThat(topology.bridges()).contains(port.bridge());
        }
    }

    @ParameterizedTest
    @EnumSource(Topology.class)
    void routesAndWiresNameKnownHosts(Topology topology) {
        List<String> nodes = topology.nodes();
        assertThat(nodes.get(0)).isEqualTo(Topology.FABRIC);
        topology.routes().forEach(route -> assertThat(nodes).contains(route.node()));
        topology.routers().forEach(router -> assertThat(nodes).contains(router));
        assertThat(nodes).contains("client", "dns", "hostA", "hostB", Topology.VM);
        assertThat(topology.port(Topology.VM).orElseThrow().mac()).isEqualTo(Topology.VM_MAC);
    }

    @ParameterizedTest
    @EnumSource(Topology.class)
    void everyHypervisorReachesTheControllerOverItsOwnManagementCable(Topology topology) {
        for (String host : Topology.HYPERVISORS) {
            Route route = topology.routes().stream()
                    .filter(r -> r.node().equals(host) && r.destination().equals(Topology.CONTROLLER_ADDRESS + "/32"))
                    .findFirst().orElseThrow();
            assertThat(topology.wires()).anySatisfy(wire -> {
                assertThat(wire.nodeA()).isEqualTo(Topology.FABRIC);
                assertThat(wire.nodeB()).isEqualTo(host);
                assertThat(wire.addressA()).isEqualTo(route.via());
            });
        }
    }

    @ParameterizedTest
    @EnumSource(Topology.class)
    void theStoreMembersAddressesAreTheirOwnAndEveryHypervisorRoutesToThem(Topology topology) {
        Set<String> taken = new HashSet<>();
        topology.wires().forEach(w -> {
            taken.add(w.addressA());
            taken.add(w.addressB());
        });
        Topology.HYPERVISORS.forEach(h -> taken.add(Port.withoutPrefix(Topology.overlayAddress(h))));
        taken.add(Topology.CONTROLLER_ADDRESS);
        Set<String> store = new HashSet<>();
        for (String member : Topology.STORE_MEMBERS) {
            Wire cable = Topology.storeCable(member);
            assertThat(cable.nodeA()).isEqualTo(Topology.FABRIC);
            assertThat(cable.ifaceA().length()).isLessThanOrEqualTo(15);
            for (String address : List.of(cable.addressA(), cable.addressB())) {
                assertThat(address).startsWith("198.19.3.");
                assertThat(taken).doesNotContain(address);
                assertThat(store.add(address)).isTrue();
            }
        }
        for (String host : Topology.HYPERVISORS) {
            Route toController = topology.routes().stream()
                    .filter(r -> r.node().equals(host) && r.destination().equals(Topology.CONTROLLER_ADDRESS + "/32"))
                    .findFirst().orElseThrow();
            assertThat(Topology.storeRoutes()).contains(new Route(host, Topology.STORE_NETWORK, toController.via()));
        }
        assertThat(Topology.storeConnectString()).isEqualTo("198.19.3.2:2181,198.19.3.6:2181,198.19.3.10:2181");
        assertThatThrownBy(() -> Topology.storeCable("zk4")).hasMessageContaining("zk4");
    }

    @Test
    void parsesNamesInAnyCaseAndRejectsOthers() {
        assertThat(Topology.parse("wan")).isEqualTo(Topology.WAN);
        assertThat(Topology.parse("LAN")).isEqualTo(Topology.LAN);
        assertThatThrownBy(() -> Topology.parse("moon"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("moon");
    }
}
