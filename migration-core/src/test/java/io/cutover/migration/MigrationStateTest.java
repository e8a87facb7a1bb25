package io.cutover.migration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MigrationStateTest {

    @Test
    void stagesRunZeroToFiveInOrder() {
        MigrationState s = MigrationState.PRE_MIGRATION;
        int stage = 0;
        while (!s.isTerminal()) {
            assertThat(s.stage()).isEqualTo(stage++);
            MigrationState next = s.next().stream().filter(n -> n != MigrationState.ROLLED_BACK
                    && n != MigrationState.FAILED_AFTER_COMMIT && n != MigrationState.POST_COPY).findFirst().orElseThrow();
            s = next;
        }
        assertThat(stage).isEqualTo(6);
        assertThat(s).isEqualTo(MigrationState.COMPLETED);
    }

    @Test
    void everyStateBeforeCommitmentRollsBackAndNoneAfter() {
        for (MigrationState s : MigrationState.values()) {
            if (s.isTerminal()) {
                assertThat(s.next()).isEmpty();
            } else if (s.isCommitted()) {
                assertThat(s.canMoveTo(MigrationState.ROLLED_BACK)).as(s.name()).isFalse();
                assertThat(s.canMoveTo(MigrationState.FAILED_AFTER_COMMIT)).isTrue();
            } else {
                assertThat(s.canMoveTo(MigrationState.ROLLED_BACK)).as(s.name()).isTrue();
                assertThat(s.canMoveTo(MigrationState.FAILED_AFTER_COMMIT)).isFalse();
            }
        }
        assertThat(MigrationState.ITERATIVE_PRECOPY.canMoveTo(MigrationState.ACTIVATION)).isFalse();
        assertThat(MigrationState.ACTIVATION.isCommitted()).isTrue();
        assertThat(MigrationState.COMMITMENT.isCommitted()).isFalse();
        // post-copy is a variant of activation: committed, and it can only complete or fail
        assertThat(MigrationState.ACTIVATION.canMoveTo(MigrationState.POST_COPY)).isTrue();
        assertThat(MigrationState.POST_COPY.isCommitted()).isTrue();
        assertThat(MigrationState.POST_COPY.next()).containsExactlyInAnyOrder(MigrationState.COMPLETED,
                MigrationState.FAILED_AFTER_COMMIT);
    }

    @Test
    void optionsRejectNonsenseAndComputeDowntimeSteps() {
        MigrationOptions o = MigrationOptions.builder().downtimeLimit(java.time.Duration.ofMillis(300))
                .downtimeSteps(3, java.time.Duration.ofSeconds(1)).build();
        long gib = 1L << 30;
        // the step delay is per GiB of guest memory, a guest counted as at least 2 GiB (Nova): 2 s for 1 GiB
        assertThat(o.downtimeLimitAt(java.time.Duration.ZERO, gib)).hasMillis(100);
        assertThat(o.downtimeLimitAt(java.time.Duration.ofMillis(1500), gib)).hasMillis(100);
        assertThat(o.downtimeLimitAt(java.time.Duration.ofMillis(2500), gib)).hasMillis(200);
        assertThat(o.downtimeLimitAt(java.time.Duration.ofSeconds(60), gib)).hasMillis(300);
        // 8 s for 8 GiB
        assertThat(o.downtimeStepDelayFor(8 * gib)).hasSeconds(8);
        assertThat(o.downtimeLimitAt(java.time.Duration.ofSeconds(7), 8 * gib)).hasMillis(100);
        assertThat(o.downtimeLimitAt(java.time.Duration.ofSeconds(9), 8 * gib)).hasMillis(200);
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> MigrationOptions.builder().downtimeLimit(java.time.Duration.ZERO).build())
                .withMessageContaining("downtime limit");
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> MigrationOptions.builder().maxBytesFactor(0.5).build());
    }
}
