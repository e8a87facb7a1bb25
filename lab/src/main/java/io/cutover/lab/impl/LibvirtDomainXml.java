package io.cutover.lab.impl;

import io.cutover.lab.GuestSpec;
import io.cutover.lab.Libvirtd;

import java.nio.file.Path;

/**
 * The libvirt domain of a lab guest: what {@link QemuCommandLine} gives QEMU, said to libvirt. TCG, one vCPU, direct
 * kernel boot on the {@code pc} machine (libvirt has no {@code microvm}), the serial console on a unix socket logged
 * to a file (both in the host's guest directory, {@value Libvirtd#GUEST_DIR_INSIDE} for libvirtd), one virtio network
 * device on the host's existing tap ({@code managed='no'}: the lab made it and plugged it into the host's switch, on
 * every host the guest may move to) without offloads (Open vSwitch's userspace datapath passes no UDP or TCP whose
 * checksums the guest left to the host), no balloon.
 */
public final class LibvirtDomainXml {
    private LibvirtDomainXml() {
    }

    /** The domain's XML. */
    public static String of(GuestSpec spec, Path kernel, Path initramfs, long tscKhz) {
        String dir = Libvirtd.GUEST_DIR_INSIDE + "/" + spec.name();
        return """
                <domain type='qemu'>
                  <name>%s</name>
                  <memory unit='MiB'>%d</memory>
                  <vcpu>1</vcpu>
                  <os>
                    <type arch='x86_64' machine='pc'>hvm</type>
                    <kernel>%s</kernel>
                    <initrd>%s</initrd>
                    <cmdline>%s</cmdline>
                  </os>
                  <cpu mode='custom' match='exact'><model fallback='allow'>qemu64</model></cpu>
                  <on_reboot>destroy</on_reboot>
                  <devices>
                    <emulator>/usr/bin/%s</emulator>
                    <interface type='ethernet'>
                      <mac address='%s'/>
                      <target dev='%s' managed='no'/>
                      <model type='virtio'/>
                      <driver rx_queue_size='%d'>
                        <host csum='off' gso='off' tso4='off' tso6='off' ecn='off' ufo='off'/>
                        <guest csum='off' tso4='off' tso6='off' ecn='off' ufo='off'/>
                      </driver>
                    </interface>
                    <serial type='unix'>
                      <source mode='bind' path='%s.console'/>
                      <log file='%s.serial' append='off'/>
                    </serial>
                    <memballoon model='none'/>
                  </devices>
                </domain>
                """.formatted(escape(spec.name()), spec.memoryMiB(), escape(kernel.toString()),
                escape(initramfs.toString()), escape(QemuCommandLine.kernelCommandLine(spec, tscKhz)),
                QemuCommandLine.QEMU, spec.mac(), escape(spec.tap()), QemuCommandLine.RX_QUEUE_SIZE, escape(dir),
                escape(dir));
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&apos;");
    }
}
