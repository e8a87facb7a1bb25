package io.cutover.lab.impl;

import io.cutover.lab.LabException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The files of one lab host's libvirtd, under {@code <lab>/libvirt/<host>}: its {@code /etc/libvirt} (a copy of this
 * machine's with the lab's {@code libvirtd.conf} and {@code qemu.conf}), its pid files, its log, and the host's guest
 * directory.
 */
public record LibvirtdFiles(Path dir) {
    private static final Path SYSTEM_ETC = Path.of("/etc/libvirt");

    public Path etc() {
        return dir.resolve("etc");
    }

    public Path guests() {
        return dir.resolve("guests");
    }

    public Path pidFile() {
        return dir.resolve("libvirtd.pid");
    }

    public Path virtlogdPidFile() {
        return dir.resolve("virtlogd.pid");
    }

    /** libvirtd's log file: QEMU's monitor events at info level, the rest from warnings up. */
    public Path log() {
        return dir.resolve("libvirtd.log");
    }

    /** What the daemons print (their start-up failures). */
    public Path output() {
        return dir.resolve("libvirtd.out");
    }

    /**
     * Writes the daemon's configuration: a copy of {@code /etc/libvirt} with TCP on {@code address}:{@code port}
     * without authentication (the lab's underlay only), a {@code host_uuid} of its own (derived from {@code host}),
     * QEMU run as root without cgroups, its own log, and no autostarted network.
     */
    public void write(String address, int port, String host) {
        try {
            FileTree.delete(dir);
            Files.createDirectories(guests());
            copy(SYSTEM_ETC, etc());
            Files.writeString(etc().resolve("libvirtd.conf"), String.join("\n",
                    "listen_tls = 0",
                    "listen_tcp = 1",
                    "listen_addr = \"" + address + "\"",
                    "tcp_port = \"" + port + "\"",
                    "auth_tcp = \"none\"",
                    "auth_unix_rw = \"none\"",
                    "host_uuid = \"" + UUID.nameUUIDFromBytes(("cutover-lab-" + host).getBytes(StandardCharsets.UTF_8))
                            + "\"",
                    "log_outputs = \"2:file:" + log() + "\"",
                    "log_filters = \"2:qemu.qemu_monitor_json 3:*\"",
                    ""));
            // as root: libvirt's own user cannot open this machine's /dev/kvm and re-probes QEMU on every start
            // (a migration took 10 s); no cgroups: both daemons share the machine's cgroup tree; no private /dev
            Files.writeString(etc().resolve("qemu.conf"), String.join("\n",
                    "user = \"root\"",
                    "group = \"root\"",
                    "dynamic_ownership = 0",
                    "remember_owner = 0",
                    "security_driver = \"none\"",
                    "cgroup_controllers = [ ]",
                    "namespaces = [ ]",
                    ""));
            Files.deleteIfExists(etc().resolve("qemu/networks/autostart/default.xml"));
        } catch (IOException e) {
            throw new LabException("cannot write the libvirt configuration in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> tree = Files.walk(from)) {
            for (Path source : (Iterable<Path>) tree::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(target);
                } else if (!Files.isSymbolicLink(source)) {
                    Files.copy(source, target);
                }
            }
        }
    }

    /** The last lines of the daemon's output and log, for an error message. */
    public String tail() {
        StringBuilder tail = new StringBuilder();
        for (Path file : List.of(output(), log())) {
            try {
                tail.append("\n--- ").append(file).append(" ---\n").append(GuestFiles.tail(Files.readString(file)));
            } catch (IOException e) {
                // not written yet
            }
        }
        return tail.toString();
    }
}
