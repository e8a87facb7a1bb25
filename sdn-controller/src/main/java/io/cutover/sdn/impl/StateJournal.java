package io.cutover.sdn.impl;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.sdn.SdnException;
import io.cutover.support.AtomicFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The desired state on disk: {@code state.json} in the state directory, replaced whole and durably
 * ({@link AtomicFile}) on every change, and read back on start.
 */
public final class StateJournal {
    public static final String FILE = "state.json";
    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final AtomicFile file;

    public StateJournal(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new SdnException("cannot create the state directory " + dir + ": " + e.getMessage(), e);
        }
        this.file = new AtomicFile(dir.resolve(FILE));
    }

    /** The state last written, or an empty one. */
    public ModelState load() {
        try {
            byte[] json = file.read();
            return json.length == 0 ? ModelState.empty() : JSON.readValue(json, ModelState.class);
        } catch (IOException e) {
            throw new SdnException("cannot read the controller state " + file.path() + ": " + e.getMessage(), e);
        }
    }

    public void save(ModelState state) {
        try {
            file.replace(out -> JSON.writerWithDefaultPrettyPrinter().writeValue(out, state));
        } catch (IOException e) {
            throw new SdnException("cannot write the controller state " + file.path() + ": " + e.getMessage(), e);
        }
    }
}
