package io.cutover.it.sdn;

import io.cutover.demo.SdnLabFabric;
import io.cutover.it.LabExtension;
import io.cutover.lab.CommandResult;
import io.cutover.lab.HostSwitch;
import io.cutover.lab.Lab;
import io.cutover.lab.Topology;
import io.cutover.sdn.Dpid;
import io.cutover.sdn.Endpoint;
import io.cutover.sdn.Link;
import io.cutover.sdn.SdnController;
import io.cutover.sdn.SwitchInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two hypervisor hosts' own Open vSwitch, each with a bridge called {@code br-int}, served by one controller with the
 * lab's fabric: the controller knows them apart by datapath id, forwards between them through the fabric, and refuses
 * a switch that claims a datapath id whose session is alive.
 */
class HostSwitchesIT {
    @RegisterExtension
    static final LabExtension LAB = LabExtension.of(Topology.LAN);

    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Addresses of the hosts' forwarder ports, in a /64 of the lab's range that nothing else uses. */
    private static final String ADDRESS_A = "2001:2:0:1::a";
    private static final String ADDRESS_B = "2001:2:0:1::b";

    static SdnController sdn;

    @BeforeAll
    static void start() {
        Lab lab = LAB.lab();
        sdn = SdnController.start(SdnLabFabric.options(lab).port(0).handshakeTimeout(Duration.ofSeconds(2)).build());
        int port = sdn.address().getPort();
        List<String> bridges = lab.topology().bridges();
        SdnLabFabric.attach(lab, port, bridges);
        SdnLabFabric.attachHostSwitches(lab, port);
        List<Dpid> switches = new ArrayList<>(SdnLabFabric.dpids(lab, bridges));
        switches.addAll(SdnLabFabric.hostSwitchIds(lab));
        join(sdn.awaitSwitches(switches, WAIT));
        List<Link> links = new ArrayList<>(SdnLabFabric.links(lab));
        links.addAll(SdnLabFabric.hostUplinks(lab));
        join(sdn.setLinks(links));
        List<Endpoint> endpoints = new ArrayList<>(SdnLabFabric.endpoints(lab));
        endpoints.addAll(SdnLabFabric.forwarderEndpoints(lab, endpoints.size() + 1));
        endpoints.forEach(endpoint -> join(sdn.putEndpoint(endpoint)));
        lab.exec("hostA", "ip", "-6", "addr", "add", ADDRESS_A + "/64", "dev", HostSwitch.FORWARDER, "nodad").orThrow();
        lab.exec("hostB", "ip", "-6", "addr", "add", ADDRESS_B + "/64", "dev", HostSwitch.FORWARDER, "nodad").orThrow();
    }

    @AfterAll
    static void stop() {
        if (sdn != null) {
            sdn.close();
        }
    }

    @Test
    void bothHostsBridgesCalledBrIntAreKnownByTheirDatapathIdsAndForwardToEachOtherThroughTheFabric() throws Exception {
        Lab lab = LAB.lab();
        List<SwitchInfo> brInts = sdn.switches().stream().filter(s -> s.name().equals(Topology.HOST_BRIDGE)).toList();
        assertThat(brInts).extracting(SwitchInfo::dpid).containsExactlyInAnyOrder(
                Dpid.parse(Topology.DPID_HOST_A), Dpid.parse(Topology.DPID_HOST_B));
        assertThat(brInts).allMatch(SwitchInfo::connected)
                .allSatisfy(s -> assertThat(s.ports()).containsKeys(HostSwitch.UPLINK, HostSwitch.FORWARDER));
        assertThat(eventually(() -> ping("hostA", ADDRESS_B).ok(), WAIT))
                .as("host A's forwarder port reaches host B's, through both br-int and the fabric: %s",
                        ping("hostA", ADDRESS_B)).isTrue();
        assertThat(lab.hostSwitch("hostA").ofctl("-O", "OpenFlow13", "dump-flows", Topology.HOST_BRIDGE).orThrow()
                .stdout()).as("host A's br-int forwards by the controller's flows")
                .contains("table=1").doesNotContain("actions=NORMAL");
    }

    @Test
    void aSwitchThatClaimsALiveSessionsDatapathIdIsRefusedAndTheRealOneKeepsServing() throws Exception {
        Lab lab = LAB.lab();
        HostSwitch hostB = lab.hostSwitch("hostB");
        long refusedBefore = sdn.refusedSessions();
        hostB.vsctl("set", "bridge", hostB.bridge(), "other-config:datapath-id=" + Topology.DPID_HOST_A).orThrow();
        try {
            assertThat(eventually(() -> sdn.refusedSessions() > refusedBefore, WAIT))
                    .as("host B's bridge, now claiming host A's datapath id, was refused").isTrue();
            SwitchInfo a = sdn.switches().stream().filter(s -> s.dpid().equals(Dpid.parse(Topology.DPID_HOST_A)))
                    .findFirst().orElseThrow();
            assertThat(a.connected()).as("host A's session").isTrue();
            assertThat(sdn.switches()).filteredOn(s -> s.dpid().equals(Dpid.parse(Topology.DPID_HOST_A))).hasSize(1);
        } finally {
            hostB.vsctl("set", "bridge", hostB.bridge(), "other-config:datapath-id=" + Topology.DPID_HOST_B).orThrow();
        }
        join(sdn.awaitSwitches(List.of(Dpid.parse(Topology.DPID_HOST_B)), WAIT));
        assertThat(eventually(() -> ping("hostA", ADDRESS_B).ok(), WAIT))
                .as("host B's bridge, back under its own id, forwards again").isTrue();
    }

    private static CommandResult ping(String from, String to) {
        return LAB.lab().exec(from, "ping", "-6", "-c", "1", "-W", "1", to);
    }

    private static boolean eventually(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(200);
        }
        return false;
    }

    private static <T> T join(java.util.concurrent.CompletionStage<T> stage) {
        return stage.toCompletableFuture().orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    }
}
