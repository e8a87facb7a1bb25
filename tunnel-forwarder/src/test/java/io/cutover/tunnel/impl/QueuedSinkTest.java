package io.cutover.tunnel.impl;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class QueuedSinkTest {

    @Test
    void framesTheTargetDoesNotSendAreReportedAsFailed() {
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger delivered = new AtomicInteger();
        FrameSink everyOther = new FrameSink() {
            private int seen;

            @Override
            public boolean inject(byte[] frame, int length) {
                boolean sent = seen++ % 2 == 0;
                if (sent) {
                    delivered.incrementAndGet();
                }
                return sent;
            }

            @Override
            public void close() {
            }
        };
        QueuedSink sink = new QueuedSink(everyOther, 100, Executors.defaultThreadFactory(), "test-inject",
                failed::addAndGet);
        for (int i = 0; i < 10; i++) {
            assertThat(sink.inject(new byte[64], 64)).as("queued").isTrue();
        }
        sink.close();

        assertThat(delivered.get() + failed.get()).isEqualTo(10);
        assertThat(failed.get()).isEqualTo(5);
    }

    @Test
    void aFullQueueRefusesAtOnce() {
        FrameSink stuck = new FrameSink() {
            @Override
            public boolean inject(byte[] frame, int length) {
                return true;
            }

            @Override
            public int injectCopies(List<FrameCopy> frames) {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return frames.size();
            }

            @Override
            public void close() {
            }
        };
        QueuedSink sink = new QueuedSink(stuck, 2, Executors.defaultThreadFactory(), "test-inject", n -> { });
        int accepted = 0;
        for (int i = 0; i < 10; i++) {
            accepted += sink.inject(new byte[64], 64) ? 1 : 0;
        }
        sink.close();
        assertThat(accepted).isLessThan(10);
    }
}
