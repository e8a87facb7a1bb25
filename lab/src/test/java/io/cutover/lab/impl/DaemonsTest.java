package io.cutover.lab.impl;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class DaemonsTest {

    /**
     * A detached daemon's parent is init, which may reap it late; here the parent is a {@code sleep} that never reaps,
     * so the exited child stays a zombie for as long as the test looks at it.
     */
    @Test
    void aProcessThatExitedButWasNotReapedIsNoLongerRunningThoughTheJdkCallsItAlive() throws Exception {
        Process parent = new ProcessBuilder("sh", "-c", "sleep 1 & exec sleep 30").start();
        try {
            ProcessHandle child = awaitChild(parent);
            assertThat(Daemons.running(child)).as("the child while it sleeps").isTrue();
            assertThat(Daemons.awaitExit(child, Duration.ofSeconds(5))).as("the child stopped running").isTrue();
            assertThat(child.isAlive()).as("the JDK still counts the zombie as alive").isTrue();
            assertThat(Daemons.running(parent.toHandle())).isTrue();
        } finally {
            parent.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void stopEndsADaemonThatTakesSigtermWithoutWaitingForItsReaper() throws Exception {
        Process parent = new ProcessBuilder("sh", "-c", "sleep 30 & exec sleep 30").start();
        try {
            ProcessHandle child = awaitChild(parent);
            long started = System.nanoTime();
            Daemons.stop(child, Duration.ofSeconds(3));
            assertThat(Daemons.running(child)).isFalse();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("SIGTERM ended it; no grace waited out")
                    .isLessThan(Duration.ofSeconds(2));
        } finally {
            parent.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static ProcessHandle awaitChild(Process parent) throws InterruptedException {
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
