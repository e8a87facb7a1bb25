package io.cutover.arp;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScheduleTest {

    private static List<Long> millis(Schedule schedule) {
        return schedule.offsets().stream().map(Duration::toMillis).toList();
    }

    @Test
    void qemuDefaultIsFiveRoundsOver800ms() {
        assertThat(millis(Schedule.qemu())).containsExactly(0L, 50L, 200L, 450L, 800L);
        assertThat(Schedule.qemu().span()).isEqualTo(Duration.ofMillis(800));
    }

    @Test
    void qemuGapsAreCappedAtMax() {
        Schedule schedule = Schedule.qemu(7, Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(200));
        assertThat(millis(schedule)).containsExactly(0L, 50L, 200L, 400L, 600L, 800L, 1000L);
    }

    @Test
    void keepalivedRepeatsAfterTheDelayThenRefreshes() {
        Schedule schedule = Schedule.keepalived(3, Duration.ofSeconds(5), 2, Duration.ofSeconds(60));
        assertThat(millis(schedule)).containsExactly(0L, 0L, 0L, 5000L, 5000L, 5000L, 65000L, 125000L);
        assertThat(millis(Schedule.keepalived())).containsExactly(0L, 0L, 0L, 0L, 0L, 5000L, 5000L, 5000L, 5000L, 5000L);
        assertThat(millis(Schedule.keepalived(2, Duration.ZERO, 0, Duration.ZERO))).containsExactly(0L, 0L);
    }

    @Test
    void badSchedulesAreRefused() {
        assertThatThrownBy(() -> Schedule.qemu(0, Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(550)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rounds");
        assertThatThrownBy(() -> Schedule.qemu(5, Duration.ofMillis(-1), Duration.ofMillis(100), Duration.ofMillis(550)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("initial");
        assertThatThrownBy(() -> Schedule.qemu(5, Duration.ofMillis(600), Duration.ofMillis(100), Duration.ofMillis(550)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max");
        assertThatThrownBy(() -> Schedule.qemu(Schedule.MAX_ROUNDS + 1, Duration.ZERO, Duration.ZERO, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Schedule.keepalived(5, Duration.ofSeconds(5), 1, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("refresh");
        assertThatThrownBy(() -> Schedule.ofOffsets(List.of(Duration.ofMillis(1))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Schedule.ofOffsets(List.of(Duration.ZERO, Duration.ofMillis(5), Duration.ofMillis(4))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Schedule.qemu(3, Duration.ofHours(1), Duration.ZERO, Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("later than");
    }
}
