package io.cutover.tunnel.impl;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FlushPacerTest {
    /** A flush of {@code frames} frames that records when each batch went and how big it was. */
    private static final class RecordingFlush implements FlushPacer.Flush {
        final List<long[]> batches = new ArrayList<>();
        final CountDownLatch done = new CountDownLatch(1);
        int left;

        RecordingFlush(int frames) {
            this.left = frames;
        }

        @Override
        public synchronized int flushSome(int max) {
            int now = Math.min(max, left);
            left -= now;
            batches.add(new long[] {System.nanoTime(), now});
            if (left == 0) {
                done.countDown();
            }
            return left;
        }

        @Override
        public synchronized void flushRest() {
            flushSome(Integer.MAX_VALUE);
        }

        synchronized int largestBatch() {
            return batches.stream().mapToInt(b -> (int) b[1]).max().orElse(0);
        }

        synchronized long spanNanos() {
            return batches.get(batches.size() - 1)[0] - batches.get(0)[0];
        }
    }

    @Test
    void sendsTheHeldFramesAtTheRateInBurstsOfAtMostBurst() throws Exception {
        try (FlushPacer pacer = new FlushPacer(10_000, Executors.defaultThreadFactory())) {
            RecordingFlush flush = new RecordingFlush(1_000);
            pacer.start(flush);
            assertThat(flush.done.await(5, TimeUnit.SECONDS)).as("the flush ends").isTrue();
            assertThat(flush.largestBatch()).isLessThanOrEqualTo(FlushPacer.BURST);
            // 1,000 frames at 10,000 a second: the first burst goes at once, the rest take at least (1000 - 32) / 10000 s
            assertThat(flush.spanNanos()).as("nanoseconds from the first batch to the last")
                    .isGreaterThanOrEqualTo((1_000L - FlushPacer.BURST) * 100_000L);
        }
    }

    @Test
    void aRateOfZeroSendsEverythingAtOnceOnTheCallersThread() {
        try (FlushPacer pacer = new FlushPacer(0, Executors.defaultThreadFactory())) {
            RecordingFlush flush = new RecordingFlush(1_000);
            pacer.start(flush);
            assertThat(flush.left).isZero();
            assertThat(flush.batches).hasSize(1);
        }
    }

    @Test
    void aFlushUnderWayWhenThePacerClosesIsLeftToItsMoveAndANewOneGoesAtOnce() {
        FlushPacer pacer = new FlushPacer(1_000, Executors.defaultThreadFactory());
        RecordingFlush slow = new RecordingFlush(1_000);
        pacer.start(slow);
        pacer.close();
        assertThat(slow.left).as("what the first burst left; the move flushes the rest as it closes")
                .isEqualTo(1_000 - FlushPacer.BURST);
        RecordingFlush late = new RecordingFlush(100);
        pacer.start(late);
        assertThat(late.left).as("a pacer that is closed sends the rest at once").isZero();
    }

    @Test
    void aNegativeRateIsRefused() {
        assertThatThrownBy(() -> new FlushPacer(-1, Executors.defaultThreadFactory()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("flush rate");
    }
}
