package io.cutover.lab.impl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The files of one guest, in a directory of the lab's run directory: the serial console's log and socket, QEMU's
 * own output, its pid file and (unless the spec puts it elsewhere) its QMP socket.
 *
 * @param dir the guest's directory, such as {@code /run/cutover/labs/lab-1a2b3c/guests/hostA/vm1}
 */
public record GuestFiles(Path dir) {
    /** How many lines of a log an error message quotes. */
    static final int TAIL_LINES = 15;

    public Path serialLog() {
        return dir.resolve("serial.log");
    }

    /** The serial console's input: a unix socket QEMU listens on, whose bytes the guest reads on its console. */
    public Path consoleSocket() {
        return dir.resolve("console.sock");
    }

    public Path qemuLog() {
        return dir.resolve("qemu.log");
    }

    public Path pidFile() {
        return dir.resolve("qemu.pid");
    }

    public Path qmpSocket() {
        return dir.resolve("qmp.sock");
    }

    /** The serial console's output so far ("" before the guest has written any). */
    public String serial() {
        return read(serialLog());
    }

    /** The last lines of the serial console and of QEMU's output, for error messages. */
    public String tails() {
        return "\n--- serial console (" + serialLog() + ") ---\n" + tail(serial())
                + "\n--- qemu (" + qemuLog() + ") ---\n" + tail(read(qemuLog()));
    }

    /** The last lines of {@code text}, for an error message. */
    public static String tail(String text) {
        List<String> lines = text.strip().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }
}
