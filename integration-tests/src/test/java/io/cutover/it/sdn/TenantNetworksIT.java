package io.cutover.it.sdn;

import io.cutover.demo.SdnLabFabric;
import io.cutover.it.LabExtension;
import io.cutover.lab.Lab;
import io.cutover.lab.Topology;
import io.cutover.sdn.Dpid;
import io.cutover.sdn.Endpoint;
import io.cutover.sdn.SdnController;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two networks on one real Open vSwitch bridge, with the controller's flows installed: {@code ovs-appctl
 * ofproto/trace} shows where the switch sends a frame. Tenant A (network 1) has ports a1 and a2, tenant B (network 2)
 * b1 and b2; a2 and b2 carry one MAC (a cloned image).
 */
class TenantNetworksIT {
    @RegisterExtension
    static final LabExtension LAB = LabExtension.of(Topology.LAN);

    private static final String BRIDGE = "br-tenants";
    private static final String SHARED_MAC = "02:00:00:00:0a:02";
    private static final List<String> PORTS = List.of("a1", "a2", "b1", "b2");
    private static final Duration WAIT = Duration.ofSeconds(30);

    static SdnController sdn;

    @BeforeAll
    static void start() throws Exception {
        Lab lab = LAB.lab();
        lab.vsctl("add-br", BRIDGE, "--", "set", "bridge", BRIDGE, "datapath_type=netdev", "fail-mode=secure",
                "protocols=OpenFlow13", "other-config:datapath-id=00000000000000e1").orThrow();
        for (int i = 0; i < PORTS.size(); i++) {
            lab.vsctl("add-port", BRIDGE, PORTS.get(i), "--", "set", "interface", PORTS.get(i), "type=internal",
                    "ofport_request=" + (i + 1)).orThrow();
        }
        sdn = SdnController.start(SdnLabFabric.options(lab).port(0).build());
        SdnLabFabric.attach(lab, sdn.address().getPort(), List.of(BRIDGE));
        Dpid dpid = Dpid.parse("00000000000000e1");
        sdn.awaitSwitches(List.of(dpid), WAIT).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        sdn.putEndpoints(List.of(
                new Endpoint(1, "a1", 1, "02:00:00:00:0a:01", List.of(), dpid, "a1"),
                new Endpoint(2, "a2", 1, SHARED_MAC, List.of(), dpid, "a2"),
                new Endpoint(3, "b1", 2, "02:00:00:00:0b:01", List.of(), dpid, "b1"),
                new Endpoint(4, "b2", 2, SHARED_MAC, List.of(), dpid, "b2"))).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() {
        if (sdn != null) {
            sdn.close();
        }
        LAB.lab().vsctl("--if-exists", "del-br", BRIDGE);
    }

    @Test
    void aBroadcastFromTenantAReachesOnlyTenantAsPorts() {
        String trace = trace("in_port=1,dl_src=02:00:00:00:0a:01,dl_dst=ff:ff:ff:ff:ff:ff,dl_type=0x0806");
        assertThat(datapathActions(trace)).as(trace).isEqualTo("2");
    }

    @Test
    void aBroadcastFromTenantBReachesOnlyTenantBsPorts() {
        String trace = trace("in_port=3,dl_src=02:00:00:00:0b:01,dl_dst=ff:ff:ff:ff:ff:ff,dl_type=0x0806");
        assertThat(datapathActions(trace)).as(trace).isEqualTo("4");
    }

    @Test
    void oneMacInTwoNetworksReachesEachTenantsOwnPort() {
        String fromB = trace("in_port=3,dl_src=02:00:00:00:0b:01,dl_dst=" + SHARED_MAC + ",dl_type=0x0800");
        assertThat(datapathActions(fromB)).as(fromB).isEqualTo("4");
        String fromA = trace("in_port=1,dl_src=02:00:00:00:0a:01,dl_dst=" + SHARED_MAC + ",dl_type=0x0800");
        assertThat(datapathActions(fromA)).as(fromA).isEqualTo("2");
    }

    @Test
    void unicastToTheOtherTenantsOwnMacIsDropped() {
        String trace = trace("in_port=1,dl_src=02:00:00:00:0a:01,dl_dst=02:00:00:00:0b:01,dl_type=0x0800");
        assertThat(datapathActions(trace)).as(trace).isEqualTo("drop");
    }

    private static String trace(String flow) {
        return LAB.lab().appctl("ofproto/trace", BRIDGE, flow).orThrow().stdout();
    }

    /**
     * The trace's {@code Datapath actions:} line with the datapath's port numbers turned into the bridge's OpenFlow
     * port numbers (the ports were requested as 1..4 in {@link #PORTS}' order).
     */
    private static String datapathActions(String trace) {
        String line = trace.lines().filter(l -> l.startsWith("Datapath actions:")).findFirst().orElseThrow()
                .substring("Datapath actions:".length()).trim();
        if (line.equals("drop")) {
            return line;
        }
        StringBuilder ports = new StringBuilder();
        for (String action : line.split(",")) {
            String name = datapathPortName(action.trim());
            ports.append(ports.isEmpty() ? "" : ",").append(PORTS.indexOf(name) + 1);
        }
        return ports.toString();
    }

    private static String datapathPortName(String datapathPort) {
        String show = LAB.lab().appctl("dpif/show").orThrow().stdout();
        for (String l : show.lines().toList()) {
            String t = l.trim();
            for (String port : PORTS) {
                if (t.startsWith(port + " ") && t.matches(port + " \\d+/" + datapathPort + ":.*")) {
                    return port;
                }
            }
        }
        throw new AssertionError("no port of " + BRIDGE + " has datapath port " + datapathPort + ":\n" + show);
    }
}
