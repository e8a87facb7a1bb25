package io.cutover.it.agent;

import io.cutover.demo.CutoverDemo;
import io.cutover.demo.DemoReport;
import io.cutover.demo.LabAgents;
import io.cutover.demo.LabAgents;
import io.cutover.it.LabExtension;
import io.cutover.lab.Lab;
import io.cutover.lab.Topology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * WAN moves with the whole stack on real parts: the VM leaves site A for site B and takes an address there;
 * the client keeps probing (UDP, 1,000/s) and talking (TCP) to the old address, which the source's forwarder
 * keeps serving through the L3 tunnel, the VM answering through site B's router; the DNS name moves to the new
 * address by compare-and-swap on the lab's BIND. The agents speak HTTPS with mutual TLS across the underlay, each
 * with a token of its own and one the two share ({@link LabAgents.AgentTransport#MUTUAL_TLS}).
 */
class WanCutoverIT {
    /** As in {@link LanCutoverIT}: one move of three without a loss in its cutover window proves the cutover. */
    private static final int ATTEMPTS = 3;

    @RegisterExtension
    static final LabExtension LAB = LabExtension.of(Topology.WAN);

    @Test
    void theOldAddressKeepsWorkingThroughTheTunnelAndDnsFollowsTheVm() throws Exception {
        Lab lab = LAB.lab();
        List<DemoReport> reports = new ArrayList<>();
        try (LabAgents agents = LabAgents.start(lab, LabAgents.GuestPorts.SITE_BRIDGES,
                LabAgents.AgentTransport.MUTUAL_TLS)) {
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                String before = lab.bridgeOf(Topology.VM);
                String oldAddress = dnsAnswer(lab);
                DemoReport report = new CutoverDemo(lab, agents, 1000, Duration.ofSeconds(1),
                        "size=32m,workload=hotset,hot=5%,rate=5000").run();
                reports.add(report);

                assertThat(report.mode()).isEqualTo("wan");
                assertThat(report.tcpSurvived()).as("the TCP connection to the old address: %s", report).isTrue();
                assertThat(report.memoryVerified()).as("destination memory identical").isTrue();
                assertThat(lab.bridgeOf(Topology.VM)).isNotEqualTo(before);
                assertThat(report.tunnel().get("destination.injected"))
                        .as("packets to the old address delivered through the tunnel").isPositive();
                String newAddress = dnsAnswer(lab);
                assertThat(newAddress).as("the name's A record on the server").isNotEqualTo(oldAddress)
                        .isEqualTo(report.dnsAnswer());
                assertThat(lab.exec(Topology.VM, "ip", "-4", "-br", "addr").orThrow().stdout())
                        .as("the VM has its new address and keeps the old one").contains(newAddress, oldAddress + "/32");
                assertThat(report.timeline()).extracting(e -> e.what() + " " + e.event())
                        .containsSubsequence("dns.lower-ttl done", "sdn.prepare done", "vm.pause done",
                                "SWITCHOVER stage", "sdn.redirect done", "vm.move done", "ACTIVATED stage",
                                "sdn.commit done", "tunnel.flush done", "dns.switch done", "DRAINING stage",
                                "tunnel.drain done", "COMPLETED stage", "sdn.cleanup done", "dns.restore-ttl done");
                assertThat(report.timeline()).filteredOn(e -> e.what().equals("tunnel.drain") && e.event().equals("done"))
                        .extracting(e -> e.detail()).as("resolvers may hold the old address for the zone's 300 s from "
                                + "the lowering: the lab's hard maximum ends the drain")
                        .containsExactly("ended by hard-maximum");
                assertThat(drainLasted(report)).as("the drain lasted until the hard maximum after activation")
                        .isGreaterThanOrEqualTo(LabAgents.DRAIN_HARD_MAX.minusSeconds(3));
                assertThat(report.timeline()).as("the announcements run beside the flush, after the commit")
                        .extracting(e -> e.what() + " " + e.event())
                        .containsSubsequence("sdn.commit done", "announce done", "COMPLETED stage");
                assertThat(dnsTtl(lab)).as("TTL restored").isEqualTo(300);
                if (report.lostInCutover() == 0) {
                    return;
                }
            }
        }
        assertThat(reports).as("no move without probes lost during its cutover").anyMatch(r -> r.lostInCutover() == 0);
    }

    /** From the plan's ACTIVATED to the end of its drain. */
    private static Duration drainLasted(DemoReport report) {
        long activated = report.timeline().stream().filter(e -> e.what().equals("ACTIVATED") && e.event().equals("stage"))
                .findFirst().orElseThrow().atMicros();
        long drained = report.timeline().stream().filter(e -> e.what().equals("tunnel.drain") && e.event().equals("done"))
                .findFirst().orElseThrow().atMicros();
        return Duration.ofNanos((drained - activated) * 1_000);
    }

    private static String dnsAnswer(Lab lab) {
        return lab.exec("client", "dig", "+short", "+norecurse", "@" + lab.dnsServer(), CutoverDemo.VM_NAME, "A")
                .orThrow().stdout().strip();
    }

    private static long dnsTtl(Lab lab) {
        String answer = lab.exec("client", "dig", "+noall", "+answer", "+norecurse", "@" + lab.dnsServer(),
                CutoverDemo.VM_NAME, "A").orThrow().stdout().strip();
        return Long.parseLong(answer.split("\\s+")[1]);
    }
}
