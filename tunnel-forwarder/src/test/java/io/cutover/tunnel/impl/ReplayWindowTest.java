package io.cutover.tunnel.impl;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ReplayWindowTest {
    private final ReplayWindow window = new ReplayWindow();

    private boolean accept(long seq) {
        if (!window.check(seq)) {
            return false;
        }
        window.commit(seq);
        return true;
    }

    @Test
    void acceptsEachSequenceOnce() {
        for (long s = 1; s <= 10_000; s++) {
            assertThat(accept(s)).isTrue();
        }
        for (long s = 10_000 - ReplayWindow.SIZE + 1; s <= 10_000; s++) {
            assertThat(accept(s)).as("replay of %d", s).isFalse();
        }
    }

    @Test
    void acceptsReorderedWithinWindowButNotTooOld() {
        assertThat(accept(100)).isTrue();
        assertThat(accept(50)).isTrue();
        assertThat(accept(50)).isFalse();
        assertThat(accept(99)).isTrue();
        assertThat(accept(100 + ReplayWindow.SIZE)).isTrue();
        assertThat(accept(100)).isFalse();
        assertThat(accept(101)).as("inside the window, never seen").isTrue();
        assertThat(accept(99)).as("older than the window").isFalse();
    }

    @Test
    void zeroIsRefusedAndTheTopBitIsJustAHighSequence() {
        assertThat(window.check(0)).isFalse();
        assertThat(accept(Long.MAX_VALUE)).isTrue();
        assertThat(accept(Long.MIN_VALUE)).as("2^63, unsigned: the next one").isTrue();
        assertThat(accept(-5)).as("2^64 - 5, unsigned: newer still").isTrue();
        assertThat(accept(Long.MAX_VALUE)).as("now far older than the window").isFalse();
        assertThat(accept(-5)).as("seen").isFalse();
    }

    @Test
    void checkWithoutCommitDoesNotMoveTheWindow() {
        assertThat(window.check(1_000_000)).isTrue();
        assertThat(window.highest()).isZero();
        assertThat(accept(1)).isTrue();
    }

    @Test
    void largeJumpClearsTheOldBits() {
        assertThat(accept(5)).isTrue();
        assertThat(accept(5 + 10 * ReplayWindow.SIZE)).isTrue();
        assertThat(accept(5 + 10 * ReplayWindow.SIZE - 1)).isTrue();
        assertThat(accept(5 + 9 * ReplayWindow.SIZE + 64)).as("ring slot of an old bit, but a new sequence").isTrue();
    }

    @Test
    void resumeRefusesEverythingUpToTheFloor() {
        window.resumeAfter(500);
        assertThat(accept(500)).isFalse();
        assertThat(accept(400)).isFalse();
        assertThat(accept(501)).isTrue();
        assertThat(accept(502)).isTrue();
        assertThat(accept(499)).isFalse();
    }
}
