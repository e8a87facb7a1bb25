package io.cutover.it.agent;

import io.cutover.demo.DemoReport;
import io.cutover.demo.LabAgents;
import io.cutover.demo.QemuCutoverDemo;
import io.cutover.it.LabExtension;
import io.cutover.lab.Lab;
import io.cutover.lab.Topology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real guest's move across the WAN with the whole stack: a QEMU virtual machine migrated by QEMU over QMP from site
 * A to site B, another subnet. The client probes the guest's old address at 1,000 packets a second and holds a TCP
 * connection to it throughout: the source's forwarder keeps what the mirror caught, holds from just before QEMU's
 * pause, and tunnels it to site B, where the guest answers through site B's router; the guest then takes its new
 * address and the agents switch its DNS name to it.
 */
class QemuWanCutoverIT {
    @RegisterExtension
    static final LabExtension LAB = LabExtension.of(Topology.WAN);

    @Test
    void aQemuGuestMovesToAnotherSiteKeepingItsOldAddressAndTcpConnectionWhileItsNameFollows() throws Exception {
        Lab lab = LAB.lab();
        try (LabAgents agents = LabAgents.start(lab, LabAgents.GuestPorts.HOST_SWITCHES)) {
            DemoReport report = new QemuCutoverDemo(lab, agents, 1000, Duration.ofSeconds(1)).run();

            assertThat(report.mode()).isEqualTo("wan");
            assertThat(report.timeline()).extracting(e -> e.what() + " " + e.event())
                    .containsSubsequence("dns.lower-ttl done", "tunnel.arm done", "vm.pause done", "SWITCHOVER stage",
                            "tunnel.hold done", "vm.resume done", "ACTIVATED stage", "sdn.commit done",
                            "dns.switch done", "COMPLETED stage", "tunnel.close done")
                    .contains("tunnel.flush done", "announce done", "guest.renumber done", "guest.new-address answered");
            assertThat(report.tunnel().get("source.held")).as("what reached site A during the blackout was held")
                    .isPositive();
            assertThat(report.tunnel().get("destination.injected")).as("and delivered at site B: %s", report.tunnel())
                    .isEqualTo(report.tunnel().get("source.sent"));
            assertThat(report.lostInCutover()).as("probes lost in the cutover: %s (%d dropped by the switches' "
                    + "tables); timeline %s", report.udp().lostRanges(), report.switchDrops(), report.timeline())
                    .isZero();
            assertThat(report.udp().lost()).as("probes to the old address lost after the cutover, while the tunnel "
                    + "drained: %s; timeline %s", report.udp().lostRanges(), report.timeline()).isZero();
            assertThat(report.tcpSurvived()).as("the TCP connection to the old address").isTrue();
            assertThat(report.dnsAnswer()).as("the guest's name").isEqualTo("198.18.2.101");
            assertThat(lab.exec("fabric", "pgrep", "-f", "qemu-system-x86_64.*qvm").stdout())
                    .as("no guest left running").isBlank();
        }
    }
}
