package io.cutover.lab.impl;

import io.cutover.lab.GuestStartException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The host's TSC frequency, which a guest on QEMU's {@code microvm} is told on its command line
 * ({@code tsc_early_khz}): under TCG it has no timer to calibrate against and would otherwise hang or misjudge
 * time.
 */
public final class HostTsc {
    private static final Path CPUINFO = Path.of("/proc/cpuinfo");
    private static final Pattern CPU_MHZ = Pattern.compile("(?m)^cpu MHz\\s*:\\s*(\\d+(?:\\.\\d+)?)");

    private HostTsc() {
    }

    /** The first CPU's clock in kHz, from {@code /proc/cpuinfo}. */
    public static long kilohertz() {
        try {
            return parse(Files.readString(CPUINFO)).orElseThrow(() -> new GuestStartException(
                    "no 'cpu MHz' in " + CPUINFO + ": cannot tell the guest its TSC frequency"));
        } catch (IOException e) {
            throw new GuestStartException("cannot read " + CPUINFO + ": " + e.getMessage(), e);
        }
    }

    /** The first {@code cpu MHz} of a {@code /proc/cpuinfo} text, in kHz. */
    static OptionalLong parse(String cpuinfo) {
        Matcher mhz = CPU_MHZ.matcher(cpuinfo);
        return mhz.find() ? OptionalLong.of(Math.round(Double.parseDouble(mhz.group(1)) * 1000))
                : OptionalLong.empty();
    }
}
