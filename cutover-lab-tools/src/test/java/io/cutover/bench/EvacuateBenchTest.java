package io.cutover.bench;

import io.cutover.demo.QemuEvacuationDemo;
import io.cutover.demo.UdpProbeResult;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class EvacuateBenchTest {

    @Test
    void theBenchLineNamesTheEvacuationAfterItsGuestCountAndComparesItWithQemuAlone() {
        QemuEvacuationDemo.Report evacuation = new QemuEvacuationDemo.Report("e-1", 12_000, List.of(
                vm("qvm-e1", "COMPLETED", 0, false), vm("qvm-e2", "COMPLETED", 3, true),
                vm("qvm-e3", "ROLLED_BACK", 0, false)));
        QemuEvacuationDemo.Report baseline = new QemuEvacuationDemo.Report("qemu-alone", 8_000, List.of(
                vm("qvm-e1", "COMPLETED", 40, false), vm("qvm-e2", "COMPLETED", 35, false),
                vm("qvm-e3", "FAILED", 2, false)));

        assertThat(EvacuateBench.keys(3, 2, evacuation, baseline)).containsExactly(
                entry("guests", 3), entry("parallel", 2), entry("evacuate_3_s", 12.0),
                entry("last_running_s", 4.0), entry("evacuate_lost", 3L),
                entry("vms_completed", 2L), entry("guests_crashed", 1L), entry("baseline_evacuate_s", 8.0),
                entry("baseline_last_running_s", 4.0),
                entry("baseline_lost", 77L), entry("baseline_vms_completed", 2L), entry("baseline_guests_crashed", 0L),
                entry("ratio", 1.5));
        assertThat(EvacuateBench.keys(8, 4, evacuation, baseline)).containsKey("evacuate_8_s");
    }

    @Test
    void aBaselineThatTookNoTimeHasNoRatio() {
        QemuEvacuationDemo.Report none = new QemuEvacuationDemo.Report("qemu-alone", 0, List.of());
        assertThat((Double) EvacuateBench.keys(1, 1, none, none).get("ratio")).isNaN();
    }

    private static java.util.Map.Entry<String, Object> entry(String key, Object value) {
        return java.util.Map.entry(key, value);
    }

    private static QemuEvacuationDemo.VmReport vm(String name, String outcome, long lost, boolean crashed) {
        return new QemuEvacuationDemo.VmReport(name, "hostB", outcome, "", 4000, 200,
                new UdpProbeResult(1000, 1000 - lost, lost, 0, 10, 5, List.of()), true, !crashed,
                outcome.equals("COMPLETED") ? 4000 : -1, crashed, "", List.of());
    }
}
