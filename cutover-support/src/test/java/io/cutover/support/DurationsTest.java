package io.cutover.support;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DurationsTest {

    @Test
    void readsEveryUnit() {
        assertThat(Durations.parse("300ms")).isEqualTo(Duration.ofMillis(300));
        assertThat(Durations.parse("5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(Durations.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Durations.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(Durations.parse(" 0 ")).isZero();
        assertThat(Durations.parse("0s")).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "5", "-1s", "5 s", "1d", "s", "1e3ms", "9999999999s"})
    void refusesAnythingElseNamingTheValue(String value) {
        assertThatThrownBy(() -> Durations.parse(value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad duration '" + value + "'");
    }

    @Test
    void positiveDurationsNameTheirOption() {
        assertThat(Durations.parsePositive("--echo-interval", "5s")).isEqualTo(Duration.ofSeconds(5));
        assertThatThrownBy(() -> Durations.parsePositive("--echo-interval", "0ms"))
                .hasMessage("--echo-interval must be above zero");
        assertThatThrownBy(() -> Durations.parsePositive("--echo-interval", "soon"))
                .hasMessageStartingWith("--echo-interval: bad duration 'soon'");
    }
}
