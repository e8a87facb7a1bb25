package io.cutover.support;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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
    void aTornLastLineIsOverwrittenByTheNext() throws Exception {
        Path file = dir.resolve("log");
        try (AppendLog log = AppendLog.open(file)) {
            log.append("one");
            log.append("two, which a crash will tear");
        }
        byte[] bytes = Files.readAllBytes(file);
        int torn = new String(bytes, StandardCharsets.UTF_8).indexOf("crash");
        java.util.Arrays.fill(bytes, torn, torn + "crash will tear\n".length(), (byte) 0);
        Files.write(file, bytes);
        try (AppendLog log = AppendLog.open(file)) {
            assertThat(log.lines()).as("the torn line has no end").containsExactly("one");
            log.append("3");
        }
        try (AppendLog log = AppendLog.open(file)) {
            assertThat(log.lines()).as("nothing of the torn line after the new one").containsExactly("one", "3");
            assertThat(log.badLines()).isZero();
        }
    }

    @Test
    void aDamagedLineIsLeftOutAndCountedAndTheLinesAfterItAreKept() throws Exception {
        Path file = dir.resolve("log");
        try (AppendLog log = AppendLog.open(file)) {
            log.append("one");
            log.append("two, which the disk will damage");
            log.append("three");
        }
        byte[] bytes = Files.readAllBytes(file);
        int damaged = new String(bytes, StandardCharsets.UTF_8).indexOf("disk");
        bytes[damaged] = 'D';
        Files.write(file, bytes);
        try (AppendLog log = AppendLog.open(file)) {
            assertThat(log.lines()).containsExactly("one", "three");
            assertThat(log.badLines()).isOne();
            log.append("four");
        }
        try (AppendLog log = AppendLog.open(file)) {
            assertThat(log.lines()).as("the damaged line is not overwritten").containsExactly("one", "three", "four");
        }
    }

    @Test
    void concurrentWritersShareTheirSyncsAndLoseNoLine() throws Exception {
        Path file = dir.resolve("log");
        int threads = 4;
        int each = 200;
        try (AppendLog log = AppendLog.open(file)) {
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
            List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int writer = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        log.syncTo(log.write(writer + ":" + i));
                    }
                }));
            }
            for (java.util.concurrent.Future<?> f : done) {
                f.get();
            }
            pool.shutdown();
        }
        try (AppendLog log = AppendLog.open(file)) {
            assertThat(log.lines()).hasSize(threads * each).doesNotHaveDuplicates();
            assertThat(log.lines().stream().filter(l -> l.startsWith("2:")).toList())
                    .as("each writer's lines in its order").containsExactlyElementsOf(
                            java.util.stream.IntStream.range(0, each).mapToObj(i -> "2:" + i).toList());
        }
    }

    @Test
    void aRewriteReplacesEveryLineAndLeavesZerosAhead() throws Exception {
        Path file = dir.resolve("log");
        try (AppendLog log = AppendLog.open(file, java.util.zip.CRC32::new)) {
            log.append("old");
            log.rewrite(List.of("kept 1", "kept 2"));
            assertThat(log.lines()).containsExactly("kept 1", "kept 2");
            log.append("new");
        }
        assertThat(Files.size(file)).isGreaterThan(AppendLog.PREALLOCATE);
        try (AppendLog log = AppendLog.open(file, java.util.zip.CRC32::new)) {
            assertThat(log.lines()).containsExactly("kept 1", "kept 2", "new");
        }
        try (AppendLog log = AppendLog.open(file)) {
            assertThat(log.lines()).as("another checksum: no line is good").isEmpty();
            assertThat(log.badLines()).isEqualTo(3);
        }
        try (AppendLog log = AppendLog.open(file, java.util.zip.CRC32::new)) {
            assertThat(log.lines()).as("and none was overwritten").containsExactly("kept 1", "kept 2", "new");
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
