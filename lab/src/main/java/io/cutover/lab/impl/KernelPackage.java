package io.cutover.lab.impl;

import io.cutover.lab.CommandResult;
import io.cutover.lab.GuestImageException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Debian kernel package the guest boots: the concrete package behind {@value #META_PACKAGE} (such as
 * {@code linux-image-6.1.0-57-cloud-amd64}) at the version apt would install. It is downloaded with
 * {@code apt-get download}, never installed.
 *
 * @param name    the versioned package, such as {@code linux-image-6.1.0-57-cloud-amd64}
 * @param version its Debian version, such as {@code 6.1.192-3}
 */
public record KernelPackage(String name, String version) {
    /** The meta-package that names the current cloud kernel: small, with virtio as modules. */
    public static final String META_PACKAGE = "linux-image-cloud-amd64";
    private static final Duration DOWNLOAD_TIMEOUT = Duration.ofMinutes(5);
    private static final Pattern DEPENDS = Pattern.compile("(?m)^Depends: (linux-image-[^\\s,]+)(?: \\(= ([^)\\s]+)\\))?");
    private static final Pattern CANDIDATE = Pattern.compile("Candidate: (\\S+)");

    /** The kernel package apt would install now, from apt's package lists. */
    public static KernelPackage candidate() {
        String record = aptCache("show", "--no-all-versions", META_PACKAGE).stdout();
        Matcher concrete = DEPENDS.matcher(record);
        if (!concrete.find()) {
            throw new GuestImageException("apt knows no kernel behind " + META_PACKAGE + "; run apt-get update");
        }
        String name = concrete.group(1);
        if (concrete.group(2) != null) {
            return new KernelPackage(name, concrete.group(2));
        }
        Matcher candidate = CANDIDATE.matcher(aptCache("policy", name).stdout());
        if (!candidate.find() || candidate.group(1).equals("(none)")) {
            throw new GuestImageException("apt has no candidate version of " + name + "; run apt-get update");
        }
        return new KernelPackage(name, candidate.group(1));
    }

    private static CommandResult aptCache(String... args) {
        GuestImageBuilder.require("apt-cache", "apt");
        List<String> command = new ArrayList<>(List.of("apt-cache"));
        command.addAll(List.of(args));
        CommandResult result = Shell.run(command, Map.of(), Shell.DEFAULT_TIMEOUT);
        if (!result.ok()) {
            throw new GuestImageException("'" + String.join(" ", command) + "' failed: " + result.stderr().strip()
                    + " (run apt-get update if apt has no package lists)");
        }
        return result;
    }

    /**
     * This package's {@code .deb} in {@code debs}, downloaded first if it is not there yet.
     *
     * @throws GuestImageException when apt cannot download it
     */
    public Path deb(Path debs) {
        Path deb = debs.resolve(name + "_" + version.replace(":", "%3a") + "_amd64.deb");
        if (Files.exists(deb)) {
            return deb;
        }
        GuestImageBuilder.require("apt-get", "apt");
        try {
            Path download = Files.createTempDirectory(debs, ".download-");
            try {
                CommandResult result = Shell.run(List.of("sh", "-c", "cd \"$1\" && exec apt-get download \"$2\"", "sh",
                        download.toString(), name + "=" + version), Map.of(), DOWNLOAD_TIMEOUT);
                if (!result.ok()) {
                    throw new GuestImageException("cannot download the kernel package " + name + "=" + version
                            + " (apt-get download: " + result.stderr().strip() + ")");
                }
                try (var files = Files.list(download)) {
                    Path fetched = files.filter(f -> f.getFileName().toString().endsWith(".deb")).findFirst()
                            .orElseThrow(() -> new GuestImageException("apt-get download " + name + " wrote no .deb"));
                    Files.move(fetched, deb, StandardCopyOption.ATOMIC_MOVE);
                }
            } finally {
                FileTree.delete(download);
            }
        } catch (IOException e) {
            throw new GuestImageException("cannot download " + name + " into " + debs + ": " + e.getMessage(), e);
        }
        return deb;
    }

    @Override
    public String toString() {
        return name + " " + version;
    }
}
