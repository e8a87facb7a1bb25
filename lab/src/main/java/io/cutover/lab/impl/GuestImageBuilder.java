package io.cutover.lab.impl;

import io.cutover.lab.CommandResult;
import io.cutover.lab.GuestImageException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Builds a guest image into a directory: the kernel ({@value #KERNEL}) unpacked from its Debian package, and an
 * initramfs ({@value #INITRAMFS}, uncompressed newc cpio, which boots faster under TCG than a compressed one)
 * holding busybox, the init script, the virtio modules and the echo server compiled static from its source.
 */
public final class GuestImageBuilder {
    /** The kernel's file in an image. */
    public static final String KERNEL = "vmlinuz";
    /** The initramfs's file in an image. */
    public static final String INITRAMFS = "initramfs.cpio";
    /** The manifest of the inputs, written last: an image without it is incomplete. */
    public static final String MANIFEST = "inputs.txt";
    private static final Duration STEP_TIMEOUT = Duration.ofMinutes(2);
    private static final List<String> MODULE_SUFFIXES = List.of(".ko", ".ko.xz");

    private final GuestImageInputs inputs;
    private final Path debs;

    /**
     * @param inputs what to build from
     * @param debs   where downloaded kernel packages are kept
     */
    public GuestImageBuilder(GuestImageInputs inputs, Path debs) {
        this.inputs = inputs;
        this.debs = debs;
    }

    /** The absolute path of {@code program}; throws naming the Debian package to install when it is missing. */
    static Path require(String program, String debianPackage) {
        Path path = Prerequisites.find(program);
        if (path == null) {
            throw new GuestImageException("'" + program + "' not found: install the Debian package " + debianPackage
                    + " (scripts/install-packages.sh does)");
        }
        return path;
    }

    /** Builds the image into {@code out}, an empty directory. */
    public void build(Path out) {
        Path busybox = require("busybox", GuestImageInputs.BUSYBOX_PACKAGE);
        require("gcc", "gcc");
        require("dpkg-deb", "dpkg");
        Path work = null;
        try {
            Files.createDirectories(debs);
            work = Files.createTempDirectory(out.getParent(), ".work-");
            Path kernelTree = unpack(inputs.kernel().deb(debs), work.resolve("kernel"));
            String release = kernelRelease(kernelTree);
            Path stage = work.resolve("initramfs");
            for (String dir : List.of("bin", "sbin", "etc", "lib/modules", "proc", "sys", "dev", "tmp")) {
                Files.createDirectories(stage.resolve(dir));
            }
            Files.write(stage.resolve("init"), inputs.init());
            Files.setPosixFilePermissions(stage.resolve("init"), PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.copy(busybox, stage.resolve("bin/busybox"));
            compileEcho(work, stage.resolve("sbin/cutover-echo"));
            List<String> loaded = copyModules(kernelTree.resolve("lib/modules").resolve(release), stage.resolve("lib/modules"));
            Files.writeString(stage.resolve("etc/modules"), String.join("\n", loaded) + "\n");
            pack(stage, out.resolve(INITRAMFS));
            Files.copy(kernelTree.resolve("boot/vmlinuz-" + release), out.resolve(KERNEL));
            Files.writeString(out.resolve(MANIFEST), inputs.manifest() + "release: " + release + "\n"
                    + "modules loaded: " + String.join(" ", loaded) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new GuestImageException("cannot build the guest image in " + out + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(work);
        }
    }

    private static Path unpack(Path deb, Path into) {
        check(Shell.run(List.of("dpkg-deb", "-x", deb.toString(), into.toString()), Map.of(), STEP_TIMEOUT),
                "cannot unpack " + deb);
        return into;
    }

    /** The kernel release the package holds, such as {@code 6.1.0-57-cloud-amd64}. */
    private static String kernelRelease(Path kernelTree) throws IOException {
        try (Stream<Path> releases = Files.list(kernelTree.resolve("lib/modules"))) {
            List<String> found = releases.map(dir -> dir.getFileName().toString()).toList();
            if (found.size() != 1 || !Files.exists(kernelTree.resolve("boot/vmlinuz-" + found.get(0)))) {
                throw new GuestImageException("the kernel package does not hold one kernel and its modules (found "
                        + found + " in lib/modules)");
            }
            return found.get(0);
        }
    }

    private void compileEcho(Path work, Path binary) throws IOException {
        Path source = work.resolve("echo.c");
        Files.write(source, inputs.echoSource());
        String libc = Shell.run("gcc", "-print-file-name=libc.a").stdout().strip();
        if (!libc.startsWith("/")) {
            throw new GuestImageException("gcc finds no static C library (libc.a): install the Debian package libc6-dev");
        }
        check(Shell.run(List.of("gcc", "-static", "-O2", "-Wall", "-o", binary.toString(), source.toString()),
                Map.of(), STEP_TIMEOUT), "cannot compile the guest's echo server");
    }

    /**
     * Copies the modules the init loads, decompressed, in load order; a module built into the kernel is skipped.
     *
     * @return the names of the modules copied, in load order
     */
    private List<String> copyModules(Path moduleTree, Path into) throws IOException {
        Map<String, Path> available = new HashMap<>();
        try (Stream<Path> files = Files.walk(moduleTree.resolve("kernel"))) {
            files.forEach(file -> moduleName(file).ifPresent(name -> available.put(name, file)));
        }
        Set<String> builtIn = new HashSet<>();
        Path builtInList = moduleTree.resolve("modules.builtin");
        if (Files.exists(builtInList)) {
            for (String line : Files.readAllLines(builtInList)) {
                moduleName(Path.of(line.strip())).ifPresent(builtIn::add);
            }
        }
        List<String> loaded = new ArrayList<>();
        for (String module : inputs.modules()) {
            Path file = available.get(module);
            if (file == null) {
                if (builtIn.contains(module)) {
                    continue;
                }
                throw new GuestImageException("the kernel " + inputs.kernel() + " has no module " + module);
            }
            Path target = into.resolve(module + ".ko");
            if (file.toString().endsWith(".xz")) {
                require("xz", "xz-utils");
                check(Shell.run(List.of("sh", "-c", "exec xz -dc \"$1\" > \"$2\"", "sh", file.toString(),
                        target.toString()), Map.of(), STEP_TIMEOUT), "cannot decompress " + file);
            } else {
                Files.copy(file, target);
            }
            loaded.add(module);
        }
        return loaded;
    }

    /** The module a file holds ({@code virtio_net} for {@code virtio_net.ko.xz}), if it is a module. */
    private static Optional<String> moduleName(Path file) {
        String name = file.getFileName().toString();
        for (String suffix : MODULE_SUFFIXES) {
            if (name.endsWith(suffix)) {
                return Optional.of(name.substring(0, name.length() - suffix.length()).replace('-', '_'));
            }
        }
        return Optional.empty();
    }

    private static void pack(Path stage, Path initramfs) {
        check(Shell.run(List.of("sh", "-c", "cd \"$1\" && busybox find . | busybox cpio -H newc -o > \"$2\"", "sh",
                stage.toString(), initramfs.toString()), Map.of(), STEP_TIMEOUT), "cannot pack the initramfs");
    }

    private static void check(CommandResult result, String what) {
        if (!result.ok()) {
            throw new GuestImageException(what + ": '" + String.join(" ", result.command()) + "' failed (exit "
                    + result.exitCode() + "): " + result.stderr().strip());
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try {
            FileTree.delete(dir);
        } catch (IOException e) {
            // a scratch directory that nothing reads: what is left is only disk space
        }
    }
}
