package io.cutover.it.agent;

import io.cutover.demo.DemoReport;
import io.cutover.demo.LabAgents;
import io.cutover.demo.QemuCutoverDemo;
import io.cutover.it.LabExtension;
import io.cutover.lab.Lab;
import io.cutover.lab.Libvirtd;
import io.cutover.lab.Topology;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A libvirt-managed guest's LAN move: a libvirtd on each hypervisor host runs the guest, the test moves it with {@code
 * virsh migrate --live} as Nova would, and the agents only follow libvirt's lifecycle events (the source's {@code
 * Suspended Migrated} is the switchover, the destination's {@code Resumed Migrated} the activation, the source's {@code
 * Stopped Migrated} the end) — while the client probes the guest's own kernel at 1,000 packets a second and holds a
 * TCP connection to it. A migration libvirt aborts rolls the network back with the guest answering at the source.
 */
class LibvirtCutoverIT {
    @RegisterExtension
    static final LabExtension LAB = LabExtension.of(Topology.LAN);
    private static final List<Libvirtd> LIBVIRTDS = new ArrayList<>();

    @BeforeAll
    static void libvirtdOnEachHost() {
        LIBVIRTDS.addAll(Libvirtd.startOnEveryHost(LAB.lab()));
    }

    @AfterAll
    static void stopLibvirtd() {
        LIBVIRTDS.forEach(Libvirtd::close);
    }

    @Test
    void aGuestMovedByVirshMigrateKeepsItsProbesAndTcpWhileTheAgentsFollowLibvirtsEvents() throws Exception {
        Lab lab = LAB.lab();
        try (LabAgents agents = LabAgents.start(lab, LabAgents.GuestPorts.HOST_SWITCHES)) {
            DemoReport report = new QemuCutoverDemo(lab, agents, 1000, Duration.ofSeconds(1),
                    QemuCutoverDemo.Orchestrator.LIBVIRT).run();
            assertThat(report.guest()).contains("by libvirt");
            assertThat(report.timeline()).extracting(e -> e.what() + " " + e.event())
                    .containsSubsequence("tunnel.arm done", "vm.pause done", "SWITCHOVER stage", "tunnel.hold done",
                            "ACTIVATED stage", "sdn.commit done", "DRAINING stage", "COMPLETED stage",
                            "sdn.cleanup done", "tunnel.close done")
                    .contains("qemu.stop done", "qemu.resume done", "libvirt.event-lag read", "tunnel.flush done");
            assertThat(report.blackoutMillis()).as("QEMU's downtime, STOP to RESUME").isPositive();
            assertThat(report.udp().sent()).isGreaterThan(2000);
            assertThat(report.tunnel().get("source.held")).as("what reached the source after the pause was held")
                    .isPositive();
            assertThat(report.tunnel().get("destination.injected")).as("and delivered at the destination: %s",
                    report.tunnel()).isEqualTo(report.tunnel().get("source.sent"));
            assertThat(report.lostInCutover()).as("probes lost in the cutover: %s; timeline %s",
                    report.udp().lostRanges(), report.timeline()).isZero();
            assertThat(report.udp().lost()).as("probes lost: %s; timeline %s", report.udp().lostRanges(),
                    report.timeline()).isZero();
            assertThat(report.tcpSurvived()).as("the TCP connection across the move").isTrue();
            assertThat(lab.exec("fabric", "pgrep", "-f", "qemu-system-x86_64.*qvm").stdout())
                    .as("no guest left running").isBlank();
        }
    }

    @Test
    void aMigrationLibvirtAbortsRollsTheNetworkBackAndTheGuestAnswersAtTheSource() throws Exception {
        Lab lab = LAB.lab();
        try (LabAgents agents = LabAgents.start(lab, LabAgents.GuestPorts.HOST_SWITCHES)) {
            QemuCutoverDemo.FailedMove move = new QemuCutoverDemo(lab, agents, 1000, Duration.ofSeconds(1),
                    QemuCutoverDemo.Orchestrator.LIBVIRT).runFailing(QemuCutoverDemo.Fault.LIBVIRT_ABORTED);
            assertThat(move.stage()).as("the cutover's end: %s", move.timeline()).isEqualTo("ROLLED_BACK");
            assertThat(move.sourceStatus()).as("the guest at the source").isEqualTo("running");
            assertThat(move.destinationStatus()).as("the guest at the destination").isEqualTo("gone");
            assertThat(move.timeline()).extracting(e -> e.what() + " " + e.event())
                    .doesNotContain("SWITCHOVER stage", "ACTIVATED stage")
                    .contains("sdn.prepare rolled-back", "tunnel.register rolled-back");
            assertThat(move.lostAfterSettling()).as("probes lost once the network was rolled back (lost: %s; "
                    + "timeline: %s)", move.udp().lostRanges(), move.timeline()).isZero();
            assertThat(move.tcpSurvived()).as("the client's TCP connection").isTrue();
            assertThat(lab.exec("fabric", "pgrep", "-f", "qemu-system-x86_64.*qvm").stdout())
                    .as("no guest left running").isBlank();
        }
    }
}
