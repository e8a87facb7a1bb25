package io.cutover.lab.impl;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class DaemonsTest {

    /** The daemon's parent here is a {@code sleep} that never reaps it, as init here reaps late. */
    @Test
    void stopEndsADaemonThatTakesSigtermWithoutWaitingForItsReaper() throws Exception {
        Process parent = new ProcessBuilder("sh", "-c", "sleep 30 & echo $!; exec sleep 30").start();
        try (BufferedReader out = parent.inputReader()) {
            ProcessHandle daemon = ProcessHandle.of(Long.parseLong(out.readLine().strip())).orElseThrow();
            long started = System.nanoTime();
            Daemons.stop(daemon, Duration.ofSeconds(3));
            assertThat(Daemons.awaitExit(daemon, Duration.ZERO)).as("stopped").isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("SIGTERM ended it; no grace waited out")
                    .isLessThan(Duration.ofSeconds(2));
        } finally {
            parent.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}
