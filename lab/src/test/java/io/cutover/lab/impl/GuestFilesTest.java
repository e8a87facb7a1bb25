package io.cutover.lab.impl;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class GuestFilesTest {

    @Test
    void quotesTheLastLinesOfBothLogs(@TempDir Path dir) throws Exception {
        GuestFiles files = new GuestFiles(dir);
        Files.writeString(files.serialLog(), IntStream.rangeClosed(1, 40).mapToObj(i -> "line " + i)
                .collect(Collectors.joining("\n")) + "\n");

        String tails = files.tails();

        assertThat(tails).contains("line 26\n", "line 40", files.qemuLog().toString()).doesNotContain("line 25\n");
    }
}
