package io.cutover.sdn.impl;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.sdn.SdnException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The desired state on disk: {@code state.json} in the state directory, replaced atomically (written to a temporary
 * file, forced to disk, renamed) on every change, and read back on start.
 */
public final class StateJournal {
    public static final String FILE = "state.json";
    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Path file;

    public StateJournal(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new SdnException("cannot create the state directory " + dir + ": " + e.getMessage(), e);
        }
        this.file = dir.resolve(FILE);
    }

    public Path file() {
        return file;
    }

    /** The state last written, or an empty one. */
    public ModelState load() {
        if (!Files.exists(file)) {
            return ModelState.empty();
        }
        try {
            return JSON.readValue(file.toFile(), ModelState.class);
        } catch (IOException e) {
            throw new SdnException("cannot read the controller state " + file + ": " + e.getMessage(), e);
        }
    }

    public void save(ModelState state) {
        Path tmp = file.resolveSibling(FILE + ".tmp");
        try {
            byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(state);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(ByteBuffer.wrap(bytes));
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new SdnException("cannot write the controller state " + file + ": " + e.getMessage(), e);
        }
    }
}
