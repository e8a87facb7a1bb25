package io.cutover.demo;

import io.cutover.lab.GuestImage;
import io.cutover.lab.GuestSpec;
import io.cutover.lab.Lab;
import io.cutover.lab.LibvirtGuest;
import io.cutover.lab.Libvirtd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The libvirt side of a demo's move: the guest libvirt runs at the source's libvirtd and migrates to the
 * destination's with {@code virsh migrate --live}, as an orchestrator that drives libvirt (Nova) does, and QEMU's own
 * {@code STOP} and {@code RESUME} as each libvirtd logged them: when the guest really paused and ran again.
 *
 * @param lab   the lab
 * @param from  the source host's libvirtd
 * @param to    the destination host's libvirtd
 * @param guest the guest, running at {@code from}
 */
record LibvirtScene(Lab lab, Libvirtd from, Libvirtd to, LibvirtGuest guest) {
    /** Starts the guest at {@code from}, its tap made on both hosts; {@code resources} destroys it. */
    static LibvirtScene start(Lab lab, GuestImage image, GuestSpec spec, Libvirtd from, Libvirtd to,
                              Resources resources) {
        LibvirtGuest guest = resources.add(LibvirtGuest.start(lab, image, spec, List.of(from, to)));
        return new LibvirtScene(lab, from, to, guest);
    }

    /**
     * A migration as it happened, by QEMU's time stamps.
     *
     * @param stop   QEMU's STOP at the source: the guest paused
     * @param resume QEMU's RESUME at the destination: it runs there
     */
    record Migrated(Instant stop, Instant resume) {
        double downtimeMillis() {
            return Duration.between(stop, resume).toNanos() / 1e6;
        }
    }

    /** Starts {@code virsh migrate --live}, capped at {@code bandwidthMiBs} MiB/s unless 0; its output goes to the lab. */
    Process startMigration(int bandwidthMiBs) {
        return guest.startMigration(from, to, bandwidthMiBs, log());
    }

    /** Migrates the guest to {@code to} and returns when and how it moved. */
    Migrated migrate(Duration limit) throws IOException, InterruptedException {
        int stopsBefore = from.qemuEvents("STOP").size();
        int resumesBefore = to.qemuEvents("RESUME").size();
        Process virsh = startMigration(0);
        if (!virsh.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            virsh.destroyForcibly();
            throw new IllegalStateException("virsh migrate did not end within " + limit);
        }
        if (virsh.exitValue() != 0) {
            throw new IllegalStateException("virsh migrate failed (exit " + virsh.exitValue() + "): "
                    + Files.readString(log()).strip());
        }
        return new Migrated(after(from.qemuEvents("STOP"), stopsBefore, "STOP", from),
                after(to.qemuEvents("RESUME"), resumesBefore, "RESUME", to));
    }

    /** The first of {@code events} past the {@code before} seen before the migration. */
    private static Instant after(List<Instant> events, int before, String name, Libvirtd host) {
        if (events.size() <= before) {
            throw new IllegalStateException("no QEMU " + name + " in the log of the " + host + " (" + host.log() + ")");
        }
        return events.get(before);
    }

    /** Aborts libvirt's migration of the guest at the source ({@code virsh domjobabort}). */
    void abort() {
        from.virsh("domjobabort", guest.name()).orThrow();
    }

    /** The guest's state at {@code host} ({@code running}, {@code paused}...), or {@code gone}. */
    String status(Libvirtd host) {
        return guest.runsOn(host).orElse("gone");
    }

    private Path log() {
        return lab.dir().resolve("virsh-migrate.out");
    }

    /** {@code instant} on this host's monotonic clock ({@link System#nanoTime()}), as the demo's timeline counts. */
    static long nanoTime(Instant instant) {
        return System.nanoTime() - Duration.between(instant, Instant.now()).toNanos();
    }
}
