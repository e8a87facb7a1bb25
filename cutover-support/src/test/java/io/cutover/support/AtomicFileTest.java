package io.cutover.support;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

class AtomicFileTest {
    @TempDir
    Path dir;

    @Test
    void replacesTheWholeContent() throws IOException {
        AtomicFile file = new AtomicFile(dir.resolve("state.json"));
        file.replace(out -> out.write(bytes("a longer first version")));
        file.replace(out -> out.write(bytes("second")));

        assertThat(Files.readString(dir.resolve("state.json"))).isEqualTo("second");
        assertThat(file.read()).isEqualTo(bytes("second"));
        assertThat(listing()).containsExactly("state.json");
    }

    @Test
    void aMissingFileReadsAsEmpty() throws IOException {
        assertThat(new AtomicFile(dir.resolve("none")).read()).isEmpty();
    }

    @Test
    void aStreamClosedByTheWriterStillGetsWritten() throws IOException {
        AtomicFile file = new AtomicFile(dir.resolve("state.json"));
        file.replace(out -> {
            out.write(bytes("{}"));
            out.close();
        });

        assertThat(file.read()).isEqualTo(bytes("{}"));
    }

    @Test
    void aThrowingWriterLeavesTheOldContent() throws IOException {
        AtomicFile file = new AtomicFile(dir.resolve("state.json"));
        file.replace(out -> out.write(bytes("old")));

        assertThatThrownBy(() -> file.replace(out -> {
            out.write(bytes("half of the ne"));
            throw new IOException("serializer failed");
        })).isInstanceOf(IOException.class).hasMessage("serializer failed");
        assertThatThrownBy(() -> file.replace(out -> {
            throw new IllegalStateException("not serializable");
        })).isInstanceOf(IllegalStateException.class);

        assertThat(file.read()).isEqualTo(bytes("old"));
        assertThat(listing()).containsExactly("state.json");
    }

    @Test
    void aFailedRenameLeavesNoTemporaryFile() throws IOException {
        Path occupied = Files.createDirectories(dir.resolve("state.json").resolve("in-the-way"));
        AtomicFile file = new AtomicFile(occupied.getParent());

        assertThatThrownBy(() -> file.replace(out -> out.write(bytes("new")))).isInstanceOf(IOException.class);
        assertThat(listing()).containsExactly("state.json");
        assertThat(occupied).isDirectory();
    }

    @Test
    void aReadOnlyDirectoryLeavesTheOldContent() throws IOException {
        AtomicFile file = new AtomicFile(dir.resolve("state.json"));
        file.replace(out -> out.write(bytes("old")));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assumeFalse(Files.isWritable(dir), "the directory is writable all the same (root)");
            assertThatThrownBy(() -> file.replace(out -> out.write(bytes("new"))))
                    .isInstanceOf(IOException.class).hasMessageContaining(dir.toString());
            assertThat(file.read()).isEqualTo(bytes("old"));
        } finally {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
        assertThat(listing()).containsExactly("state.json");
    }

    @Test
    void aMissingDirectoryIsReported() {
        AtomicFile file = new AtomicFile(dir.resolve("gone").resolve("state.json"));

        assertThatThrownBy(() -> file.replace(out -> out.write(bytes("new")))).isInstanceOf(IOException.class)
                .hasMessageContaining("gone");
        assertThat(listing()).isEmpty();
    }

    private String[] listing() {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toArray(String[]::new);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
