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
 * <p>Freed chunks are kept, up to {@value #POOL_LIMIT_PROPERTY} bytes (default {@value #DEFAULT_POOL_BYTES}),
 * and handed to the next guest after zeroing — like a hypervisor's preallocated guest memory: on machines
 * where first-touch page faults are slow, a destination that receives several guests pays them once.
 */
final class DirectMemory {
    static final int CHUNK_SHIFT = 30;
    private static final Path SHM = Path.of("/dev/shm");
    private static final Object UNSAFE = unsafe();
    /** System property: bytes of freed guest memory kept for reuse. */
    static final String POOL_LIMIT_PROPERTY = "cutover.guest.pool.bytes";
    static final long DEFAULT_POOL_BYTES = 4L << 30;
    private static final long POOL_LIMIT = Long.getLong(POOL_LIMIT_PROPERTY, DEFAULT_POOL_BYTES);
    private static final java.util.Map<Integer, java.util.Deque<ByteBuffer>> POOL = new java.util.HashMap<>();
    private static long pooledBytes;

    private final ByteBuffer[] chunks;

    DirectMemory(long bytes) {
        int count = (int) ((bytes + (1L << CHUNK_SHIFT) - 1) >>> CHUNK_SHIFT);
        chunks = new ByteBuffer[count];
        boolean mapped = Files.isDirectory(SHM) && Files.isWritable(SHM);
        long left = bytes;
        for (int i = 0; i < count; i++) {
            int size = (int) Math.min(left, 1L << CHUNK_SHIFT);
            ByteBuffer reused = take(size);
            chunks[i] = reused != null ? reused : mapped ? map(size) : ByteBuffer.allocateDirect(size);
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

    private static ByteBuffer take(int size) {
        ByteBuffer chunk;
        synchronized (POOL) {
            java.util.Deque<ByteBuffer> free = POOL.get(size);
            chunk = free == null ? null : free.poll();
            if (chunk != null) {
                pooledBytes -= size;
            }
        }
        if (chunk != null) {
            if (io.netty.util.internal.PlatformDependent.hasUnsafe()) {
                io.netty.util.internal.PlatformDependent.setMemory(
                        io.netty.util.internal.PlatformDependent.directBufferAddress(chunk), size, (byte) 0);
            } else {
                for (int off = 0; off < size; off += 8) {
                    chunk.putLong(off, 0L);
                }
            }
        }
        return chunk;
    }

    private static boolean keep(ByteBuffer chunk) {
        synchronized (POOL) {
            if (pooledBytes + chunk.capacity() > POOL_LIMIT) {
                return false;
            }
            POOL.computeIfAbsent(chunk.capacity(), k -> new java.util.ArrayDeque<>()).push(chunk);
            pooledBytes += chunk.capacity();
            return true;
        }
    }

    ByteBuffer chunk(int index) {
        return chunks[index];
    }

    void free() {
        for (int i = 0; i < chunks.length; i++) {
            ByteBuffer chunk = chunks[i];
            chunks[i] = null;
            if (chunk != null && !keep(chunk)) {
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
