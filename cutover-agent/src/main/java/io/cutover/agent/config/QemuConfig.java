package io.cutover.agent.config;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code qemu} section of {@code host.yaml}: this host's QEMU guests, driven over QMP. With it, a cutover whose
 * request says {@code "migrator": {"qemu": {...}}} is migrated by QEMU itself: the source's agent starts the migration
 * and holds it at {@code pre-switchover} for the blackout's steps, the destination's agent points its incoming QEMU
 * (started by the orchestrator with {@code -incoming defer}) at the stream and reports the guest's RESUME.
 *
 * <pre>
 * qemu:
 *   socket-dir: /run/cutover/qemu   # each guest's QMP socket is &lt;socket-dir&gt;/&lt;vm&gt;.qmp
 *   switchover-budget: 2s           # optional: how long the network may hold the paused guest before the
 *                                   #   migration is cancelled and the guest runs on at the source
 *   command-timeout: 5s             # optional: how long QEMU may take to answer one QMP command
 * </pre>
 *
 * @param socketDir        where the guests' QMP sockets are
 * @param switchoverBudget how long the switchover's steps may hold the paused guest
 * @param commandTimeout   how long one QMP command may take
 */
public record QemuConfig(Path socketDir, Duration switchoverBudget, Duration commandTimeout) {
    public static final Duration DEFAULT_SWITCHOVER_BUDGET = Duration.ofSeconds(2);
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(5);

    /** The section's fields, before validation. */
    static final class Raw {
        @JsonProperty("socket-dir")
        String socketDir;
        @JsonProperty("switchover-budget")
        String switchoverBudget;
        @JsonProperty("command-timeout")
        String commandTimeout;

        QemuConfig validate(Keys keys) {
            return new QemuConfig(keys.directory("qemu.socket-dir", socketDir),
                    keys.duration("qemu.switchover-budget", switchoverBudget, DEFAULT_SWITCHOVER_BUDGET),
                    keys.duration("qemu.command-timeout", commandTimeout, DEFAULT_COMMAND_TIMEOUT));
        }
    }
}
