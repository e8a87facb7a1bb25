package io.cutover.it;

import io.cutover.lab.Lab;
import io.cutover.lab.Topology;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/**
 * A lab for one test class: built before its first test, removed after its last, also when a test fails
 * (and, as a last resort, when the JVM exits). Each class gets a lab of its own with a unique name, so
 * classes may run side by side. When a test fails, the lab's logs (its daemons', BIND's, the guests' consoles: every
 * {@code *.log} under the lab's directory) are copied to {@code target/lab-logs/CLASS.METHOD/} first.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final LabExtension LAB = LabExtension.of(Topology.LAN);
 * ...
 * LAB.lab().exec("client", "ping", "-c", "1", LAB.lab().port("vm1").ipv4Address()).orThrow();
 * }</pre>
 */
public final class LabExtension implements BeforeAllCallback, AfterAllCallback, TestWatcher {
    /** Where a failed test's lab logs are kept, one directory a test, after the lab is gone. */
    static final Path KEPT_LOGS = Path.of("target", "lab-logs");

    private final Topology topology;
    private final boolean store;
    private volatile Lab lab;

    private LabExtension(Topology topology, boolean store) {
        this.topology = topology;
        this.store = store;
    }

    public static LabExtension of(Topology topology) {
        return new LabExtension(topology, false);
    }

    /** A lab that also runs the replicated store ({@link Lab#startStore()}), as {@code lab up --store} does. */
    public static LabExtension withStore(Topology topology) {
        return new LabExtension(topology, true);
    }

    /** The running lab. */
    public Lab lab() {
        if (lab == null) {
            throw new IllegalStateException("the lab is not up (register the extension as a static field)");
        }
        return lab;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        lab = Lab.up(null, topology).removeAtExit();
        if (store) {
            lab.startStore();
        }
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        Lab failed = lab;
        if (failed == null) {
            return;
        }
        Path kept = KEPT_LOGS.resolve(context.getRequiredTestClass().getSimpleName() + "."
                + context.getTestMethod().map(java.lang.reflect.Method::getName).orElse("all"));
        try (Stream<Path> files = Files.walk(failed.dir())) {
            for (Path log : files.filter(f -> f.toString().endsWith(".log") && Files.isRegularFile(f)).toList()) {
                Path copy = kept.resolve(failed.dir().relativize(log));
                Files.createDirectories(copy.getParent());
                Files.copy(log, copy, StandardCopyOption.REPLACE_EXISTING);
            }
            System.err.println("the lab's logs of the failed test are in " + kept.toAbsolutePath());
        } catch (IOException | UncheckedIOException e) {
            System.err.println("could not keep the lab's logs of the failed test: " + e);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (lab != null) {
            try {
                lab.close();
            } finally {
                lab = null;
            }
        }
    }
}
