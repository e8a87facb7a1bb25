package io.cutover.support;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
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
        Process parent = new ProcessBuilder("sh", "-c", "sleep 2 & echo $!; exec sleep 30").start();
        try {
            ProcessHandle child = backgroundChild(parent);
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

    /** The process {@code parent}'s shell started in the background, by the pid it printed ({@code echo $!}). */
    static ProcessHandle backgroundChild(Process parent) throws IOException {
        try (BufferedReader out = parent.inputReader()) {
            return ProcessHandle.of(Long.parseLong(out.readLine().strip())).orElseThrow();
        }
    }
}
