package io.cutover.agent.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DurationConverterTest {

    @Test
    void readsEveryUnit() {
        assertThat(DurationConverter.parse("300ms")).isEqualTo(Duration.ofMillis(300));
        assertThat(DurationConverter.parse("5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(DurationConverter.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(DurationConverter.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(DurationConverter.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(DurationConverter.parse(" 0 ")).isZero();
        assertThat(DurationConverter.parse("0s")).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "5", "-1s", "5 s", "1d", "s", "1e3ms", "9999999999s"})
    void refusesAnythingElseNamingTheValue(String value) {
        assertThatThrownBy(() -> DurationConverter.parse(value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad duration '" + value + "'");
    }

    @Test
    void positiveDurationsNameTheirOption() {
        assertThat(DurationConverter.parsePositive("--echo-interval", "5s")).isEqualTo(Duration.ofSeconds(5));
        assertThatThrownBy(() -> DurationConverter.parsePositive("--echo-interval", "0ms"))
                .hasMessage("--echo-interval must be above zero");
        assertThatThrownBy(() -> DurationConverter.parsePositive("--echo-interval", "soon"))
                .hasMessageStartingWith("--echo-interval: bad duration 'soon'");
    }
}
