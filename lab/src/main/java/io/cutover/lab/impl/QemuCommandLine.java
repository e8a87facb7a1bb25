package io.cutover.lab.impl;

import io.cutover.lab.GuestSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The QEMU command line of a lab guest: TCG (KVM cannot boot a stock kernel on the lab's machines), one vCPU,
 * no default devices, the serial console to a file and from a unix socket (the lab's commands), direct kernel boot, one virtio network device on a tap
 * without virtio-net headers (Open vSwitch's userspace datapath passes no UDP or TCP with them), QMP on a unix
 * socket.
 */
public final class QemuCommandLine {
    /**
     * The guest's receive ring, in descriptors: QEMU's largest (its default is 256). A guest that has just resumed
     * under TCG on a busy host drains its ring slowly while the forwarder's flush and the live traffic arrive at once,
     * and QEMU drops what a full ring cannot take; the same setting Nova exposes as {@code [libvirt] rx_queue_size}.
     */
    public static final int RX_QUEUE_SIZE = 1024;
    /** The QEMU program. */
    public static final String QEMU = "qemu-system-x86_64";

    private QemuCommandLine() {
    }

    /**
     * The whole command line.
     *
     * @param spec      the guest
     * @param kernel    the kernel to boot
     * @param initramfs its initramfs
     * @param tscKhz    the host's TSC frequency (see {@link HostTsc})
     * @param files     the guest's files
     * @param qmpSocket where the QMP socket goes
     */
    public static List<String> of(GuestSpec spec, Path kernel, Path initramfs, long tscKhz, GuestFiles files,
                                  Path qmpSocket) {
        List<String> command = new ArrayList<>(List.of(QEMU,
                "-name", spec.name(),
                "-M", spec.machine().qemuMachine(),
                "-accel", "tcg",
                "-cpu", "max",
                "-smp", "1",
                "-m", Integer.toString(spec.memoryMiB()),
                "-nodefaults", "-no-user-config",
                "-display", "none",
                "-no-reboot",
                "-chardev", "socket,id=console,server=on,wait=off,path=" + files.consoleSocket()
                        + ",logfile=" + files.serialLog(),
                "-serial", "chardev:console",
                "-kernel", kernel.toString(),
                "-initrd", initramfs.toString(),
                "-append", kernelCommandLine(spec, tscKhz),
                "-netdev", "tap,id=n0,ifname=" + spec.tap() + ",script=no,downscript=no,vnet_hdr=off",
                "-device", spec.machine().netDevice() + ",netdev=n0,mac=" + spec.mac() + ",rx_queue_size=" + RX_QUEUE_SIZE,
                "-qmp", "unix:" + qmpSocket + ",server=on,wait=off",
                "-pidfile", files.pidFile().toString()));
        if (spec.incoming()) {
            command.addAll(List.of("-incoming", "defer"));
        }
        return command;
    }

    /** What the guest's kernel and init read: the console, the TSC, and {@code cutover.*} for the init. */
    static String kernelCommandLine(GuestSpec spec, long tscKhz) {
        List<String> words = new ArrayList<>(List.of("console=ttyS0", "panic=-1", "quiet", "tsc_early_khz=" + tscKhz,
                "cutover.ip=" + spec.ipv4()));
        spec.gateway().ifPresent(gateway -> words.add("cutover.gw=" + gateway));
        if (!spec.udpEchoPorts().isEmpty()) {
            words.add("cutover.udp=" + ports(spec.udpEchoPorts()));
        }
        if (!spec.tcpEchoPorts().isEmpty()) {
            words.add("cutover.tcp=" + ports(spec.tcpEchoPorts()));
        }
        spec.dirty().ifPresent(dirty -> words.add("cutover.dirty=" + dirty.mebibytes() + "," + dirty.pagesPerSecond()));
        return String.join(" ", words);
    }

    private static String ports(List<Integer> ports) {
        return ports.stream().map(String::valueOf).collect(Collectors.joining(","));
    }
}
