package io.cutover.agent.config;

import io.cutover.support.Durations;
import io.cutover.support.HostPort;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Reads the values of one configuration file, each failing with a {@link ConfigException} that names the file and
 * the key. Relative paths are taken from the file's directory.
 */
final class Keys {
    private final String file;
    private final Path dir;

    Keys(String file, Path dir) {
        this.file = file;
        this.dir = dir;
    }

    ConfigException bad(String key, String problem) {
        return new ConfigException(file, key, problem);
    }

    String required(String key, String value, String expected) {
        if (value == null || value.isBlank()) {
            throw bad(key, "missing: expected " + expected);
        }
        return value.strip();
    }

    URI httpUrl(String key, String value) {
        required(key, value, "an http(s) URL");
        try {
            URI uri = new URI(value.strip());
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new IllegalArgumentException("not http(s)");
            }
            return uri;
        } catch (java.net.URISyntaxException | IllegalArgumentException e) {
            throw bad(key, "expected an http(s) URL, got " + quoted(value));
        }
    }

    Duration duration(String key, String value, Duration fallback) {
        if (value == null) {
            return fallback;
        }
        Duration duration;
        try {
            duration = Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw bad(key, e.getMessage());
        }
        if (duration.isZero()) {
            throw bad(key, "must be above zero");
        }
        return duration;
    }

    InetSocketAddress remote(String key, String value) {
        required(key, value, "HOST:PORT");
        try {
            return HostPort.parseRemote(key, value.strip()).socketAddress();
        } catch (IllegalArgumentException e) {
            throw bad(key, "expected HOST:PORT, got " + quoted(value));
        }
    }

    /** A place to listen on: port 0 picks a free one. */
    InetSocketAddress listen(String key, String value) {
        required(key, value, "HOST:PORT");
        try {
            return HostPort.parse(key, value.strip()).socketAddress();
        } catch (IllegalArgumentException e) {
            throw bad(key, "expected HOST:PORT, got " + quoted(value));
        }
    }

    /** An existing, readable file. */
    Path readableFile(String key, String value) {
        Path path = dir.resolve(required(key, value, "a file"));
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw bad(key, "cannot read " + path);
        }
        return path;
    }

    /** A directory, created if it is missing. */
    Path directory(String key, String value) {
        Path path = dir.resolve(required(key, value, "a directory"));
        try {
            return Files.createDirectories(path);
        } catch (IOException e) {
            throw bad(key, "cannot create the directory " + path + ": " + e.getMessage());
        }
    }

    /** A secret given inline ({@code token}) or in a file ({@code token-file}), or {@code null} when neither. */
    String secret(String prefix, String token, String tokenFile) {
        if (tokenFile == null) {
            return token == null ? null : token.strip();
        }
        if (token != null) {
            throw bad(prefix + "token-file", "give token or token-file, not both");
        }
        try {
            return Files.readString(dir.resolve(tokenFile)).strip();
        } catch (IOException e) {
            throw bad(prefix + "token-file", "cannot read " + tokenFile + ": " + e.getMessage());
        }
    }

    static String quoted(Object value) {
        return value == null ? "nothing" : "'" + value + "'";
    }
}
