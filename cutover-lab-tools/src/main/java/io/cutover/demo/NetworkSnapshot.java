package io.cutover.demo;

import io.cutover.lab.CommandResult;
import io.cutover.lab.HostSwitch;
import io.cutover.lab.Lab;
import io.cutover.lab.LabException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the lab's network looked like when a demo found something unreachable: every switch's flows and ports, every
 * node's neighbour table and routes, written to a file that outlives the lab (which is removed when the demo ends).
 */
final class NetworkSnapshot {
    private NetworkSnapshot() {
    }

    /** Writes the snapshot to a file in the system's temporary directory; returns it, or null if it could not. */
    static Path write(Lab lab, String why) {
        StringBuilder text = new StringBuilder(why).append('\n');
        for (HostSwitch hostSwitch : lab.hostSwitches()) {
            section(text, hostSwitch + " flows", hostSwitch.ofctl("-O", "OpenFlow13", "dump-flows", hostSwitch.bridge()));
            section(text, hostSwitch + " ports", hostSwitch.ofctl("-O", "OpenFlow13", "dump-ports-desc",
                    hostSwitch.bridge()));
        }
        for (String bridge : lab.topology().bridges()) {
            section(text, bridge + " flows", lab.ofctl("-O", "OpenFlow13", "dump-flows", bridge));
        }
        for (String node : lab.topology().nodes()) {
            section(text, node + " neighbours", lab.exec(node, "ip", "neigh", "show"));
            section(text, node + " routes", lab.exec(node, "ip", "route", "show"));
        }
        try {
            Path file = Files.createTempFile("cutover-" + lab.name() + "-", ".txt");
            Files.writeString(file, text);
            return file;
        } catch (IOException e) {
            return null;
        }
    }

    private static void section(StringBuilder text, String title, CommandResult result) {
        text.append("== ").append(title).append('\n').append(result.stdout()).append(result.stderr());
    }

    /** Writes the snapshot; returns where it is, as words to append to the failure's message. */
    static String describe(Lab lab, String why) {
        try {
            Path file = write(lab, why);
            return file == null ? "" : " (the network then: " + file + ")";
        } catch (LabException e) {
            return " (no snapshot of the network: " + e.getMessage() + ")";
        }
    }
}
