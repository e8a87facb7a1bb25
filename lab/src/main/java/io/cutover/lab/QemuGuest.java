package io.cutover.lab;

import io.cutover.lab.impl.Daemons;
import io.cutover.lab.impl.FileTree;
import io.cutover.lab.impl.GuestFiles;
import io.cutover.lab.impl.GuestReadiness;
import io.cutover.lab.impl.GuestTap;
import io.cutover.lab.impl.HostTsc;
import io.cutover.lab.impl.LabLayout;
import io.cutover.lab.impl.Prerequisites;
import io.cutover.lab.impl.QemuCommandLine;
import io.cutover.lab.impl.Shell;
import io.cutover.lab.impl.StateJournal;

import java.io.File;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real virtual machine in a lab host: QEMU (TCG) booting a {@link GuestImage}, with its network device on a tap
 * in the host's namespace and QMP on a unix socket. QEMU is journaled in the lab before it starts, so
 * {@link Lab#down} reaps it even after a crash of whoever started it. {@link #close()} stops QEMU and removes
 * its tap and files.
 *
 * <pre>{@code
 * GuestSpec spec = GuestSpec.builder("vm1", "198.18.0.100/24").udpEcho(7).bridge("br0").build();
 * try (QemuGuest guest = QemuGuest.start(lab, "hostA", GuestImage.build(), spec)) {
 *     // the guest answers UDP on 198.18.0.100:7; QMP on guest.qmpSocket()
 * }
 * }</pre>
 */
public final class QemuGuest implements AutoCloseable {
    /** How long QEMU has to exit on SIGTERM before it is killed. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(3);

    private final GuestSpec spec;
    private final String namespace;
    private final GuestFiles files;
    private final Path qmpSocket;
    private Process qemu;
    private boolean tapMade;
    private boolean closed;

    private QemuGuest(GuestSpec spec, String namespace, GuestFiles files) {
        this.spec = spec;
        this.namespace = namespace;
        this.files = files;
        this.qmpSocket = spec.qmpSocket().orElse(files.qmpSocket());
    }

    /**
     * Starts {@code spec} in the host {@code node} of {@code lab} and waits until it is ready: its init has set
     * its address and its echo server listens (a booting guest), or QEMU listens on QMP ({@code incoming}).
     *
     * @throws GuestStartException QEMU is missing or exited, the tap could not be made, or the guest was not ready
     *                             in time (the message ends with its console's last lines); nothing is left behind
     */
    public static QemuGuest start(Lab lab, String node, GuestImage image, GuestSpec spec) {
        if (Prerequisites.find(QemuCommandLine.QEMU) == null) {
            throw new GuestStartException("'" + QemuCommandLine.QEMU
                    + "' not found: install the Debian package qemu-system-x86 (scripts/install-packages.sh does)");
        }
        String namespace = lab.namespace(node);
        GuestFiles files = new GuestFiles(lab.dir().resolve("guests").resolve(node).resolve(spec.name()));
        if (Daemons.alivePid(files.pidFile()).isPresent()) {
            throw new GuestStartException("guest " + spec.name() + " already runs in " + node + " (pid file "
                    + files.pidFile() + ")");
        }
        QemuGuest guest = new QemuGuest(spec, namespace, files);
        try {
            guest.launch(lab, image, HostTsc.kilohertz());
            GuestReadiness.await(guest.qemu, spec, files, guest.qmpSocket);
            return guest;
        } catch (RuntimeException e) {
            try {
                guest.close();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private void launch(Lab lab, GuestImage image, long tscKhz) {
        List<String> command = Shell.inNamespace(namespace, QemuCommandLine.of(spec, image.kernel(),
                image.initramfs(), tscKhz, files, qmpSocket));
        try {
            FileTree.delete(files.dir());
            Files.createDirectories(files.dir());
            Files.deleteIfExists(qmpSocket);
        } catch (IOException e) {
            throw new GuestStartException("cannot prepare " + files.dir() + ": " + e.getMessage(), e);
        }
        GuestTap.create(namespace, spec.tap(), spec.bridge().orElse(null));
        tapMade = true;
        new StateJournal(new LabLayout(lab.name()).journal()).recordDaemon(QemuCommandLine.QEMU, files.pidFile());
        try {
            qemu = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true)
                    .redirectOutput(files.qemuLog().toFile())
                    .start();
        } catch (IOException e) {
            throw new GuestStartException("cannot start " + String.join(" ", command) + ": " + e.getMessage(), e);
        }
    }

    public GuestSpec spec() {
        return spec;
    }

    /** The namespace QEMU and its tap are in. */
    public String namespace() {
        return namespace;
    }

    /** The tap interface in {@link #namespace()}. */
    public String tap() {
        return spec.tap();
    }

    /** QEMU's QMP socket (a server: connect, read the greeting, send {@code qmp_capabilities}). */
    public Path qmpSocket() {
        return qmpSocket;
    }

    /** The guest's serial console, as a file QEMU appends to. */
    public Path serialLog() {
        return files.serialLog();
    }

    /**
     * Gives the guest its address at the site it has moved to, through its console, as DHCP or a guest agent would
     * after a move across subnets: {@code cidr} becomes its address, {@code gateway} its default route, and its old
     * address stays as a /32 for the connections that use it. Returns once the guest says it is done.
     *
     * @param gatewayMac the gateway's MAC, which the guest takes as known (it confirms it by itself), so that no answer
     *                   waits for an ARP exchange; or {@code null} for the guest to ask
     * @throws LabException the guest refused the change, did not answer within {@code within}, or its console is gone
     */
    public void renumber(String cidr, String gateway, String gatewayMac, Duration within) {
        String said = ask("renumber " + cidr + " " + gateway + (gatewayMac == null ? "" : " " + gatewayMac),
                "cutover: renumbered " + cidr + " via " + gateway, "cutover: renumber failed", within);
        if (said == null) {
            throw new LabException("guest " + spec.name() + " refused the address " + cidr + files.tails());
        }
    }

    /**
     * Has the guest announce its address (one gratuitous ARP request, through its console), as a cloud guest's
     * network setup does when it takes an address: a router that still maps the address to another MAC, such as the
     * tunnel forwarder's that answered for a VM that had it before and moved away, takes the guest's at once instead
     * of after its neighbour entry expires (15 to 45 s on Linux).
     *
     * @throws LabException the guest could not send it, did not answer within {@code within}, or its console is gone
     */
    public void announce(Duration within) {
        if (ask("announce", "cutover: announced", "cutover: announce failed", within) == null) {
            throw new LabException("guest " + spec.name() + " could not announce its address" + files.tails());
        }
    }

    /**
     * The guest kernel's own network counters, read through its console: where a packet that reached the guest and
     * was never answered went (its ARP table's unresolved discards, its UDP receive buffer, eth0's drops).
     *
     * @throws LabException the guest did not answer within {@code within}, or its console is gone
     */
    public GuestNetworkStats networkStats(Duration within) {
        String said = ask("stats", "cutover: stats end", null, within);
        return GuestNetworkStats.parse(said);
    }

    /**
     * What the guest's kernel said last (the last lines of its log) and its clock source, read through its console: for
     * a guest that stopped answering, whether its kernel saw why (a clock source it stopped trusting, a stall).
     *
     * @throws LabException the guest did not answer within {@code within}, or its console is gone
     */
    public String kernelLog(Duration within) {
        String said = ask("kernel", "cutover: kernel end", null, within);
        return said.replace("cutover: kernel end", "").strip();
    }

    /**
     * Sends {@code command} to the guest's console and waits until it says {@code done}; returns what it said from
     * the command on, or {@code null} if it said {@code failed} (null: nothing counts as failing) first.
     */
    private String ask(String command, String done, String failed, Duration within) {
        try (SocketChannel console = SocketChannel.open(UnixDomainSocketAddress.of(files.consoleSocket()))) {
            ByteBuffer line = ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.US_ASCII));
            while (line.hasRemaining()) {
                console.write(line);
            }
            // the answer is read from the socket, not from the log file: QEMU waits for a console client that does
            // not read before it says more, and logs a character again each time it retries one
            console.configureBlocking(false);
            ByteBuffer chunk = ByteBuffer.allocate(8192);
            StringBuilder said = new StringBuilder();
            long deadline = System.nanoTime() + within.toNanos();
            while (true) {
                while (console.read(chunk.clear()) > 0) {
                    said.append(new String(chunk.array(), 0, chunk.position(), StandardCharsets.US_ASCII));
                }
                if (said.indexOf(done) >= 0) {
                    return said.toString();
                }
                if (failed != null && said.indexOf(failed) >= 0) {
                    return null;
                }
                if (System.nanoTime() > deadline) {
                    throw new LabException("guest " + spec.name() + " did not answer '" + command + "' within "
                            + within + " (it said: " + said.toString().strip() + ")" + files.tails());
                }
                Daemons.sleep(Duration.ofMillis(10));
            }
        } catch (IOException e) {
            String exited = qemu == null || qemu.isAlive() ? ""
                    : " (its QEMU has exited, " + qemu.exitValue() + ")" + files.tails();
            throw new LabException("cannot reach the console of guest " + spec.name() + " at "
                    + files.consoleSocket() + ": " + e.getMessage() + exited, e);
        }
    }

    /** QEMU's pid. */
    public long pid() {
        return qemu.pid();
    }

    /** Whether QEMU still runs. */
    public boolean isAlive() {
        return qemu != null && qemu.isAlive();
    }

    /** Stops QEMU (SIGTERM, then SIGKILL), removes its tap and its files. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (qemu != null) {
            Daemons.stop(qemu.toHandle(), STOP_GRACE);
        }
        if (tapMade) {
            GuestTap.delete(namespace, spec.tap());
        }
        try {
            FileTree.delete(files.dir());
            Files.deleteIfExists(qmpSocket);
        } catch (IOException e) {
            throw new LabException("cannot remove the files of guest " + spec.name() + " (" + files.dir() + "): "
                    + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return spec + " in " + namespace;
    }
}
