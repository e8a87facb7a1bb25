package io.cutover.it.agent;

import io.cutover.demo.LabAgents;
import io.cutover.demo.QemuEvacuationDemo;
import io.cutover.it.LabExtension;
import io.cutover.lab.Lab;
import io.cutover.lab.Topology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A host evacuation of real guests: three of the lab's smallest QEMU guests on host A, evacuated to host B by host A's
 * agent ({@code POST /v1/evacuations}, two cutovers at once), QEMU migrating each over QMP, while the client probes
 * each guest's kernel and holds a TCP connection to it.
 */
class QemuEvacuationIT {
    private static final int GUESTS = 3;
    private static final int PARALLEL = 2;

    @RegisterExtension
    static final LabExtension LAB = LabExtension.of(Topology.LAN);

    @Test
    void everyGuestOfTheHostMovesTwoAtOnceAndAnswersAtTheDestinationWithItsProbeLossReported() throws Exception {
        Lab lab = LAB.lab();
        try (LabAgents agents = LabAgents.start(lab, LabAgents.GuestPorts.HOST_SWITCHES)) {
            QemuEvacuationDemo.Report report = new QemuEvacuationDemo(lab, agents, GUESTS, PARALLEL, 200,
                    Duration.ofSeconds(1)).run();
            System.out.printf("evacuation %s: %d guests in %d ms, %d probes lost%n", report.id(), GUESTS,
                    report.durationMs(), report.lost());
            report.vms().forEach(vm -> System.out.printf("  %s -> %s %s in %d ms, downtime %d ms, %d of %d probes "
                            + "lost %s, tcp %s%n", vm.vm(), vm.destination(), vm.outcome(), vm.durationMs(),
                    vm.downtimeMs(), vm.udp().lost(), vm.udp().sent(), vm.udp().lostRanges(), vm.tcpSurvived()));
            assertThat(report.vms()).hasSize(GUESTS);
            for (QemuEvacuationDemo.VmReport vm : report.vms()) {
                assertThat(vm.outcome()).as("%s: %s; its kernel said last: %s", vm.vm(), vm.failure(), vm.kernelLog())
                        .isEqualTo("COMPLETED");
                assertThat(vm.destination()).isEqualTo("hostB");
                assertThat(vm.runsThere()).as("%s runs at host B and answers the client there", vm.vm()).isTrue();
                assertThat(vm.downtimeMs()).as("QEMU's downtime of %s", vm.vm()).isPositive();
                assertThat(vm.udp().sent()).as("probes sent to %s", vm.vm()).isGreaterThan(400);
                assertThat(vm.udp().lost()).as("probes lost by %s: %s; its kernel said last: %s", vm.vm(),
                        vm.udp().lostRanges(), vm.kernelLog()).isZero();
                assertThat(vm.tcpSurvived()).as("the client's TCP connection to %s", vm.vm()).isTrue();
            }
            assertThat(report.durationMs()).as("the evacuation's duration, as the agent measured it").isPositive();
        }
        assertThat(lab.exec("fabric", "pgrep", "-f", "qemu-system-x86_64.*qvm-e").stdout())
                .as("no guest left running").isBlank();
    }
}
