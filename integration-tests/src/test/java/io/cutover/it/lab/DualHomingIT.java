package io.cutover.it.lab;

import io.cutover.it.LabExtension;
import io.cutover.lab.Lab;
import io.cutover.lab.Topology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A dual-homed VM has a cable into each host bridge, one of them up: it moves by a link flip, keeps its
 * addresses, and the switches learn it where it now is.
 */
class DualHomingIT {
    @RegisterExtension
    static final LabExtension LAB = LabExtension.of(Topology.LAN);

    @Test
    void aDualHomedVmMovesBetweenBridgesAndStaysReachable() {
        Lab lab = LAB.lab();
        String vm = lab.port(Topology.VM).ipv4Address();
        String client = lab.port("client").ipv4Address();

        String iface = lab.dualHome(Topology.VM, "br-b");
        assertThat(lab.exec(Topology.VM, "ip", "-br", "addr", "show", "dev", iface).orThrow().stdout())
                .contains(vm).contains(lab.port(Topology.VM).ipv6Address());
        assertThat(lab.bridgeOf(Topology.VM)).isEqualTo("br-a");
        lab.exec(Topology.VM, "ping", "-c", "2", "-i", "0.2", "-W", "2", client).orThrow();
        assertThat(macPorts("br-a")).contains(" vm1 ");

        lab.movePort(Topology.VM, "br-b");
        assertThat(lab.bridgeOf(Topology.VM)).isEqualTo("br-b");
        lab.exec(Topology.VM, "ping", "-c", "2", "-i", "0.2", "-W", "2", client).orThrow();
        lab.exec("client", "ping", "-c", "2", "-i", "0.2", "-W", "2", vm).orThrow();
        lab.exec("client", "ping", "-6", "-c", "2", "-i", "0.2", "-W", "2", lab.port(Topology.VM).ipv6Address())
                .orThrow();
        assertThat(macPorts("br-b")).as("learned on the standby cable").contains(" vm1-br-b ");

        lab.movePort(Topology.VM, "br-a");
        lab.exec(Topology.VM, "ping", "-c", "2", "-i", "0.2", "-W", "2", client).orThrow();
        assertThat(lab.bridgeOf(Topology.VM)).isEqualTo("br-a");
        assertThat(lab.dualHome(Topology.VM, "br-b")).as("idempotent").isEqualTo(iface);
    }

    /** {@code bridge}'s MAC table lines that hold the VM's MAC, with port numbers replaced by port names. */
    private static String macPorts(String bridge) {
        Lab lab = LAB.lab();
        StringBuilder found = new StringBuilder();
        for (String line : lab.appctl("fdb/show", bridge).orThrow().stdout().split("\n")) {
            String[] fields = line.strip().split("\\s+");
            if (fields.length >= 3 && fields[2].equalsIgnoreCase(Topology.VM_MAC)) {
                found.append(' ').append(portName(bridge, fields[0])).append(' ');
            }
        }
        return found.toString();
    }

    private static String portName(String bridge, String ofport) {
        for (String port : LAB.lab().bridgePorts(bridge)) {
            String number = LAB.lab().vsctl("get", "Interface", port, "ofport").orThrow().stdout().strip();
            if (number.equals(ofport)) {
                return port;
            }
        }
        return ofport;
    }
}
