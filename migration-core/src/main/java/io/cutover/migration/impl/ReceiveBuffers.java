package io.cutover.migration.impl;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledUnsafeDirectByteBuf;

import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The destination's receive buffers: every read lands in direct memory of one fixed size that is kept for the next
 * read once its buffer is released, rather than in fresh memory, which the JDK zeroes and the kernel faults in page
 * by page (a tenth of the destination's event loop with Netty's own allocators, whose pools give back the chunks
 * they empty). Buffers of any other size come from the default allocator.
 *
 * <p>At most {@code kept} buffers wait for reuse; one released when that many wait is freed. A buffer's memory is
 * reused only after its last reference is released, so the slices of pages held until they are written
 * ({@link PageRun}) keep theirs.
 */
final class ReceiveBuffers extends AbstractByteBufAllocator {
    private final int bufferBytes;
    private final ArrayBlockingQueue<ByteBuffer> free;
    private final AtomicLong allocated = new AtomicLong();

    /**
     * @param bufferBytes the size of a receive buffer
     * @param kept        the most released buffers kept for reuse
     */
    ReceiveBuffers(int bufferBytes, int kept) {
        super(true);
        this.bufferBytes = bufferBytes;
        this.free = new ArrayBlockingQueue<>(kept);
    }

    int bufferBytes() {
        return bufferBytes;
    }

    /** Buffers of {@link #bufferBytes} allocated so far (not taken from the released ones). */
    long allocated() {
        return allocated.get();
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        if (initialCapacity != bufferBytes || maxCapacity < bufferBytes) {
            return ByteBufAllocator.DEFAULT.directBuffer(initialCapacity, maxCapacity);
        }
        ByteBuffer memory = free.poll();
        if (memory == null) {
            allocated.incrementAndGet();
            memory = ByteBuffer.allocateDirect(bufferBytes);
        }
        return new Reused(this, memory.clear()).clear();
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        return ByteBufAllocator.DEFAULT.heapBuffer(initialCapacity, maxCapacity);
    }

    @Override
    public boolean isDirectBufferPooled() {
        return true;
    }

    private void released(ByteBuffer memory) {
        if (!free.offer(memory)) {
            io.netty.util.internal.PlatformDependent.freeDirectBuffer(memory);
        }
    }

    /** A buffer over memory given back to its allocator when released; it cannot grow. */
    private static final class Reused extends UnpooledUnsafeDirectByteBuf {
        private final ReceiveBuffers owner;
        private final ByteBuffer memory;

        Reused(ReceiveBuffers owner, ByteBuffer memory) {
            super(owner, memory, memory.capacity());
            this.owner = owner;
            this.memory = memory;
        }

        @Override
        protected void deallocate() {
            super.deallocate();
            owner.released(memory);
        }
    }
}
