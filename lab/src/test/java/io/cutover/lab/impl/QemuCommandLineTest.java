package io.cutover.lab.impl;

import io.cutover.lab.GuestSpec;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class QemuCommandLineTest {
    private static final GuestFiles FILES = new GuestFiles(Path.of("/run/cutover/labs/lab-x/guests/hostA/vm1"));

    @Test
    void bootsTheKernelOnMicrovmWithTheGuestsParametersOnItsCommandLine() {
        GuestSpec spec = GuestSpec.builder("vm1", "198.18.0.100/24").gateway("198.18.0.1").udpEcho(7).udpEcho(9)
                .tcpEcho(7).dirty(32, 5000).build();

        List<String> command = QemuCommandLine.of(spec, Path.of("/cache/vmlinuz"), Path.of("/cache/initramfs.cpio"),
                2_096_037, FILES, FILES.qmpSocket());

        assertThat(command.get(0)).isEqualTo(QemuCommandLine.QEMU);
        assertThat(String.join(" ", command)).contains(
                "-M microvm,acpi=on -accel tcg",
                "-m 128",
                "-chardev socket,id=console,server=on,wait=off,path=" + FILES.consoleSocket() + ",logfile="
                        + FILES.serialLog() + " -serial chardev:console",
                "-kernel /cache/vmlinuz -initrd /cache/initramfs.cpio",
                "-netdev tap,id=n0,ifname=tap-vm1,script=no,downscript=no,vnet_hdr=off",
                "-device virtio-net-device,netdev=n0,mac=02:00:c6:12:00:64,rx_queue_size=1024",
                "-qmp unix:" + FILES.qmpSocket() + ",server=on,wait=off",
                "-pidfile " + FILES.pidFile());
        assertThat(command).doesNotContain("-incoming");
        assertThat(command.get(command.indexOf("-append") + 1)).isEqualTo("console=ttyS0 panic=-1 quiet"
                + " tsc_early_khz=2096037 cutover.ip=198.18.0.100/24 cutover.gw=198.18.0.1 cutover.udp=7,9"
                + " cutover.tcp=7 cutover.dirty=32,5000");
    }

    @Test
    void aDestinationOnThePcWaitsForItsMigration() {
        GuestSpec spec = GuestSpec.builder("vm1", "198.18.0.100/24").machine(GuestSpec.Machine.PC).incoming(true)
                .build();

        List<String> command = QemuCommandLine.of(spec, Path.of("/k"), Path.of("/i"), 1000, FILES,
                Path.of("/tmp/dst.sock"));

        assertThat(String.join(" ", command)).contains("-M pc ", "-device virtio-net-pci,", "-qmp unix:/tmp/dst.sock,")
                .endsWith("-incoming defer");
        assertThat(command.get(command.indexOf("-append") + 1)).endsWith("cutover.ip=198.18.0.100/24");
    }
}
