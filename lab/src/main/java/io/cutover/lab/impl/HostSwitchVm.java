package io.cutover.lab.impl;

import io.cutover.lab.HostSwitch;
import io.cutover.lab.LabException;

import java.util.List;

/**
 * A namespace VM cabled into a hypervisor host's own switch: its {@code eth0} is one end of a veth pair whose other
 * end, named after the VM, is a port of the host's bridge. Moving it recables {@code eth0} to another host's bridge,
 * its namespace (addresses, sockets) kept, as a migrated VM keeps its state. Light and quick, for tests of the
 * controller's virtual networks; a guest whose pause stops everything is a {@code QemuGuest}.
 */
public final class HostSwitchVm {
    /** The VM's interface. */
    public static final String IFACE = "eth0";

    private HostSwitchVm() {
    }

    /** Cables the VM in {@code vmNamespace} into {@code host}'s bridge, with {@code mac} and {@code ipv4} (a prefix). */
    public static void cable(String vmNamespace, String vmName, HostSwitch host, String hostNamespace, String mac,
                             String ipv4) {
        Shell.run("ip", "link", "add", IFACE, "netns", vmNamespace, "address", mac, "type", "veth",
                "peer", "name", vmName, "netns", hostNamespace).orThrow();
        Shell.run("ip", "-n", vmNamespace, "addr", "add", ipv4, "dev", IFACE).orThrow();
        for (List<String> end : List.of(List.of(vmNamespace, IFACE), List.of(hostNamespace, vmName))) {
            // the userspace datapath does not finish checksums a sender left to offload (see LabBuilder.plug)
            Shell.runIn(end.get(0), "ethtool", "-K", end.get(1), "tx", "off").orThrow();
            Shell.run("ip", "-n", end.get(0), "link", "set", end.get(1), "up").orThrow();
        }
        host.addPort(vmName);
    }

    /** Unplugs the VM's cable from {@code host}'s bridge and removes it, its namespace left as it is. */
    public static void uncable(String vmNamespace, String vmName, HostSwitch host) {
        host.removePort(vmName);
        if (Shell.run("ip", "-n", vmNamespace, "link", "show", IFACE).ok()) {
            Shell.run("ip", "-n", vmNamespace, "link", "del", IFACE).orThrow();
        }
    }

    /** {@code eth0}'s IPv4 address with its prefix length, such as {@code 198.18.50.1/24}. */
    public static String ipv4(String vmNamespace) {
        String out = Shell.run("ip", "-n", vmNamespace, "-4", "-o", "addr", "show", IFACE).orThrow().stdout();
        String[] words = out.strip().split("\\s+");
        for (int i = 0; i + 1 < words.length; i++) {
            if (words[i].equals("inet")) {
                return words[i + 1];
            }
        }
        throw new LabException("no IPv4 address on " + IFACE + " of " + vmNamespace + ": " + out);
    }
}
