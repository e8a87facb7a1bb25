package io.cutover.lab;

import io.cutover.lab.impl.Daemons;
import io.cutover.lab.impl.LabLayout;
import io.cutover.lab.impl.LibvirtdFiles;
import io.cutover.lab.impl.Prerequisites;
import io.cutover.lab.impl.Shell;
import io.cutover.lab.impl.StateJournal;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A libvirt daemon of one of the lab's hypervisor hosts, as a host that libvirt manages runs it: its guests' QEMUs in
 * the host's network namespace (their taps on the host's own switch), reachable by the other host's libvirtd over the
 * underlay for migrations ({@code qemu+tcp://UNDERLAY/system}, no authentication: the underlay is the lab's own).
 *
 * <p>Two libvirtd on one machine must not share their state: one refuses to migrate to itself, even under another
 * name. Each runs in a private mount namespace of its own with tmpfs over {@code /run/libvirt}, {@code
 * /var/lib/libvirt}, {@code /var/cache/libvirt} and {@code /var/log/libvirt}, its own copy of {@code /etc/libvirt}
 * (its {@code host_uuid}, TCP on its underlay address, QEMU as root, no cgroups: both daemons share the machine's
 * cgroup tree), and {@code virtlogd} beside it. The lab's directory for the host's guests is bound at {@value
 * #GUEST_DIR_INSIDE} inside, so a guest's console and serial log keep one path in the domain's XML on both hosts and
 * each host writes its own ({@link #guestDir()} outside). libvirt's {@code default} network is never started.
 */
public final class Libvirtd implements AutoCloseable {
    /** libvirtd's TCP port on the host's underlay address. */
    public static final int PORT = 16509;
    /** Where the host's guest directory is, inside the daemon's mount namespace. */
    public static final String GUEST_DIR_INSIDE = "/var/lib/libvirt/cutover";
    private static final Duration READY_WITHIN = Duration.ofSeconds(30);
    /** A QEMU monitor event in libvirtd's log, with QEMU's time stamp. */
    private static final Pattern MONITOR_EVENT = Pattern.compile("QEMU_MONITOR_RECV_EVENT: mon=\\S+ event=\\{\"timestamp\": "
            + "\\{\"seconds\": (\\d+), \"microseconds\": (\\d+)\\}, \"event\": \"(\\w+)\"");
    private static final List<String> PROGRAMS = List.of("libvirtd", "virtlogd", "virsh");

    private final Lab lab;
    private final String host;
    private final LibvirtdFiles files;

    private Libvirtd(Lab lab, String host, LibvirtdFiles files) {
        this.lab = lab;
        this.host = host;
        this.files = files;
    }

    /**
     * Starts {@code host}'s libvirtd (and its virtlogd) and returns once it answers {@code virsh}.
     *
     * @throws MissingPrerequisiteException libvirt is not installed
     * @throws LabException                 it is already running, or did not answer in time (the message ends
     *                                      with its log's last lines); nothing is left running
     */
    public static Libvirtd start(Lab lab, String host) {
        for (String program : PROGRAMS) {
            if (Prerequisites.find(program) == null) {
                throw new MissingPrerequisiteException("'" + program + "' not found: install the Debian packages "
                        + "libvirt-daemon-system, libvirt-daemon-driver-qemu and libvirt-clients "
                        + "(scripts/install-packages.sh does)");
            }
        }
        LibvirtdFiles files = new LibvirtdFiles(lab.dir().resolve("libvirt").resolve(host));
        if (Daemons.alivePid(files.pidFile()).isPresent()) {
            throw new LabException("the libvirtd of " + host + " already runs (pid file " + files.pidFile() + ")");
        }
        String address = lab.topology().underlay(host);
        Libvirtd daemon = new Libvirtd(lab, host, files);
        try {
            files.write(address, PORT, host);
            daemon.launch();
            daemon.awaitAnswer();
            return daemon;
        } catch (RuntimeException e) {
            daemon.close();
            throw e;
        }
    }

    /**
     * Starts a libvirtd on each of the lab's hypervisor hosts (those with their own switch), as {@code cutover lab up
     * --libvirt} does; if one cannot start, those started are stopped again.
     */
    public static List<Libvirtd> startOnEveryHost(Lab lab) {
        List<Libvirtd> started = new ArrayList<>();
        try {
            for (HostSwitch host : lab.hostSwitches()) {
                started.add(start(lab, host.host()));
            }
            return started;
        } catch (RuntimeException e) {
            started.forEach(Libvirtd::close);
            throw e;
        }
    }

    /** The libvirtd of {@code host} that this lab runs (such as {@code cutover lab up --libvirt} started), if any. */
    public static Optional<Libvirtd> running(Lab lab, String host) {
        LibvirtdFiles files = new LibvirtdFiles(lab.dir().resolve("libvirt").resolve(host));
        return Daemons.alivePid(files.pidFile()).isPresent() ? Optional.of(new Libvirtd(lab, host, files))
                : Optional.empty();
    }

    /**
     * Its mount namespace, then {@code virtlogd} in the background and {@code libvirtd} in the foreground, so that
     * the process started here becomes libvirtd ({@code exec} all the way) and its pid file names it.
     */
    private void launch() {
        String inside = String.join(" && ",
                "mkdir -p /run/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt",
                "mount -t tmpfs tmpfs /run/libvirt",
                "mount -t tmpfs tmpfs /var/lib/libvirt",
                "mount -t tmpfs tmpfs /var/cache/libvirt",
                "mount -t tmpfs tmpfs /var/log/libvirt",
                "mount --bind " + files.etc() + " /etc/libvirt",
                "mkdir -p /var/lib/libvirt/qemu /var/log/libvirt/qemu /run/libvirt/qemu " + GUEST_DIR_INSIDE,
                "mount --bind " + files.guests() + " " + GUEST_DIR_INSIDE,
                "{ virtlogd -p /run/libvirt/virtlogd.pid & echo $! > " + files.virtlogdPidFile() + "; }",
                "echo $$ > " + files.pidFile(),
                "exec libvirtd --listen -p /run/libvirt/libvirtd.pid");
        List<String> command = Shell.inNamespace(lab.namespace(host),
                List.of("unshare", "-m", "--propagation", "private", "sh", "-c", inside));
        StateJournal journal = new StateJournal(new LabLayout(lab.name()).journal());
        journal.recordDaemon("libvirtd", files.pidFile());
        journal.recordDaemon("virtlogd", files.virtlogdPidFile());
        try {
            new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true)
                    .redirectOutput(files.output().toFile())
                    .start();
        } catch (IOException e) {
            throw new LabException("cannot start libvirtd in " + host + ": " + e.getMessage(), e);
        }
    }

    private void awaitAnswer() {
        long deadline = System.nanoTime() + READY_WITHIN.toNanos();
        while (true) {
            CommandResult answer = virsh("version");
            if (answer.ok()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new LabException("the libvirtd of " + host + " did not answer at " + uri() + " within "
                        + READY_WITHIN.toSeconds() + " s: " + answer.stderr().strip() + files.tail());
            }
            Daemons.sleep(Duration.ofMillis(100));
        }
    }

    public String host() {
        return host;
    }

    /** Where other hosts and this host's agent reach it. */
    public String uri() {
        return "qemu+tcp://" + lab.topology().underlay(host) + ":" + PORT + "/system";
    }

    /** The host's guest directory, as this machine sees it (the daemon sees it at {@value #GUEST_DIR_INSIDE}). */
    public Path guestDir() {
        return files.guests();
    }

    /** libvirtd's own log: its QEMU monitors' events among it (QEMU's {@code STOP} with QEMU's time stamp). */
    public Path log() {
        return files.log();
    }

    /**
     * When this host's QEMUs sent the monitor event {@code event} ({@code STOP}, {@code RESUME}...), by QEMU's own
     * time stamps as libvirtd logged them, oldest first: what libvirt's lifecycle events are measured against.
     */
    public List<Instant> qemuEvents(String event) {
        List<Instant> times = new ArrayList<>();
        try {
            Matcher m = MONITOR_EVENT.matcher(Files.exists(log()) ? Files.readString(log()) : "");
            while (m.find()) {
                if (m.group(3).equals(event)) {
                    times.add(Instant.ofEpochSecond(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)) * 1000));
                }
            }
        } catch (IOException e) {
            throw new LabException("cannot read " + log() + ": " + e.getMessage(), e);
        }
        return times;
    }

    /** Runs {@code virsh -c URI ARGS...} in the host's namespace, as its agent and orchestrator would. */
    public CommandResult virsh(String... args) {
        return virsh(Shell.DEFAULT_TIMEOUT, args);
    }

    /** {@link #virsh(String...)}, waiting at most {@code timeout}. */
    public CommandResult virsh(Duration timeout, String... args) {
        return Shell.run(virshCommand(List.of(args)), Map.of(), timeout);
    }

    /** The command line of {@code virsh -c URI ARGS...} in the host's namespace. */
    List<String> virshCommand(List<String> args) {
        List<String> command = new ArrayList<>(List.of("virsh", "-q", "-c", uri()));
        command.addAll(args);
        return Shell.inNamespace(lab.namespace(host), command);
    }

    /** The names of the guests that run here. */
    public List<String> domains() {
        CommandResult list = virsh("list", "--name");
        if (!list.ok()) {
            throw new LabException("cannot list the guests of the libvirtd of " + host + ": " + list.stderr().strip());
        }
        return list.stdout().lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
    }

    /** Destroys the guests that run here, then stops libvirtd and virtlogd. */
    @Override
    public void close() {
        if (Daemons.alivePid(files.pidFile()).isPresent()) {
            try {
                domains().forEach(domain -> virsh("destroy", domain));
            } catch (RuntimeException e) {
                // stopping the daemon matters more; the lab's teardown kills what its namespace still holds
            }
        }
        Daemons.stop(files.pidFile(), Duration.ofSeconds(3));
        Daemons.stop(files.virtlogdPidFile(), Duration.ofSeconds(3));
    }

    @Override
    public String toString() {
        return "libvirtd of " + host + " at " + uri();
    }

    /** Whether libvirt is installed here. */
    public static boolean installed() {
        return PROGRAMS.stream().allMatch(program -> Prerequisites.find(program) != null)
                && Files.isDirectory(Path.of("/etc/libvirt"));
    }
}
