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
    /** Moves made: none may lose a probe (see {@code QemuCutoverIT}). */
    private static final int MOVES = 2;

    @RegisterExtension
    static final LabExtension LAB = LabExtension.of(Topology.WAN);

    @Test
    void aQemuGuestMovesToAnotherSiteKeepingItsOldAddressAndTcpConnectionWhileItsNameFollows() throws Exception {
        Lab lab = LAB.lab();
        try (LabAgents agents = LabAgents.start(lab, LabAgents.GuestPorts.HOST_SWITCHES)) {
            for (int move = 0; move < MOVES; move++) {
                DemoReport report = new QemuCutoverDemo(lab, agents, 1000, Duration.ofSeconds(1)).run();
                check(lab, report);
                assertThat(report.udp().lost()).as("probes lost in move %d: %s; timeline %s", move + 1,
                        report.udp().lostRanges(), report.timeline()).isZero();
            }
        }
    }

    /** What every move must show, whatever it lost after its cutover. */
    private static void check(Lab lab, DemoReport report) {
        assertThat(report.mode()).isEqualTo("wan");
        assertThat(report.timeline()).extracting(e -> e.what() + " " + e.event())
                .containsSubsequence("dns.lower-ttl done", "tunnel.arm done", "vm.pause done", "SWITCHOVER stage",
                        "tunnel.hold done", "vm.resume done", "ACTIVATED stage", "sdn.commit done", "COMPLETED stage",
                        "tunnel.close done")
                .as("the flush runs beside the commit, the DNS switch after the flush")
                .containsSubsequence("tunnel.flush done", "dns.switch done", "DRAINING stage")
                .contains("guest.renumber done", "guest.new-address answered")
                .as("the guest answered the controller at its new port").contains("sdn.verify done")
                .doesNotContain("UNVERIFIED stage");
        assertThat(report.timeline()).as("the tunnel lived until every resolver had expired the old address (the "
                        + "name's 6 s TTL from the lowering, the lowered 5 s from the switch) and it was idle (the "
                        + "client stopped), before the lab's hard maximum (8 s from the activation)")
                .anyMatch(e -> e.what().equals("tunnel.drain") && e.event().equals("done")
                        && "ended by dns-and-idle".equals(e.detail()));
        assertThat(report.tunnel().get("source.held")).as("what reached site A during the blackout was held")
                .isPositive();
        assertThat(report.tunnel().get("destination.injected")).as("and delivered at site B: %s", report.tunnel())
                .isEqualTo(report.tunnel().get("source.sent"));
        assertThat(report.lostInCutover()).as("probes lost in the cutover: %s (%d dropped by the switches' "
                + "tables); timeline %s", report.udp().lostRanges(), report.switchDrops(), report.timeline())
                .isZero();
        assertThat(report.tcpSurvived()).as("the TCP connection to the old address").isTrue();
        assertThat(report.dnsAnswer()).as("the guest's name").isEqualTo("198.18.2.101");
        assertThat(lab.exec("fabric", "pgrep", "-f", "qemu-system-x86_64.*qvm").stdout())
                .as("no guest left running").isBlank();
    }
}
