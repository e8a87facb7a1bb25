package io.cutover.lab.impl;

import io.cutover.lab.CommandResult;
import io.cutover.lab.GuestStartException;
import io.cutover.lab.LabException;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A guest's tap interface in its host's namespace, made before QEMU opens it (so that it can join a bridge before
 * the guest boots) and removed after QEMU is gone. Deleting the namespace removes it too.
 */
public final class GuestTap {
    private GuestTap() {
    }

    /**
     * Makes the tap {@code tap} in {@code namespace}, up, and in {@code bridge} unless that is {@code null}; on
     * failure nothing is left.
     */
    public static void create(String namespace, String tap, String bridge) {
        CommandResult made = Shell.run("ip", "-n", namespace, "tuntap", "add", "dev", tap, "mode", "tap");
        if (!made.ok()) {
            throw new GuestStartException("cannot make the tap " + tap + " in " + namespace + ": "
                    + made.stderr().strip());
        }
        if (bridge != null) {
            CommandResult joined = Shell.run("ip", "-n", namespace, "link", "set", tap, "master", bridge);
            if (!joined.ok()) {
                delete(namespace, tap);
                throw new GuestStartException("cannot put the tap " + tap + " in the bridge " + bridge + " of "
                        + namespace + ": " + joined.stderr().strip());
            }
        }
        CommandResult up = Shell.run("ip", "-n", namespace, "link", "set", tap, "up");
        if (!up.ok()) {
            delete(namespace, tap);
            throw new GuestStartException("cannot set the tap " + tap + " up in " + namespace + ": "
                    + up.stderr().strip());
        }
    }

    /** Removes the tap if its namespace and the tap still exist. */
    public static void delete(String namespace, String tap) {
        if (!Files.exists(Path.of("/run/netns", namespace))
                || !Shell.run("ip", "-n", namespace, "link", "show", tap).ok()) {
            return;
        }
        CommandResult removed = Shell.run("ip", "-n", namespace, "link", "del", tap);
        if (!removed.ok()) {
            throw new LabException("cannot remove the tap " + tap + " from " + namespace + ": "
                    + removed.stderr().strip());
        }
    }
}
