package io.cutover.bench;

import io.cutover.ddns.RrsetChange;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One long-lived {@code nsupdate -k KEY} process fed over its standard input: the DNS benchmark's baseline at its
 * best. It is started (and its key read) before any timer; {@link #send} writes a batch of commands and returns
 * once the server has answered the batch's last {@code send}: nsupdate handles its input one command at a time and
 * waits for each answer, so the {@code show} written after the batch prints its header only then.
 */
final class NsupdateProcess implements AutoCloseable {
    /** The first line {@code show} prints. */
    private static final String SHOW_MARKER = "Outgoing update query:";

    private final List<String> command;
    private final Process process;
    private final OutputStream stdin;
    private final BufferedReader stdout;
    private final Path stderr;

    private NsupdateProcess(List<String> command, Process process, Path stderr) {
        this.command = List.copyOf(command);
        this.process = process;
        this.stdin = process.getOutputStream();
        this.stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
        this.stderr = stderr;
    }

    /**
     * Starts {@code command} (an nsupdate command line, typically {@code ip netns exec NS nsupdate -k KEY}), points
     * it at {@code server} and {@code zone}, and waits until it handles commands.
     */
    static NsupdateProcess start(List<String> command, String server, String zone, Path stderr) {
        try {
            Process process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
            NsupdateProcess nsupdate = new NsupdateProcess(command, process, stderr);
            nsupdate.send("server " + server + "\nzone " + zone + "\n");
            return nsupdate;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + String.join(" ", command) + ": " + e.getMessage(), e);
        }
    }

    /** The command line it runs. */
    List<String> command() {
        return command;
    }

    /**
     * Writes {@code commands} (whole lines) and waits until nsupdate has handled all of them; fails when it wrote
     * anything on its standard error meanwhile (a failed prerequisite: {@code update failed: NXRRSET}).
     */
    void send(String commands) {
        try {
            long errorsBefore = Files.size(stderr);
            stdin.write((commands + "show\n").getBytes(StandardCharsets.US_ASCII));
            stdin.flush();
            String line;
            do {
                line = stdout.readLine();
                if (line == null) {
                    throw new IllegalStateException("nsupdate exited: " + Files.readString(stderr).strip());
                }
            } while (!line.equals(SHOW_MARKER));
            if (Files.size(stderr) != errorsBefore) {
                throw new IllegalStateException("nsupdate reported: " + Files.readString(stderr).strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("nsupdate's pipes failed: " + e.getMessage(), e);
        }
    }

    /**
     * nsupdate commands that make {@code changes} (each an address switch with one expected and one desired
     * record, as cutover sends it: a value-dependent prerequisite, a delete of the RRset, an add) in messages of
     * {@code perMessage} changes.
     */
    static String script(List<RrsetChange> changes, int perMessage) {
        StringBuilder text = new StringBuilder(changes.size() * 160);
        for (int from = 0; from < changes.size(); from += perMessage) {
            List<RrsetChange> message = changes.subList(from, Math.min(changes.size(), from + perMessage));
            for (RrsetChange change : message) {
                for (String rdata : change.expected()) {
                    text.append("prereq yxrrset ").append(change.name()).append(' ').append(change.type()).append(' ')
                            .append(rdata).append('\n');
                }
            }
            for (RrsetChange change : message) {
                text.append("update delete ").append(change.name()).append(' ').append(change.type()).append('\n');
                for (String rdata : change.desired()) {
                    text.append("update add ").append(change.name()).append(' ').append(change.ttl().getSeconds())
                            .append(' ').append(change.type()).append(' ').append(rdata).append('\n');
                }
            }
            text.append("send\n");
        }
        return text.toString();
    }

    /** Closes its input (nsupdate then exits) and waits a little for it. */
    @Override
    public void close() {
        try {
            stdin.close();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
