package io.cutover.it;

import io.cutover.support.JavaCommand;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs the real {@code cutover} launcher jar (built by the cutover-cli module) as a separate process. */
public final class Launcher {
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
}
