package io.cutover.demo;

import io.cutover.lab.HostSwitch;
import io.cutover.lab.Lab;

import java.util.concurrent.TimeUnit;

/** A demo guest's place in the lab's network: its tap on a host's own switch, and the client reaching it. */
final class LabGuestPorts {
    private LabGuestPorts() {
    }

    /** Plugs {@code tap} into {@code host}'s own switch, until {@code resources} are closed. */
    static void plug(Lab lab, String host, String tap, Resources resources) {
        HostSwitch hostSwitch = lab.hostSwitch(host);
        hostSwitch.addPort(tap);
        resources.add(() -> hostSwitch.removePort(tap));
    }

    /** Waits until the client reaches the guest at {@code address} (its flows are in place, it answers ARP). */
    static void awaitReachable(Lab lab, String address) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!lab.exec("client", "ping", "-c", "1", "-W", "1", address).ok()) {
            if (System.nanoTime() > deadline) {
                String why = "the client cannot reach the guest at " + address;
                throw new IllegalStateException(why + NetworkSnapshot.describe(lab, why));
            }
            Thread.sleep(100);
        }
    }
}
