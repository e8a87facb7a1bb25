package io.cutover.migration.guest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Guest memory in chunks of at most 1 GiB, freed at once on {@link #free()} rather than by the GC.
 *
 * <p>The chunks map a sparse, already deleted file in {@code /dev/shm}: the memory reads as zeros and
 * costs nothing until a page is first written, so reserving a large guest is immediate and pages that stay
 * zero are never faulted in — as with a hypervisor's anonymous guest RAM. Where {@code /dev/shm} is missing,
 * the chunks are ordinary (eagerly zeroed) direct buffers.
 *
 * <p>Freed chunks are unmapped at once, so their memory goes back to the system: nothing is kept for reuse (a
 * reused chunk would have to be zeroed, which faults in every page of it, whether or not a page ever arrives).
 */
final class DirectMemory {
    static final int CHUNK_SHIFT = 30;
    private static final Path SHM = Path.of("/dev/shm");
    private static final Object UNSAFE = unsafe();

    private final ByteBuffer[] chunks;

    DirectMemory(long bytes) {
        int count = (int) ((bytes + (1L << CHUNK_SHIFT) - 1) >>> CHUNK_SHIFT);
        chunks = new ByteBuffer[count];
        boolean mapped = Files.isDirectory(SHM) && Files.isWritable(SHM);
        long left = bytes;
        for (int i = 0; i < count; i++) {
            int size = (int) Math.min(left, 1L << CHUNK_SHIFT);
            chunks[i] = mapped ? map(size) : ByteBuffer.allocateDirect(size);
            left -= size;
        }
    }

    private static ByteBuffer map(int size) {
        try {
            Path file = Files.createTempFile(SHM, "cutover-guest-", ".mem");
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                return ch.map(FileChannel.MapMode.READ_WRITE, 0, size);
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map guest memory in " + SHM + ": " + e.getMessage(), e);
        }
    }

    ByteBuffer chunk(int index) {
        return chunks[index];
    }

    void free() {
        for (int i = 0; i < chunks.length; i++) {
            ByteBuffer chunk = chunks[i];
            chunks[i] = null;
            if (chunk != null) {
                unmap(chunk);
            }
        }
    }

    /** Frees a direct or mapped buffer now; nothing may use it afterwards. */
    static void unmap(ByteBuffer buffer) {
        if (UNSAFE == null) {
            return;
        }
        try {
            UNSAFE.getClass().getMethod("invokeCleaner", ByteBuffer.class).invoke(UNSAFE, buffer);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // the GC frees it later
        }
    }

    private static Object unsafe() {
        try {
            Class<?> type = Class.forName("sun.misc.Unsafe");
            Field field = type.getDeclaredField("theUnsafe");
            field.setAccessible(true);
            return field.get(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
