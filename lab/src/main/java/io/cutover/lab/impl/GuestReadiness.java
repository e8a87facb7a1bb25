package io.cutover.lab.impl;

import io.cutover.lab.GuestSpec;
import io.cutover.lab.GuestStartException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Waits until a guest is up: a booting guest's init writes {@value #READY} on the serial console once its
 * address is set and its echo server listens; a migration's destination is up once QEMU listens on QMP.
 */
public final class GuestReadiness {
    /** What the guest's init writes on the console when the guest is ready. */
    public static final String READY = "cutover: ready";
    /** What the guest's init writes on the console when a step failed. */
    public static final String FAILED = "cutover: failed";
    private static final Duration POLL = Duration.ofMillis(20);

    private GuestReadiness() {
    }

    /**
     * Returns once the guest is up.
     *
     * @throws GuestStartException QEMU exited, the init failed, or {@link GuestSpec#bootTimeout()} passed; the
     *                             message ends with the console's and QEMU's last lines
     */
    public static void await(Process qemu, GuestSpec spec, GuestFiles files, Path qmpSocket) {
        long deadline = System.nanoTime() + spec.bootTimeout().toNanos();
        while (true) {
            String console = files.serial();
            if (spec.incoming() ? Files.exists(qmpSocket) : console.contains(READY)) {
                return;
            }
            if (!qemu.isAlive()) {
                throw new GuestStartException("QEMU of " + spec.name() + " exited (code " + qemu.exitValue()
                        + ") before the guest was ready" + files.tails());
            }
            if (console.contains(FAILED)) {
                throw new GuestStartException("the init of " + spec.name() + " failed" + files.tails());
            }
            if (System.nanoTime() > deadline) {
                throw new GuestStartException(spec.name() + " was not ready within " + spec.bootTimeout()
                        + (spec.incoming() ? " (no QMP socket " + qmpSocket + ")" : " (no '" + READY + "' line)")
                        + files.tails());
            }
            Daemons.sleep(POLL);
        }
    }
}
