package io.cutover.tunnel.impl;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ReplayCeilingTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void nothingIsCoveredBeforeTheFirstJournalWriteAndTheCeilingRunsAhead() {
        ReplayCeiling ceiling = new ReplayCeiling(true, 0);
        assertThat(ceiling.covers(1)).isFalse();
        ceiling.claim(1);
        long first = ceiling.propose(0, SECOND);
        assertThat(first).as("at least the minimum headroom above what is claimed").isEqualTo(1 + ReplayCeiling.MIN_HEADROOM);
        ceiling.persisted(first);
        assertThat(ceiling.covers(first)).isTrue();
        assertThat(ceiling.covers(first + 1)).isFalse();
    }

    @Test
    void headroomFollowsTheRateAndTheCeilingNeverShrinks() {
        ReplayCeiling ceiling = new ReplayCeiling(true, 0);
        ceiling.persisted(ceiling.propose(0, 0));
        accept(ceiling, 10_000);
        long busy = ceiling.propose(10_000, SECOND);
        assertThat(busy).as("10,000 per second: twice that ahead").isEqualTo(10_000 + 20_000);
        ceiling.persisted(busy);
        accept(ceiling, 10);
        long quiet = ceiling.propose(10_010, 2 * SECOND);
        assertThat(quiet).as("a quieter second does not lower what is on disk").isEqualTo(busy);
        ceiling.persisted(quiet);
        accept(ceiling, 2);
        assertThat(ceiling.propose(100_000, 2 * SECOND + 1_000)).as("two packets a microsecond apart are no flood")
                .isEqualTo(100_000 + ReplayCeiling.MIN_HEADROOM);
    }

    @Test
    void aSequenceJumpOfARestartedSenderDoesNotWidenTheHeadroom() {
        ReplayCeiling ceiling = new ReplayCeiling(true, 0);
        ceiling.persisted(ceiling.propose(100, 0));
        accept(ceiling, 200);
        long afterJump = ceiling.propose(100 + (1L << 24), SECOND);
        assertThat(afterJump).as("200 accepted in a second: 400 ahead of the new highest").isEqualTo(100 + (1L << 24) + 400);
    }

    private static void accept(ReplayCeiling ceiling, int count) {
        for (int i = 0; i < count; i++) {
            ceiling.accepted();
        }
    }

    @Test
    void aRestartedReceiverIsCoveredUpToItsFloor() {
        ReplayCeiling ceiling = new ReplayCeiling(true, 0);
        ceiling.resumeAt(5_000);
        assertThat(ceiling.covers(5_000)).isTrue();
        assertThat(ceiling.propose(0, SECOND)).isGreaterThan(5_000);
    }

    @Test
    void withoutJournalEverythingIsCovered() {
        ReplayCeiling ceiling = new ReplayCeiling(false, 0);
        assertThat(ceiling.covers(Long.MAX_VALUE)).isTrue();
    }
}
