package io.cutover.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A client's {@code --token-file}: the bearer token a daemon's REST API asks for. */
final class TokenFile {
    private TokenFile() {
    }

    /** The token in {@code file} (surrounding white space stripped), or {@code null} for no file. */
    static String read(Path file) {
        if (file == null) {
            return null;
        }
        try {
            String token = Files.readString(file).strip();
            if (token.isEmpty()) {
                throw new IllegalArgumentException("--token-file " + file + " is empty");
            }
            return token;
        } catch (IOException e) {
            throw new IllegalArgumentException("--token-file: cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
