package io.cutover.agent.libvirt;

import io.cutover.agent.config.LibvirtConfig;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

/**
 * A fake {@code virsh} in a directory of its own, scripted through files there (see the script,
 * {@code fake-virsh} beside this class): what each start of {@code virsh event} prints ({@code run-N}), when
 * ({@code go}, {@code go-N}), and what {@code domstate} says ({@code state-DOMAIN}).
 */
public final class FakeVirsh {
    /** The URI the fake answers. */
    public static final String URI = "test:///fake";

    private final Path dir;

    private FakeVirsh(Path dir) {
        this.dir = dir;
    }

    /** Installs the script in {@code dir}, which holds its files. */
    public static FakeVirsh in(Path dir) throws IOException {
        Path script = dir.resolve("virsh");
        try (InputStream in = FakeVirsh.class.getResourceAsStream("fake-virsh")) {
            Files.write(script, in.readAllBytes());
        }
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return new FakeVirsh(dir);
    }

    /** A libvirt section that runs the fake. */
    public LibvirtConfig config() {
        return new LibvirtConfig(URI, dir.resolve("virsh").toString(), LibvirtConfig.DEFAULT_EVENT_LAG);
    }

    /** What the {@code start}th start of {@code virsh event} prints, once let go. */
    public FakeVirsh prints(int start, String lines) throws IOException {
        Files.writeString(dir.resolve("run-" + start), lines);
        return this;
    }

    /** Lets the {@code start}th start print. */
    public void go(int start) throws IOException {
        Files.writeString(dir.resolve("go-" + start), "");
    }

    /** Lets every start print at once. */
    public void goAlways() throws IOException {
        Files.writeString(dir.resolve("go"), "");
    }

    /** What {@code domstate DOMAIN} says. */
    public FakeVirsh state(String domain, String state) throws IOException {
        Files.writeString(dir.resolve("state-" + domain), state);
        return this;
    }

    /** How many times {@code virsh event} was started. */
    public int starts() throws IOException {
        Path starts = dir.resolve("starts");
        return Files.exists(starts) ? Integer.parseInt(Files.readString(starts).strip()) : 0;
    }

    /** An event line as virsh 9.0 prints it. */
    public static String line(String domain, String words) {
        return "2026-12-04 16:00:00.000+0000: event 'lifecycle' for domain '" + domain + "': " + words + "\n";
    }

    /** A start of the events with a short backoff. */
    public LibvirtEvents start(Duration backoff) {
        return LibvirtEvents.start(config(), backoff);
    }
}
