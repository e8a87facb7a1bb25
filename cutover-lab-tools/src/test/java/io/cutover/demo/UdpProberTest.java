package io.cutover.demo;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The prober against a real echo service on loopback, paused for a while as a VM is in its blackout. */
class UdpProberTest {

    @Test
    void theGapAcrossABlackoutIsTheSilenceThatOverlapsIt() throws Exception {
        try (UdpEchoResponder echo = UdpEchoResponder.start(0)) {
            UdpProber prober = new UdpProber(new InetSocketAddress(InetAddress.getLoopbackAddress(), echo.port()),
                    1000, 10_000);
            CompletableFuture<UdpProbeResult> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return prober.run(Duration.ofMillis(300));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Thread.sleep(300);
            long quietAt = System.nanoTime();
            Thread.sleep(100);
            echo.pause();
            long pausedAt = System.nanoTime();
            Thread.sleep(150);
            echo.resume();
            long resumedAt = System.nanoTime();
            Thread.sleep(300);
            prober.stop();
            UdpProbeResult result = run.get(10, TimeUnit.SECONDS);

            assertThat(result.lost()).isZero();
            UdpProber.Gap gap = prober.gapAcross(pausedAt, resumedAt);
            assertThat(gap.millis()).isBetween(140.0, 400.0);
            // a probe that passed the responder's pause check just before pause() is answered just after it
            assertThat(gap.fromNanos()).isLessThanOrEqualTo(pausedAt + TimeUnit.MILLISECONDS.toNanos(5));
            assertThat(gap.toNanos()).isGreaterThanOrEqualTo(resumedAt);
            assertThat(prober.gapAcross(quietAt, quietAt + 1_000_000).millis())
                    .as("no blackout then").isLessThan(gap.millis() / 2);
        }
    }
}
