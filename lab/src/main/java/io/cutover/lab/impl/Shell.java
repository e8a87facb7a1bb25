package io.cutover.lab.impl;

import io.cutover.lab.CommandResult;
import io.cutover.lab.LabException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command and collects what it printed. Output goes through files, not pipes, so that a command
 * that leaves a daemon behind (which inherits its output) cannot block the caller.
 */
public final class Shell {
    /** How long a lab command may take before it is killed. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    private static final String SBIN = "/usr/local/sbin:/usr/sbin:/sbin";

    private Shell() {
    }

    public static CommandResult run(String... command) {
        return run(List.of(command), Map.of(), DEFAULT_TIMEOUT);
    }

    /** Runs {@code command} inside the namespace {@code namespace}. */
    public static CommandResult runIn(String namespace, String... command) {
        return run(inNamespace(namespace, List.of(command)), Map.of(), DEFAULT_TIMEOUT);
    }

    /** {@code command} prefixed so that it runs inside {@code namespace}. */
    public static List<String> inNamespace(String namespace, List<String> command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(command);
        return full;
    }

    public static CommandResult run(List<String> command, Map<String, String> environment, Duration timeout) {
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("cutover-cmd", ".out");
            err = Files.createTempFile("cutover-cmd", ".err");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            builder.environment().merge("PATH", SBIN, (path, sbin) -> path + ":" + sbin);
            builder.environment().putAll(environment);
            Process process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new LabException("'" + String.join(" ", command) + "' did not finish within " + timeout);
            }
            return new CommandResult(List.copyOf(command), process.exitValue(),
                    Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new LabException("cannot run '" + String.join(" ", command) + "': " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while running '" + String.join(" ", command) + "'", e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a temporary file; nothing depends on it
            }
        }
    }
}
