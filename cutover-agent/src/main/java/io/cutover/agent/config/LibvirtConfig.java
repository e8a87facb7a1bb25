package io.cutover.agent.config;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code libvirt} section of {@code host.yaml}: this host's libvirtd, whose lifecycle events the agent follows.
 * With it, a cutover whose request says {@code "libvirt": {"domain": "NAME"}} follows that domain's migration, which
 * the orchestrator runs itself ({@code virsh migrate --live}): the source's {@code Suspended Migrated} is the
 * switchover, the destination's {@code Resumed Migrated} the activation, the source's {@code Stopped Migrated} the
 * migration's end.
 *
 * <pre>
 * libvirt:
 *   uri: qemu+tcp://198.19.0.1:16509/system   # this host's libvirtd (default qemu:///system)
 *   virsh: /usr/bin/virsh                       # optional (default: virsh on PATH)
 *   event-lag: 100ms                            # optional: how much later than QEMU's stop libvirt's Suspended
 *                                               #   event may reach the agent; the mirrored hold reaches back this
 *                                               #   much more (default 100ms, at most 400ms)
 * </pre>
 *
 * @param uri      the connection URI of this host's libvirtd
 * @param virsh    the virsh program: a path, or a name looked up on {@code PATH}
 * @param eventLag how much later than QEMU's stop the Suspended event may reach the agent
 */
public record LibvirtConfig(String uri, String virsh, Duration eventLag) {
    public static final String DEFAULT_URI = "qemu:///system";
    public static final String DEFAULT_VIRSH = "virsh";
    public static final Duration DEFAULT_EVENT_LAG = Duration.ofMillis(100);
    /**
     * The longest {@code event-lag}: the mirror keeps what it caught for 500 ms, and the hold, which reaches back the
     * lag and 40 ms more from the event, must find it there when it begins.
     */
    public static final Duration MAX_EVENT_LAG = Duration.ofMillis(400);

    /** The section's fields, before validation. */
    static final class Raw {
        @JsonProperty("uri")
        String uri;
        @JsonProperty("virsh")
        String virsh;
        @JsonProperty("event-lag")
        String eventLag;

        LibvirtConfig validate(Keys keys) {
            String chosenUri = uri == null ? DEFAULT_URI : uri.strip();
            if (!chosenUri.matches("[a-z][a-z0-9+]*://[^\\s]*")) {
                throw keys.bad("libvirt.uri", "expected a libvirt URI such as qemu:///system or "
                        + "qemu+tcp://HOST:PORT/system, got " + Keys.quoted(uri));
            }
            String program = virsh == null ? DEFAULT_VIRSH : virsh.strip();
            if (program.isEmpty()) {
                throw keys.bad("libvirt.virsh", "expected the virsh program, got nothing");
            }
            if (program.contains("/") && !Files.isExecutable(Path.of(program))) {
                throw keys.bad("libvirt.virsh", "cannot run " + program);
            }
            Duration lag = keys.duration("libvirt.event-lag", eventLag, DEFAULT_EVENT_LAG);
            if (lag.compareTo(MAX_EVENT_LAG) > 0) {
                throw keys.bad("libvirt.event-lag", "at most " + MAX_EVENT_LAG.toMillis() + "ms (the mirror keeps "
                        + "frames 500 ms, and the hold reaches back the lag and 40 ms more), got " + eventLag);
            }
            return new LibvirtConfig(chosenUri, program, lag);
        }
    }
}
