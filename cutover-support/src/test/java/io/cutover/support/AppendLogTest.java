package io.cutover.support;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AppendLogTest {
    @TempDir
    Path dir;

    @Test
    void linesSurviveAReopenAcrossTheFilesGrowth() throws Exception {
        Path file = dir.resolve("log");
        String big = "x".repeat(300_000);
        try (AppendLog log = AppendLog.open(file)) {
            assertThat(log.lines()).isEmpty();
            for (int i = 0; i < 5; i++) {
                log.append(i + " " + big);
            }
            log.append("{\"last\": \"ünïcode\"}");
        }
        assertThat(Files.size(file)).as("preallocated past the lines").isGreaterThan(1_500_000)
                .isEqualTo(2L * AppendLog.PREALLOCATE);
        try (AppendLog log = AppendLog.open(file)) {
            assertThat(log.lines()).hasSize(6).startsWith("0 " + big).endsWith("{\"last\": \"ünïcode\"}");
            log.append("after");
        }
        try (AppendLog log = AppendLog.open(file)) {
            assertThat(log.lines()).hasSize(7).endsWith("after");
        }
    }

    @Test
    void aTornLineEndsTheLogAndIsOverwrittenByTheNext() throws Exception {
        Path file = dir.resolve("log");
        try (AppendLog log = AppendLog.open(file)) {
            log.append("one");
            log.append("two, which a crash will tear");
        }
        long tornAt;
        try (RandomAccessFile raw = new RandomAccessFile(file.toFile(), "rw")) {
            byte[] bytes = Files.readAllBytes(file);
            tornAt = new String(bytes, StandardCharsets.UTF_8).indexOf("two");
            raw.seek(tornAt + 5);
            raw.write('X');
        }
        try (AppendLog log = AppendLog.open(file)) {
            assertThat(log.lines()).as("its CRC no longer matches").containsExactly("one");
            log.append("3");
        }
        try (AppendLog log = AppendLog.open(file)) {
            assertThat(log.lines()).as("nothing of the torn line after the new one").containsExactly("one", "3");
        }
    }

    @Test
    void clearDropsEveryLineAndALineBreakIsRefused() {
        Path file = dir.resolve("log");
        try (AppendLog log = AppendLog.open(file)) {
            log.append("one");
            log.clear();
            assertThat(log.size()).isZero();
            log.append("two");
            assertThatThrownBy(() -> log.append("a\nb")).isInstanceOf(IllegalArgumentException.class);
        }
        try (AppendLog log = AppendLog.open(file)) {
            assertThat(log.lines()).containsExactly("two");
        }
    }
}
