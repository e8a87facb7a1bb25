package io.cutover.tunnel.impl;

import io.cutover.tunnel.HoldLimits;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HoldBufferTest {

    private static byte[] frame(int id, int size) {
        byte[] f = new byte[size];
        f[0] = (byte) id;
        return f;
    }

    private static List<Integer> drainIds(HoldBuffer buffer) {
        List<Integer> ids = new ArrayList<>();
        buffer.drain(f -> ids.add(f[0] & 0xFF));
        return ids;
    }

    @Test
    void flushesInArrivalOrder() {
        HoldBuffer buffer = new HoldBuffer(HoldLimits.DEFAULT);
        for (int i = 0; i < 200; i++) {
            assertThat(buffer.add(frame(i, 64))).isZero();
        }
        assertThat(buffer.size()).isEqualTo(200);
        assertThat(buffer.bytes()).isEqualTo(200 * 64);
        List<Integer> ids = drainIds(buffer);
        assertThat(ids).hasSize(200).isSorted();
        assertThat(buffer.size()).isZero();
        assertThat(buffer.bytes()).isZero();
        assertThat(buffer.dropped()).isZero();
    }

    @Test
    void dropsOldestWhenPacketLimitReached() {
        HoldBuffer buffer = new HoldBuffer(new HoldLimits(3, 1_000_000));
        for (int i = 0; i < 5; i++) {
            buffer.add(frame(i, 10));
        }
        assertThat(buffer.dropped()).isEqualTo(2);
        assertThat(drainIds(buffer)).containsExactly(2, 3, 4);
    }

    @Test
    void dropsOldestWhenByteLimitReached() {
        HoldBuffer buffer = new HoldBuffer(new HoldLimits(100, 250));
        buffer.add(frame(1, 100));
        buffer.add(frame(2, 100));
        assertThat(buffer.add(frame(3, 100))).isEqualTo(1);
        assertThat(buffer.bytes()).isEqualTo(200);
        assertThat(drainIds(buffer)).containsExactly(2, 3);
    }

    @Test
    void frameLargerThanTheBufferIsDroppedItself() {
        HoldBuffer buffer = new HoldBuffer(new HoldLimits(100, 50));
        buffer.add(frame(1, 40));
        assertThat(buffer.add(frame(2, 60))).isEqualTo(1);
        assertThat(drainIds(buffer)).containsExactly(1);
    }

    @Test
    void limitsAreValidated() {
        assertThatThrownBy(() -> new HoldLimits(0, 10)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hold.packets");
        assertThatThrownBy(() -> new HoldLimits(10, 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hold.bytes");
    }
}
