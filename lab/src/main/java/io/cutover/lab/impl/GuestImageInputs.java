package io.cutover.lab.impl;

import io.cutover.lab.CommandResult;
import io.cutover.lab.GuestImageException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Everything a guest image is made from: the kernel package, the modules loaded from the initramfs, the busybox
 * package, the init script and the echo server's source. Its {@link #id()} names the image in the cache: any
 * change to any input gives a new image.
 *
 * @param kernel         the kernel package
 * @param modules        the kernel modules the init loads, in order
 * @param busyboxVersion the version of the installed {@code busybox-static} package
 * @param init           the init script
 * @param echoSource     the echo server's C source
 */
public record GuestImageInputs(KernelPackage kernel, List<String> modules, String busyboxVersion, byte[] init,
                               byte[] echoSource) {
    /** The version of the image's layout and of how it is built; raise it when the build itself changes. */
    static final String LAYOUT = "cutover-guest-image/1";
    /** The virtio network drivers, in the order they must be loaded (each needs the ones before it). */
    public static final List<String> MODULES = List.of("virtio_ring", "virtio", "virtio_pci_modern_dev",
            "virtio_pci_legacy_dev", "virtio_pci", "virtio_mmio", "failover", "net_failover", "virtio_net");
    static final String BUSYBOX_PACKAGE = "busybox-static";
    private static final String RESOURCES = "/io/cutover/lab/guest/";

    /** The inputs as they are on this machine now. */
    public static GuestImageInputs current() {
        return new GuestImageInputs(KernelPackage.candidate(), MODULES, installedVersion(BUSYBOX_PACKAGE),
                resource("init"), resource("echo.c"));
    }

    /** What the image is made from, one input a line, as written next to the image. */
    public String manifest() {
        return "layout: " + LAYOUT + "\n"
                + "kernel: " + kernel + "\n"
                + "modules: " + String.join(" ", modules) + "\n"
                + BUSYBOX_PACKAGE + ": " + busyboxVersion + "\n"
                + "init sha256: " + sha256(init) + "\n"
                + "echo.c sha256: " + sha256(echoSource) + "\n";
    }

    /** The image's name in the cache: 16 hex digits of the manifest's SHA-256. */
    public String id() {
        return sha256(manifest().getBytes(StandardCharsets.UTF_8)).substring(0, 16);
    }

    private static String installedVersion(String pkg) {
        GuestImageBuilder.require("dpkg-query", "dpkg");
        CommandResult result = Shell.run("dpkg-query", "-W", "-f=${Status}|${Version}", pkg);
        String[] statusAndVersion = result.stdout().split("\\|", 2);
        if (!result.ok() || statusAndVersion.length < 2 || !statusAndVersion[0].endsWith(" ok installed")) {
            throw new GuestImageException("the Debian package " + pkg
                    + " is not installed: install it (scripts/install-packages.sh does)");
        }
        return statusAndVersion[1].strip();
    }

    private static byte[] resource(String name) {
        try (InputStream in = GuestImageInputs.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new GuestImageException("the guest's " + name + " is missing from the classpath ("
                        + RESOURCES + name + ")");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new GuestImageException("cannot read the guest's " + name + ": " + e.getMessage(), e);
        }
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}
