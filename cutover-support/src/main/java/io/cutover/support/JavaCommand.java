package io.cutover.support;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of a child JVM: this JVM's own {@code java} (from {@code java.home}), JVM options, then a jar
 * ({@code -jar}) or a class path and main class, then the program's arguments. Immutable: each {@code with} method
 * returns a new command.
 */
public final class JavaCommand {
    private final List<String> jvmOptions;
    private final List<String> program;
    private final List<String> args;

    private JavaCommand(List<String> jvmOptions, List<String> program, List<String> args) {
        this.jvmOptions = List.copyOf(jvmOptions);
        this.program = List.copyOf(program);
        this.args = List.copyOf(args);
    }

    /** {@code java -jar JAR}, the jar by its absolute path. */
    public static JavaCommand jar(Path jar) {
        return new JavaCommand(List.of(), List.of("-jar", jar.toAbsolutePath().toString()), List.of());
    }

    /** {@code java -cp CLASSPATH MAINCLASS}, with this JVM's class path. */
    public static JavaCommand mainClass(String mainClass) {
        return new JavaCommand(List.of(), List.of("-cp", classPath(), mainClass), List.of());
    }

    /**
     * This JVM's program again: {@link #jar} of its jar when its class path is one jar (it was started with
     * {@code java -jar}, whose manifest then applies to the child too), else {@link #mainClass}.
     */
    public static JavaCommand thisProgram(String mainClass) {
        String classPath = classPath();
        if (classPath.endsWith(".jar") && !classPath.contains(File.pathSeparator)) {
            return jar(Path.of(classPath));
        }
        return mainClass(mainClass);
    }

    /** This command with {@code options} added to its JVM options (such as {@code -Xmx64m}). */
    public JavaCommand withJvmOptions(String... options) {
        return new JavaCommand(concat(jvmOptions, options), program, args);
    }

    /** This command with {@code more} added to the program's arguments. */
    public JavaCommand withArgs(String... more) {
        return new JavaCommand(jvmOptions, program, concat(args, more));
    }

    /** The command line, for {@link ProcessBuilder}. */
    public List<String> toList() {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(program);
        command.addAll(args);
        return List.copyOf(command);
    }

    private static String classPath() {
        return System.getProperty("java.class.path");
    }

    private static List<String> concat(List<String> first, String... then) {
        List<String> all = new ArrayList<>(first);
        all.addAll(List.of(then));
        return all;
    }
}
