package io.cutover.support;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChangeLogTest {
    @TempDir
    Path dir;

    @Test
    void changesAfterTheSnapshotAreReplayedInOrderAndNumberingGoesOn() {
        Path file = dir.resolve("changes");
        try (ChangeLog log = new ChangeLog(file)) {
            assertThat(log.replay(0)).isEmpty();
            assertThat(log.next()).isEqualTo(1);
            log.snapshotTaken(1);
            log.append("a");
            log.append("b");
            log.append("c");
            assertThat(log.next()).as("a snapshot now holds change 4").isEqualTo(5);
        }
        try (ChangeLog log = new ChangeLog(file)) {
            assertThat(log.replay(1)).containsExactly("a", "b", "c");
            log.append("d");
        }
        try (ChangeLog log = new ChangeLog(file)) {
            assertThat(log.replay(3)).as("a snapshot written with change 3, before the log was emptied")
                    .containsExactly("c", "d");
            log.snapshotTaken(log.next());
            assertThat(log.size()).isZero();
        }
    }

    @Test
    void aMissingChangeIsAnError() {
        Path file = dir.resolve("changes");
        try (ChangeLog log = new ChangeLog(file)) {
            log.replay(0);
            log.append("a");
            log.append("b");
        }
        try (ChangeLog log = new ChangeLog(file)) {
            assertThatThrownBy(() -> log.replay(-1)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("goes from change -1 to 1");
        }
    }

    @Test
    void aDamagedChangeBeforeOthersIsAnErrorNotAShorterLog() throws Exception {
        Path file = dir.resolve("changes");
        try (ChangeLog log = new ChangeLog(file)) {
            log.replay(0);
            log.append("a");
            log.append("b");
            log.append("c");
        }
        byte[] bytes = java.nio.file.Files.readAllBytes(file);
        int damaged = new String(bytes, java.nio.charset.StandardCharsets.UTF_8).indexOf(" b") + 1;
        bytes[damaged] = 'B';
        java.nio.file.Files.write(file, bytes);
        try (ChangeLog log = new ChangeLog(file)) {
            assertThatThrownBy(() -> log.replay(0)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("goes from change 1 to 3");
        }
    }
}
