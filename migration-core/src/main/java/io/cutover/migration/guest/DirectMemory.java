package io.cutover.migration.guest;

import java.lang.reflect.Field;
import java.nio.ByteBuffer;

/** Direct memory in chunks of at most 1 GiB, freed at once on {@link #free()} rather than by the GC. */
final class DirectMemory {
    static final int CHUNK_SHIFT = 30;
    private static final Object UNSAFE = unsafe();

    private final ByteBuffer[] chunks;

    DirectMemory(long bytes) {
        int count = (int) ((bytes + (1L << CHUNK_SHIFT) - 1) >>> CHUNK_SHIFT);
        chunks = new ByteBuffer[count];
        long left = bytes;
        for (int i = 0; i < count; i++) {
            int size = (int) Math.min(left, 1L << CHUNK_SHIFT);
            chunks[i] = ByteBuffer.allocateDirect(size);
            left -= size;
        }
    }

    ByteBuffer chunk(int index) {
        return chunks[index];
    }

    void free() {
        for (int i = 0; i < chunks.length; i++) {
            ByteBuffer chunk = chunks[i];
            chunks[i] = null;
            if (chunk != null && UNSAFE != null) {
                try {
                    UNSAFE.getClass().getMethod("invokeCleaner", ByteBuffer.class).invoke(UNSAFE, chunk);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    // the GC frees it later
                }
            }
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
