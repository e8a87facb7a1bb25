package io.cutover.lab.impl;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code lab status}'s text: each section a table with a header row, its columns aligned. */
class StatusReportTest {
    @Test
    void eachSectionIsATableWithAHeaderRow() {
        StatusReport report = new StatusReport("lab-1", "lan", "/run/cutover/labs/lab-1",
                List.of(new StatusReport.Namespace("hostA", "lab-1-hostA", true),
                        new StatusReport.Namespace("vm1", "lab-1-vm1", false)),
                List.of(new StatusReport.Daemon("named", null, 42L),
                        new StatusReport.Daemon("ovs-vswitchd", "hostA", null)),
                List.of(new StatusReport.Bridge("hostA/br-int", "00000000000000a0", List.of("p1", "p2")),
                        new StatusReport.Bridge("br0", "0000000000000001", null)),
                List.of(new StatusReport.Interface("hostA", "eth0", "UP", List.of("198.19.0.1/24"))),
                new StatusReport.Dns("198.18.0.53", "vms.cutover.test.", "/run/key"));
        assertThat(report.text()).isEqualTo("""
                lab lab-1 (lan) in /run/cutover/labs/lab-1
                namespaces:
                  NODE   NAMESPACE    STATE
                  hostA  lab-1-hostA  up
                  vm1    lab-1-vm1    MISSING
                daemons:
                  DAEMON        HOST    PID
                  named         fabric  42
                  ovs-vswitchd  hostA   NOT RUNNING
                bridges:
                  BRIDGE        DATAPATH ID       PORTS
                  hostA/br-int  00000000000000a0  p1 p2
                  br0           0000000000000001  (unavailable)
                addresses:
                  NODE   INTERFACE  STATE  ADDRESSES
                  hostA  eth0       UP     198.19.0.1/24
                dns: 198.18.0.53 zone vms.cutover.test. key /run/key
                """);
    }
}
