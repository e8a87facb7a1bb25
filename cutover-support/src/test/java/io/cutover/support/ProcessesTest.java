package io.cutover.support;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class ProcessesTest {

    /**
     * A detached daemon's parent is init, which may reap it late; here the parent is a {@code sleep} that never reaps,
     * so the exited child stays a zombie for as long as the test looks at it.
     */
    @Test
    void aProcessThatExitedButWasNotReapedIsNoLongerRunningThoughTheJdkCallsItAlive() throws Exception {
        Process parent = new ProcessBuilder("sh", "-c", "sleep 2 & exec sleep 30").start();
        try {
            ProcessHandle child = awaitChild(parent);
            assertThat(Processes.running(child)).as("the child while it sleeps").isTrue();
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (Processes.running(child) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(Processes.running(child)).as("the child, once it exited").isFalse();
            assertThat(child.isAlive()).as("the JDK still counts the zombie as alive").isTrue();
            assertThat(Processes.running(parent.toHandle())).isTrue();
        } finally {
            parent.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aProcessThatIsGoneIsNotRunning() throws Exception {
        Process done = new ProcessBuilder("true").start();
        done.waitFor(5, TimeUnit.SECONDS);
        assertThat(Processes.running(done.toHandle())).isFalse();
    }

    /** The first child of {@code parent}, once it has one. */
    static ProcessHandle awaitChild(Process parent) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            var child = parent.children().findFirst();
            if (child.isPresent()) {
                return child.get();
            }
            Thread.sleep(5);
        }
        throw new AssertionError("sh started no child");
    }
}
