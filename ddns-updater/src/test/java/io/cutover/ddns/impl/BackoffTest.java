package io.cutover.ddns.impl;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class BackoffTest {
    @Test
    void growsExponentiallyWithJitterUpToTheCap() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1));
        Random random = new Random(7);
        for (int i = 0; i < 200; i++) {
            assertThat(backoff.delay(1, random)).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
            assertThat(backoff.delay(3, random)).isBetween(Duration.ofMillis(200), Duration.ofMillis(400));
            assertThat(backoff.delay(30, random)).isBetween(Duration.ofMillis(500), Duration.ofSeconds(1));
        }
        long distinct = java.util.stream.IntStream.range(0, 50).mapToObj(i -> backoff.delay(2, random)).distinct().count();
        assertThat(distinct).isGreaterThan(10);
    }
}
