package io.cutover.qemu;

import java.time.Duration;
import java.util.Objects;

/**
 * How the QEMU driver talks to QEMU.
 *
 * @param commandTimeout   how long QEMU may take to answer one QMP command (and to greet)
 * @param switchoverBudget how long the switchover's network steps may take while the guest is paused; past it the
 *                         migration is cancelled and the guest runs on at the source
 * @param maxBandwidth     the migration stream's cap in bytes/s when the request names none (QEMU's own default,
 *                         128 MiB/s in 7.2, would make every migration slow)
 */
public record QemuOptions(Duration commandTimeout, Duration switchoverBudget, long maxBandwidth) {
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_SWITCHOVER_BUDGET = Duration.ofSeconds(2);
    public static final long DEFAULT_MAX_BANDWIDTH = 10L << 30;

    public QemuOptions {
        Objects.requireNonNull(commandTimeout, "commandTimeout");
        Objects.requireNonNull(switchoverBudget, "switchoverBudget");
        if (commandTimeout.isNegative() || commandTimeout.isZero()) {
            throw new IllegalArgumentException("commandTimeout must be above zero, was " + commandTimeout);
        }
        if (switchoverBudget.isNegative() || switchoverBudget.isZero()) {
            throw new IllegalArgumentException("switchoverBudget must be above zero, was " + switchoverBudget);
        }
        if (maxBandwidth <= 0) {
            throw new IllegalArgumentException("maxBandwidth must be above zero, was " + maxBandwidth);
        }
    }

    public static QemuOptions defaults() {
        return new QemuOptions(DEFAULT_COMMAND_TIMEOUT, DEFAULT_SWITCHOVER_BUDGET, DEFAULT_MAX_BANDWIDTH);
    }
}
