package io.cutover.migration.guest;

import io.cutover.migration.Guest;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An in-process guest: direct memory, a dirty bitmap, and a workload thread that writes pages at a set
 * rate (each write stores 8 bytes somewhere in the page, enough to dirty it). Pausing stops the workload
 * thread between two writes; the throttle scales its rate down (auto-converge).
 *
 * <p>A new guest is paused; {@link #resume()} starts the workload.
 */
public final class SyntheticGuest implements Guest {
    private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int STATE_MAGIC = 0x53594e54;
    private static final int STATE_BYTES = 1024;

    private final GuestSpec spec;
    private final int pageSize;
    private final int pageShift;
    private final long pageCount;
    private final int pagesPerChunkShift;
    private final DirectMemory memory;
    private final long[] dirty;
    /** Pages possibly written since allocation: by the workload, the fill, or anyone through a page view. */
    private final long[] populated;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Thread workloadThread;
    private volatile boolean paused = true;
    private volatile boolean closed;
    private volatile int throttle;
    private volatile long[] missing;
    private volatile java.util.function.LongConsumer onFault;
    private volatile long faults;
    private final WorkloadDriver driver;

    private SyntheticGuest(GuestSpec spec, boolean fill) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.pageSize = spec.pageSize();
        this.pageShift = Integer.numberOfTrailingZeros(pageSize);
        this.pageCount = spec.sizeBytes() / pageSize;
        this.pagesPerChunkShift = DirectMemory.CHUNK_SHIFT - pageShift;
        this.memory = new DirectMemory(spec.sizeBytes());
        this.dirty = new long[(int) ((pageCount + 63) >>> 6)];
        this.populated = new long[dirty.length];
        this.driver = new WorkloadDriver(spec);
        if (fill) {
            WorkloadDriver.fill(spec, this::pageView);
        }
        this.workloadThread = new Thread(this::runWorkload, "guest-workload");
        workloadThread.setDaemon(true);
        workloadThread.start();
    }

    /** A guest as {@code spec} says, its memory filled (a fraction of the pages with random data), paused. */
    public static SyntheticGuest create(GuestSpec spec) {
        return new SyntheticGuest(spec, true);
    }

    /** A guest as {@code spec} says with zeroed memory, paused: a destination's reservation. */
    public static SyntheticGuest reserve(GuestSpec spec) {
        return new SyntheticGuest(spec, false);
    }

    public GuestSpec spec() {
        return spec;
    }

    @Override
    public int pageSize() {
        return pageSize;
    }

    @Override
    public long pageCount() {
        return pageCount;
    }

    @Override
    public ByteBuffer pageView(long index) {
        Objects.checkIndex(index, pageCount);
        // a view may be written: the page counts as populated from now on
        markPopulated(index);
        ByteBuffer chunk = memory.chunk((int) (index >>> pagesPerChunkShift));
        int offset = (int) ((index & ((1L << pagesPerChunkShift) - 1)) << pageShift);
        return chunk.slice(offset, pageSize);
    }

    /**
     * Writes through the memory's file when it has one: the page is allocated and filled without being mapped in,
     * a page fault saved until the guest touches it (the destination of a migration receives faster than it could
     * fault pages in).
     */
    @Override
    public void writePage(long index, ByteBuffer data) {
        Objects.checkIndex(index, pageCount);
        if (data.remaining() != pageSize) {
            throw new IllegalArgumentException("a page is " + pageSize + " bytes, not " + data.remaining());
        }
        markPopulated(index);
        if (!memory.write(index << pageShift, data)) {
            pageView(index).put(data);
        }
    }

    /** As {@link #writePage}, with one gathering write for the pages of a chunk. */
    @Override
    public void writePages(long first, ByteBuffer[] pages, int count) {
        Objects.checkFromIndexSize(first, count, pageCount);
        int done = 0;
        while (done < count) {
            long index = first + done;
            long chunkEnd = ((index >>> pagesPerChunkShift) + 1) << pagesPerChunkShift;
            int n = (int) Math.min(count - done, chunkEnd - index);
            ByteBuffer[] part = done == 0 ? pages : java.util.Arrays.copyOfRange(pages, done, done + n);
            for (int i = 0; i < n; i++) {
                if (part[i].remaining() != pageSize) {
                    throw new IllegalArgumentException("a page is " + pageSize + " bytes, not " + part[i].remaining());
                }
                markPopulated(index + i);
            }
            if (!memory.write(index << pageShift, part, n)) {
                for (int i = 0; i < n; i++) {
                    pageView(index + i).put(part[i]);
                }
            }
            done += n;
        }
    }

    @Override
    public void collectDirty(long[] bitmap) {
        for (int i = 0; i < dirty.length; i++) {
            if ((long) WORDS.getVolatile(dirty, i) != 0) {
                bitmap[i] |= (long) WORDS.getAndSet(dirty, i, 0L);
            }
        }
    }

    @Override
    public void populatedPages(long[] bitmap) {
        for (int i = 0; i < populated.length; i++) {
            bitmap[i] |= (long) WORDS.getVolatile(populated, i);
        }
    }

    /** Before the page is written: a write then shows in {@link #populatedPages} or, if after it, in the dirty log. */
    private void markPopulated(long page) {
        int word = (int) (page >>> 6);
        long bit = 1L << page;
        if (((long) WORDS.getVolatile(populated, word) & bit) == 0) {
            WORDS.getAndBitwiseOr(populated, word, bit);
        }
    }

    @Override
    public void pause() {
        paused = true;
        writeLock.lock();
        writeLock.unlock();
    }

    @Override
    public void resume() {
        if (closed) {
            throw new IllegalStateException("the guest is closed");
        }
        paused = false;
        LockSupport.unpark(workloadThread);
    }

    @Override
    public boolean isRunning() {
        return !paused && !closed;
    }

    @Override
    public byte[] saveState() {
        writeLock.lock();
        try {
            ByteBuffer state = ByteBuffer.allocate(STATE_BYTES);
            state.putInt(STATE_MAGIC);
            driver.save(state);
            long x = driver.writes() ^ state.getLong(20);
            while (state.remaining() >= 8) {
                x = WorkloadDriver.mix(x + 1);
                state.putLong(x);
            }
            return state.array();
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public void loadState(byte[] bytes) {
        ByteBuffer state = ByteBuffer.wrap(bytes);
        if (bytes.length != STATE_BYTES || state.getInt() != STATE_MAGIC) {
            throw new IllegalArgumentException("not a synthetic guest's state (" + bytes.length + " bytes)");
        }
        writeLock.lock();
        try {
            driver.load(state);
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public void throttle(int percent) {
        if (percent < 0 || percent > 99) {
            throw new IllegalArgumentException("throttle must be 0-99 %, was " + percent);
        }
        throttle = percent;
    }

    @Override
    public int throttlePercent() {
        return throttle;
    }

    /** Page writes done so far (travels with the state). */
    public long writes() {
        writeLock.lock();
        try {
            return driver.writes();
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public boolean supportsPostCopy() {
        return true;
    }

    @Override
    public void expectPages(long[] missingPages, java.util.function.LongConsumer handler) {
        long[] copy = java.util.Arrays.copyOf(missingPages, dirty.length);
        onFault = java.util.Objects.requireNonNull(handler, "handler");
        missing = copy;
    }

    @Override
    public void pageArrived(long index) {
        long[] m = missing;
        if (m != null) {
            WORDS.getAndBitwiseAnd(m, (int) (index >>> 6), ~(1L << index));
            LockSupport.unpark(workloadThread);
        }
    }

    /** Pages this guest waited for in post-copy. */
    public long faults() {
        return faults;
    }

    @Override
    public String descriptor() {
        return spec.toString();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        paused = true;
        LockSupport.unpark(workloadThread);
        try {
            workloadThread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writeLock.lock();
        try {
            memory.free();
        } finally {
            writeLock.unlock();
        }
    }

    private void runWorkload() {
        while (!closed) {
            if (paused) {
                LockSupport.parkNanos(1_000_000);
                driver.restart(System.nanoTime());
                continue;
            }
            int batch = driver.due(System.nanoTime(), throttle);
            if (batch == 0) {
                LockSupport.parkNanos(spec.workload() == Workload.IDLE ? 1_000_000 : 100_000);
                continue;
            }
            writeLock.lock();
            try {
                if (paused) {
                    continue;
                }
                for (int i = 0; i < batch; i++) {
                    writePage(driver.nextPage());
                }
            } finally {
                writeLock.unlock();
            }
            driver.done(batch);
        }
    }

    private void writePage(long page) {
        long[] m = missing;
        if (m != null && ((long) WORDS.getVolatile(m, (int) (page >>> 6)) & (1L << page)) != 0) {
            faults++;
            onFault.accept(page);
            while (((long) WORDS.getVolatile(m, (int) (page >>> 6)) & (1L << page)) != 0) {
                if (closed) {
                    return;
                }
                LockSupport.parkNanos(50_000);
            }
        }
        markPopulated(page);
        ByteBuffer chunk = memory.chunk((int) (page >>> pagesPerChunkShift));
        driver.write(chunk, (int) ((page & ((1L << pagesPerChunkShift) - 1)) << pageShift));
        WORDS.getAndBitwiseOr(dirty, (int) (page >>> 6), 1L << page);
    }
}
