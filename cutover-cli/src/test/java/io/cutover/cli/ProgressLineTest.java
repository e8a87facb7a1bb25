package io.cutover.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A bar redrawn in place on a terminal; plain lines, every 5 s at most, in a file. */
class ProgressLineTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    @Test
    void onATerminalTheBarIsRedrawnInPlaceAndItsLineEnded() {
        ProgressLine progress = new ProgressLine(out, true);
        for (int i = 0; i < 3; i++) {
            progress.show("[##  ] " + i, "plain " + i, TimeUnit.MILLISECONDS.toNanos(200L * i));
        }
        progress.end();
        assertThat(text()).isEqualTo("\r[##  ] 0\r[##  ] 1\r[##  ] 2" + System.lineSeparator());
    }

    @Test
    void inAFileEachLineIsPlainAndTheyComeEveryFiveSeconds() {
        ProgressLine progress = new ProgressLine(out, false);
        for (int i = 0; i <= 60; i++) {
            progress.show("[##  ] " + i, "plain " + i, TimeUnit.MILLISECONDS.toNanos(200L * i));
        }
        progress.end();
        assertThat(text()).doesNotContain("\r").doesNotContain("[##");
        assertThat(text().lines()).containsExactly("plain 0", "plain 25", "plain 50");
    }

    @Test
    void aTestsStandardErrorIsNoTerminal() {
        assertThat(ProgressLine.isTerminal(2)).as("surefire pipes it").isFalse();
        assertThat(ProgressLine.isTerminal(1_000_000)).as("no such descriptor").isFalse();
    }

    private String text() {
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
