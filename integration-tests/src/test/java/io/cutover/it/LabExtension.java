package io.cutover.it;

import io.cutover.lab.Lab;
import io.cutover.lab.Topology;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A lab for one test class: built before its first test, removed after its last, also when a test fails
 * (and, as a last resort, when the JVM exits). Each class gets a lab of its own with a unique name, so
 * classes may run side by side.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final LabExtension LAB = LabExtension.of(Topology.LAN);
 * ...
 * LAB.lab().exec("client", "ping", "-c", "1", LAB.lab().port("vm1").ipv4Address()).orThrow();
 * }</pre>
 */
public final class LabExtension implements BeforeAllCallback, AfterAllCallback {
    private final Topology topology;
    private volatile Lab lab;

    private LabExtension(Topology topology) {
        this.topology = topology;
    }

    public static LabExtension of(Topology topology) {
        return new LabExtension(topology);
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
