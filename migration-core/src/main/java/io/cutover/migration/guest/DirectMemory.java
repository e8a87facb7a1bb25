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
 * <p>Each mapped chunk keeps its file open, so that whole pages can also be written with {@link #write}: through the
 * file, the kernel allocates and fills the page without mapping it into this process, which costs a page fault
 * of several microseconds a page on a virtual machine; the page is mapped when first touched through its chunk.
 *
 * <p>Freed chunks are unmapped at once, so their memory goes back to the system: nothing is kept for reuse (a
 * reused chunk would have to be zeroed, which faults in every page of it, whether or not a page ever arrives).
 */
final class DirectMemory {
    static final int CHUNK_SHIFT = 30;
    private static final Path SHM = Path.of("/dev/shm");
    private static final Object UNSAFE = unsafe();

    private final ByteBuffer[] chunks;
    /** The open file of each chunk, or {@code null} for direct buffers. */
    private final FileChannel[] files;

    DirectMemory(long bytes) {
        int count = (int) ((bytes + (1L << CHUNK_SHIFT) - 1) >>> CHUNK_SHIFT);
        chunks = new ByteBuffer[count];
        boolean mapped = Files.isDirectory(SHM) && Files.isWritable(SHM);
        files = mapped ? new FileChannel[count] : null;
        long left = bytes;
        try {
            for (int i = 0; i < count; i++) {
                int size = (int) Math.min(left, 1L << CHUNK_SHIFT);
                if (mapped) {
                    files[i] = open();
                    chunks[i] = files[i].map(FileChannel.MapMode.READ_WRITE, 0, size);
                } else {
                    chunks[i] = ByteBuffer.allocateDirect(size);
                }
                left -= size;
            }
        } catch (IOException e) {
            free();
            throw new UncheckedIOException("cannot map guest memory in " + SHM + ": " + e.getMessage(), e);
        }
    }

    /** A new file in /dev/shm, already deleted: it lives as long as its channel and mappings. */
    private static FileChannel open() throws IOException {
        Path file = Files.createTempFile(SHM, "cutover-guest-", ".mem");
        try {
            return FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * Writes {@code data} (within one chunk) at {@code offset} through the chunk's file; false, and nothing
     * written, when the memory is not file-backed.
     */
    boolean write(long offset, ByteBuffer data) {
        if (files == null) {
            return false;
        }
        FileChannel file = files[(int) (offset >>> CHUNK_SHIFT)];
        long at = offset & ((1L << CHUNK_SHIFT) - 1);
        try {
            while (data.hasRemaining()) {
                at += file.write(data, at);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write guest memory: " + e.getMessage(), e);
        }
        return true;
    }

    /**
     * Writes the remaining bytes of {@code data[0]} to {@code data[count - 1]} (within one chunk), one after
     * the other from {@code offset}, through the chunk's file with as few system calls as it takes (a gathering
     * write); false, and nothing written, when the memory is not file-backed.
     */
    boolean write(long offset, ByteBuffer[] data, int count) {
        if (files == null) {
            return false;
        }
        FileChannel file = files[(int) (offset >>> CHUNK_SHIFT)];
        long at = offset & ((1L << CHUNK_SHIFT) - 1);
        long left = 0;
        for (int i = 0; i < count; i++) {
            left += data[i].remaining();
        }
        // the file's position is that of the gathering write: one writer at a time
        synchronized (file) {
            try {
                file.position(at);
                int from = 0;
                while (left > 0) {
                    left -= file.write(data, from, count - from);
                    while (from < count && !data[from].hasRemaining()) {
                        from++;
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write guest memory: " + e.getMessage(), e);
            }
        }
        return true;
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
            FileChannel file = files == null ? null : files[i];
            if (file != null) {
                files[i] = null;
                try {
                    file.close();
                } catch (IOException e) {
                    // its pages go with the last mapping or descriptor either way
                }
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
