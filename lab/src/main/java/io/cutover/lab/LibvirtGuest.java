package io.cutover.lab;

import io.cutover.lab.impl.Daemons;
import io.cutover.lab.impl.GuestFiles;
import io.cutover.lab.impl.GuestReadiness;
import io.cutover.lab.impl.GuestTap;
import io.cutover.lab.impl.HostTsc;
import io.cutover.lab.impl.LibvirtDomainXml;
import io.cutover.lab.impl.Shell;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A lab guest that libvirt runs: the same kernel, init and echo servers as a {@link QemuGuest}, created with {@code
 * virsh create} at one host's {@link Libvirtd} and moved between hosts with {@code virsh migrate --live}, as an
 * orchestrator that drives libvirt (Nova among them) does. Its tap, named as its {@link GuestSpec} says, is made in
 * every host it may run on, up and in no bridge: plug it into each host's switch. Closing destroys the guest wherever
 * it runs and removes its taps.
 */
public final class LibvirtGuest implements AutoCloseable {
    private final Lab lab;
    private final GuestSpec spec;
    private final List<Libvirtd> hosts;
    private final List<String> taps = new ArrayList<>();

    private LibvirtGuest(Lab lab, GuestSpec spec, List<Libvirtd> hosts) {
        this.lab = lab;
        this.spec = spec;
        this.hosts = List.copyOf(hosts);
    }

    /**
     * Makes the guest's tap on each of {@code hosts}, starts the guest at the first, and returns once it is ready
     * (its address set, its echo servers listening).
     *
     * @throws GuestStartException the tap could not be made, libvirt refused the domain, or the guest was not ready
     *                             within {@link GuestSpec#bootTimeout()} (the message ends with its console's last
     *                             lines); nothing is left behind
     */
    public static LibvirtGuest start(Lab lab, GuestImage image, GuestSpec spec, List<Libvirtd> hosts) {
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("a libvirt guest needs a host to start on");
        }
        LibvirtGuest guest = new LibvirtGuest(lab, spec, hosts);
        try {
            guest.create(image);
            guest.awaitReady();
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

    private void create(GuestImage image) {
        for (Libvirtd host : hosts) {
            GuestTap.create(lab.namespace(host.host()), spec.tap(), null);
            taps.add(host.host());
        }
        Libvirtd first = hosts.get(0);
        Path xml = first.guestDir().resolve(spec.name() + ".xml");
        try {
            Files.deleteIfExists(serialLog(first));
            Files.writeString(xml, LibvirtDomainXml.of(spec, image.kernel(), image.initramfs(), HostTsc.kilohertz()));
        } catch (IOException e) {
            throw new GuestStartException("cannot write " + xml + ": " + e.getMessage(), e);
        }
        CommandResult created = first.virsh("create", xml.toString());
        if (!created.ok()) {
            throw new GuestStartException("libvirt did not start " + spec.name() + " on " + first.host() + ": "
                    + created.stderr().strip());
        }
    }

    private void awaitReady() {
        Libvirtd first = hosts.get(0);
        long deadline = System.nanoTime() + spec.bootTimeout().toNanos();
        while (!serial(first).contains(GuestReadiness.READY)) {
            if (serial(first).contains(GuestReadiness.FAILED)) {
                throw new GuestStartException("the init of " + spec.name() + " failed\n"
                        + GuestFiles.tail(serial(first)));
            }
            if (System.nanoTime() > deadline) {
                throw new GuestStartException(spec.name() + " was not ready within " + spec.bootTimeout()
                        + " (no '" + GuestReadiness.READY + "' line)\n" + GuestFiles.tail(serial(first)));
            }
            if (runsOn(first).isEmpty()) {
                throw new GuestStartException("the guest " + spec.name() + " stopped before it was ready\n"
                        + GuestFiles.tail(serial(first)));
            }
            Daemons.sleep(Duration.ofMillis(50));
        }
    }

    public GuestSpec spec() {
        return spec;
    }

    /** The domain's name. */
    public String name() {
        return spec.name();
    }

    /** The host's libvirtd that runs the guest now, if one does. */
    public Optional<Libvirtd> host() {
        return hosts.stream().filter(host -> runsOn(host).isPresent()).findFirst();
    }

    /** The guest's state at {@code host} as {@code virsh domstate} says ({@code running}, {@code paused}...), if any. */
    public Optional<String> runsOn(Libvirtd host) {
        CommandResult state = host.virsh("domstate", spec.name());
        return state.ok() ? Optional.of(state.stdout().strip()) : Optional.empty();
    }

    /**
     * Starts {@code virsh migrate --live} from {@code from} to {@code to}, the stream over the underlay to {@code to}'s
     * address, capped at {@code bandwidthMiBs} MiB/s unless that is 0; returns the running {@code virsh}, whose exit
     * code says whether the migration succeeded (its output in {@code log}).
     */
    public Process startMigration(Libvirtd from, Libvirtd to, int bandwidthMiBs, Path log) {
        String target = lab.topology().underlay(to.host());
        List<String> args = new ArrayList<>(List.of("migrate", "--live", spec.name(), to.uri(),
                "--migrateuri", "tcp://" + target, "--listen-address", target));
        if (bandwidthMiBs > 0) {
            args.addAll(List.of("--bandwidth", Integer.toString(bandwidthMiBs)));
        }
        List<String> command = from.virshCommand(args);
        try {
            return new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new LabException("cannot start " + String.join(" ", command) + ": " + e.getMessage(), e);
        }
    }

    /** The guest's serial console so far, as {@code host} logged it. */
    public String serial(Libvirtd host) {
        try {
            return Files.exists(serialLog(host)) ? Files.readString(serialLog(host)) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private Path serialLog(Libvirtd host) {
        return host.guestDir().resolve(spec.name() + ".serial");
    }

    /** Destroys the guest wherever it runs and removes its taps. */
    @Override
    public void close() {
        RuntimeException failure = null;
        for (Libvirtd host : hosts) {
            if (runsOn(host).isPresent()) {
                CommandResult destroyed = host.virsh("destroy", spec.name());
                if (!destroyed.ok() && runsOn(host).isPresent()) {
                    failure = new LabException("cannot destroy the guest " + spec.name() + " at " + host.host() + ": "
                            + destroyed.stderr().strip());
                }
            }
        }
        for (String host : taps) {
            try {
                GuestTap.delete(lab.namespace(host), spec.tap());
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        taps.clear();
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "libvirt guest " + spec.name();
    }
}
