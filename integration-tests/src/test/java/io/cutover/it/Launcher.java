package io.cutover.it;

import io.cutover.support.JavaCommand;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs the real {@code cutover} launcher jar (built by the cutover-cli module) as a separate process. */
public final class Launcher {
    private static final java.util.regex.Pattern REST = java.util.regex.Pattern.compile("rest (http://\\S+/v1)");

    private Launcher() {
    }

    /** The shaded jar, as failsafe's {@code cutover.jar} system property names it. */
    public static Path jar() {
        Path jar = Path.of(System.getProperty("cutover.jar", "../cutover-cli/target/cutover.jar"));
        if (!Files.exists(jar)) {
            throw new IllegalStateException("the launcher jar is missing: " + jar.toAbsolutePath());
        }
        return jar;
    }

    /** {@code java -jar cutover.jar args...}, optionally inside a lab namespace, as a command line. */
    public static List<String> command(String namespace, String... args) {
        List<String> command = new ArrayList<>();
        if (namespace != null) {
            command.addAll(List.of("ip", "netns", "exec", namespace));
        }
        command.addAll(JavaCommand.jar(jar()).withArgs(args).toList());
        return command;
    }

    /** Starts the launcher with {@code args}; its output goes to {@code log}. */
    public static Process start(Path log, String namespace, String... args) throws java.io.IOException {
        return new ProcessBuilder(command(namespace, args))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(new File("/dev/null"))
                .start();
    }

    /**
     * Waits until {@code log} of the launcher's {@code process} says its REST API's address ("rest http://.../v1"), at
     * most {@code within}; fails if the process exits first.
     */
    public static String awaitRest(Process process, Path log, java.time.Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            String text = Files.exists(log) ? Files.readString(log) : "";
            java.util.regex.Matcher m = REST.matcher(text);
            if (m.find()) {
                return m.group(1);
            }
            if (!process.isAlive()) {
                throw new AssertionError("the launcher exited: " + text);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the launcher did not serve within " + within + ": " + Files.readString(log));
    }
}
