package io.cutover.lab.impl;

import io.cutover.lab.GuestImageException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The directory of built guest images, one subdirectory per {@linkplain GuestImageInputs#id() set of inputs},
 * and {@code debs/} with the kernel packages downloaded for them. Builders on this machine take turns through a
 * lock file; an image is built aside and renamed into place whole, so a reader never sees half of one.
 */
public final class GuestImageCache {
    /** A {@link FileLock} excludes other processes only: the threads of this one take turns here first. */
    private static final Object BUILDERS_IN_THIS_JVM = new Object();

    private final Path root;

    public GuestImageCache(Path root) {
        this.root = root;
    }

    /** The directory of the image made from {@code inputs}, built first if the cache does not hold it. */
    public Path image(GuestImageInputs inputs) {
        Path image = root.resolve(inputs.id());
        if (complete(image)) {
            return image;
        }
        synchronized (BUILDERS_IN_THIS_JVM) {
            try {
                Files.createDirectories(root);
                try (FileChannel lockFile = FileChannel.open(root.resolve(".lock"), StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE)) {
                    FileLock lock = lockFile.lock();
                    try {
                        if (!complete(image)) {
                            build(inputs, image);
                        }
                    } finally {
                        lock.release();
                    }
                }
            } catch (IOException e) {
                throw new GuestImageException("cannot use the guest image cache " + root + ": " + e.getMessage(), e);
            }
        }
        return image;
    }

    private void build(GuestImageInputs inputs, Path image) throws IOException {
        Path partial = root.resolve(".build-" + inputs.id());
        FileTree.delete(partial);
        FileTree.delete(image);
        Files.createDirectories(partial);
        try {
            new GuestImageBuilder(inputs, root.resolve("debs")).build(partial);
            Files.move(partial, image, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            FileTree.delete(partial);
        }
    }

    private static boolean complete(Path image) {
        return Files.isRegularFile(image.resolve(GuestImageBuilder.MANIFEST))
                && Files.isRegularFile(image.resolve(GuestImageBuilder.KERNEL))
                && Files.isRegularFile(image.resolve(GuestImageBuilder.INITRAMFS));
    }
}
