package io.cutover.migration.guest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * The file of a shared-memory guest, mapped: a control header, the dirty bitmap, then the memory. The guest
 * program writes pages and sets their dirty bits; the migrator collects and clears the bits, and asks the
 * program to run, pause or stop through the header. Both map the same file, so every shared word is read and
 * written with atomic (VarHandle) access.
 *
 * <pre>
 *   0  magic u32 'CSHM', version u32, page size u32, (pad), page count u64, bitmap offset u64, memory offset u64
 *  64  request u64 = sequence &lt;&lt; 2 | mode   (written by the migrator)
 *  72  answer  u64 = sequence &lt;&lt; 2 | mode   (written by the program once it is in that mode)
 *  80  throttle u32 (percent, auto-converge)
 *  88  generation u64 (bumped by each program that attaches; an older program then exits)
 *  96  pid u64 of the program
 * 128  workload state: writes u64, sweep u64, random state u64 (the guest's "CPU state")
 * 160  workload spec: length u32, UTF-8 (a synthetic guest descriptor)
 * 4096 dirty bitmap (bit i % 64 of word i / 64 for page i), then the memory, both 4 KiB aligned
 * </pre>
 */
public final class ShmGuestFile implements AutoCloseable {
    /** What the migrator asks for and what the program answers it has reached. */
    public enum Mode { RUNNING, PAUSED, STOPPED }

    private static final int MAGIC = 0x4d485343;
    private static final int VERSION = 1;
    private static final int HEADER_BYTES = 4096;
    private static final int PAGE_SIZE_AT = 8;
    private static final int PAGE_COUNT_AT = 16;
    private static final int BITMAP_AT = 24;
    private static final int MEMORY_AT = 32;
    private static final int REQUEST_AT = 64;
    private static final int ANSWER_AT = 72;
    private static final int THROTTLE_AT = 80;
    private static final int GENERATION_AT = 88;
    private static final int PID_AT = 96;
    private static final int STATE_AT = 128;
    private static final int SPEC_AT = 160;
    private static final int MAX_SPEC_BYTES = HEADER_BYTES - SPEC_AT - 4;
    private static final int DEVICE_STATE_MAGIC = 0x53484d53;
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final VarHandle INTS = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    private final Path path;
    private final int pageSize;
    private final int pageShift;
    private final long pageCount;
    private final int pagesPerChunkShift;
    private final ByteBuffer control;
    private final ByteBuffer header;
    private final ByteBuffer bitmap;
    private final int bitmapWords;
    private final ByteBuffer[] chunks;

    private ShmGuestFile(Path path, FileChannel ch, int pageSize, long pageCount, long bitmapAt, long memoryAt)
            throws IOException {
        this.path = path;
        this.pageSize = pageSize;
        this.pageShift = Integer.numberOfTrailingZeros(pageSize);
        this.pageCount = pageCount;
        this.pagesPerChunkShift = DirectMemory.CHUNK_SHIFT - pageShift;
        this.control = ch.map(FileChannel.MapMode.READ_WRITE, 0, memoryAt).order(ByteOrder.nativeOrder());
        this.header = control.slice(0, HEADER_BYTES).order(ByteOrder.nativeOrder());
        this.bitmapWords = (int) ((pageCount + 63) >>> 6);
        this.bitmap = control.slice((int) bitmapAt, bitmapWords * 8).order(ByteOrder.nativeOrder());
        long bytes = pageCount * pageSize;
        chunks = new ByteBuffer[(int) ((bytes + (1L << DirectMemory.CHUNK_SHIFT) - 1) >>> DirectMemory.CHUNK_SHIFT)];
        for (int i = 0; i < chunks.length; i++) {
            long at = (long) i << DirectMemory.CHUNK_SHIFT;
            chunks[i] = ch.map(FileChannel.MapMode.READ_WRITE, memoryAt + at, Math.min(bytes - at, 1L << DirectMemory.CHUNK_SHIFT));
        }
    }

    /**
     * Creates the file (it must not exist) with zeroed memory and {@code request} as the first request.
     *
     * @throws IllegalArgumentException if the geometry is not possible
     * @throws UncheckedIOException     if the file cannot be created
     */
    public static ShmGuestFile create(Path path, long pageCount, int pageSize, Mode request) {
        if (Integer.bitCount(pageSize) != 1 || pageSize < 512 || pageSize > 65536 || pageCount < 1
                || pageCount > (1L << 46) / pageSize) {
            throw new IllegalArgumentException("not a guest geometry: " + pageCount + " pages of " + pageSize + " bytes");
        }
        long bitmapAt = HEADER_BYTES;
        long memoryAt = align(bitmapAt + ((pageCount + 63) >>> 6) * 8);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            ch.truncate(0);
            ByteBuffer h = ByteBuffer.allocate(64).order(ByteOrder.nativeOrder());
            h.putInt(MAGIC).putInt(VERSION).putInt(pageSize).putInt(0).putLong(pageCount).putLong(bitmapAt)
                    .putLong(memoryAt).flip();
            ch.write(h, 0);
            ch.write(ByteBuffer.wrap(new byte[1]), memoryAt + pageCount * pageSize - 1);
            ShmGuestFile file = new ShmGuestFile(path, ch, pageSize, pageCount, bitmapAt, memoryAt);
            LONGS.setVolatile(file.header, REQUEST_AT, word(1, request));
            return file;
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new IllegalArgumentException("the guest file " + path + " already exists", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the guest file " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Maps an existing file.
     *
     * @throws IllegalArgumentException if it is not a guest file (naming what is wrong)
     * @throws UncheckedIOException     if it cannot be read
     */
    public static ShmGuestFile open(Path path) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer h = ByteBuffer.allocate(40).order(ByteOrder.nativeOrder());
            ch.read(h, 0);
            h.flip();
            if (h.remaining() < 40 || h.getInt(0) != MAGIC) {
                throw new IllegalArgumentException(path + " is not a guest file (no magic)");
            }
            if (h.getInt(4) != VERSION) {
                throw new IllegalArgumentException(path + ": guest file version " + h.getInt(4) + ", expected " + VERSION);
            }
            int pageSize = h.getInt(PAGE_SIZE_AT);
            long pageCount = h.getLong(PAGE_COUNT_AT);
            long bitmapAt = h.getLong(BITMAP_AT);
            long memoryAt = h.getLong(MEMORY_AT);
            if (Integer.bitCount(pageSize) != 1 || pageSize < 512 || pageSize > 65536 || pageCount < 1
                    || pageCount > (1L << 46) / pageSize || bitmapAt != HEADER_BYTES
                    || memoryAt != align(bitmapAt + ((pageCount + 63) >>> 6) * 8)
                    || ch.size() < memoryAt + pageCount * pageSize) {
                throw new IllegalArgumentException(path + ": header does not describe the file (" + pageCount
                        + " pages of " + pageSize + " bytes, " + ch.size() + " bytes long)");
            }
            return new ShmGuestFile(path, ch, pageSize, pageCount, bitmapAt, memoryAt);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("no guest file at " + path, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the guest file " + path + ": " + e.getMessage(), e);
        }
    }

    private static long align(long offset) {
        return (offset + 4095) & ~4095L;
    }

    public Path path() {
        return path;
    }

    public int pageSize() {
        return pageSize;
    }

    public long pageCount() {
        return pageCount;
    }

    /** A view of one page (position 0, limit the page size). */
    public ByteBuffer pageView(long index) {
        Objects.checkIndex(index, pageCount);
        return chunk(index).slice(offsetInChunk(index), pageSize);
    }

    ByteBuffer chunk(long page) {
        return chunks[(int) (page >>> pagesPerChunkShift)];
    }

    int offsetInChunk(long page) {
        return (int) ((page & ((1L << pagesPerChunkShift) - 1)) << pageShift);
    }

    /** Sets the dirty bit of a page, after its bytes were written. */
    void markDirty(long page) {
        LONGS.getAndBitwiseOr(bitmap, (int) (page >>> 6) << 3, 1L << page);
    }

    /** ORs the dirty bits into {@code into} and clears them. */
    public void collectDirty(long[] into) {
        for (int i = 0; i < bitmapWords; i++) {
            if ((long) LONGS.getVolatile(bitmap, i << 3) != 0) {
                into[i] |= (long) LONGS.getAndSet(bitmap, i << 3, 0L);
            }
        }
    }

    /** The last request, a word of {@link #sequence} and {@link #mode}. */
    public long request() {
        return (long) LONGS.getVolatile(header, REQUEST_AT);
    }

    /** Asks the program for {@code mode}; returns the request word, to wait for with {@link #answered}. */
    public long request(Mode mode) {
        long word = word(sequence(request()) + 1, mode);
        LONGS.setVolatile(header, REQUEST_AT, word);
        return word;
    }

    /** The program's last answer: the request it has carried out. */
    public long answer() {
        return (long) LONGS.getVolatile(header, ANSWER_AT);
    }

    /** Whether the program has carried out {@code request}. */
    public boolean answered(long request) {
        return answer() == request;
    }

    void answer(long request) {
        LONGS.setVolatile(header, ANSWER_AT, request);
    }

    public static long sequence(long word) {
        return word >>> 2;
    }

    /** The mode of a request or answer word; {@code null} for none yet. */
    public static Mode mode(long word) {
        int m = (int) (word & 3);
        return m == 0 ? null : Mode.values()[m - 1];
    }

    private static long word(long sequence, Mode mode) {
        return sequence << 2 | (mode.ordinal() + 1);
    }

    public int throttle() {
        return (int) INTS.getVolatile(header, THROTTLE_AT);
    }

    public void throttle(int percent) {
        INTS.setVolatile(header, THROTTLE_AT, percent);
    }

    /** The generation of the program attached last. */
    public long generation() {
        return (long) LONGS.getVolatile(header, GENERATION_AT);
    }

    /** Bumps the generation: the program attaching now owns the guest. */
    long attach(long pid) {
        long generation = (long) LONGS.getAndAdd(header, GENERATION_AT, 1L) + 1;
        LONGS.setVolatile(header, PID_AT, pid);
        return generation;
    }

    /** The process id of the program attached last, 0 if none. */
    public long pid() {
        return (long) LONGS.getVolatile(header, PID_AT);
    }

    /** Page writes the guest has done so far, over its whole life (it travels with the state). */
    public long writes() {
        return (long) LONGS.getVolatile(header, STATE_AT);
    }

    /** Records the workload's state (the program does, after each batch of writes and when it stops). */
    void storeWorkload(WorkloadDriver driver) {
        ByteBuffer state = ByteBuffer.allocate(WorkloadDriver.STATE_BYTES).order(ByteOrder.nativeOrder());
        driver.save(state);
        LONGS.setVolatile(header, STATE_AT + 8, state.getLong(8));
        LONGS.setVolatile(header, STATE_AT + 16, state.getLong(16));
        LONGS.setVolatile(header, STATE_AT, state.getLong(0));
    }

    /** The workload recorded in the header, continuing from its recorded state. */
    WorkloadDriver loadWorkload() {
        GuestSpec spec = GuestSpec.parse(spec());
        if (spec.pageSize() != pageSize || spec.sizeBytes() != pageCount * pageSize) {
            throw new IllegalArgumentException(path + ": workload " + spec + " does not fit " + pageCount
                    + " pages of " + pageSize + " bytes");
        }
        WorkloadDriver driver = new WorkloadDriver(spec);
        driver.load(header.slice(STATE_AT, WorkloadDriver.STATE_BYTES).order(ByteOrder.nativeOrder()));
        return driver;
    }

    /** Writes the workload of a new guest, its state at the start. */
    void storeSpec(GuestSpec spec) {
        writeSpec(spec.toString().getBytes(StandardCharsets.UTF_8));
        storeWorkload(new WorkloadDriver(spec));
    }

    private String spec() {
        int length = header.getInt(SPEC_AT);
        if (length <= 0 || length > MAX_SPEC_BYTES) {
            throw new IllegalArgumentException(path + ": no workload recorded");
        }
        byte[] bytes = new byte[length];
        header.get(SPEC_AT + 4, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private void writeSpec(byte[] spec) {
        if (spec.length > MAX_SPEC_BYTES) {
            throw new IllegalArgumentException("workload description too long: " + spec.length + " bytes");
        }
        header.put(SPEC_AT + 4, spec);
        INTS.setVolatile(header, SPEC_AT, spec.length);
    }

    /** The guest's CPU state: the workload's state and description (taken while paused). */
    public byte[] deviceState() {
        byte[] spec = spec().getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + WorkloadDriver.STATE_BYTES + spec.length);
        out.putInt(DEVICE_STATE_MAGIC);
        for (int i = 0; i < WorkloadDriver.STATE_BYTES; i += 8) {
            out.putLong((long) LONGS.getVolatile(header, STATE_AT + i));
        }
        out.putInt(spec.length).put(spec);
        return out.array();
    }

    /**
     * Installs a CPU state taken by {@link #deviceState()} at the source.
     *
     * @throws IllegalArgumentException if it is not one, or its workload does not fit this guest
     */
    public void loadDeviceState(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        if (bytes.length < 8 + WorkloadDriver.STATE_BYTES || in.getInt() != DEVICE_STATE_MAGIC) {
            throw new IllegalArgumentException("not a shared-memory guest's state (" + bytes.length + " bytes)");
        }
        long[] state = {in.getLong(), in.getLong(), in.getLong()};
        int length = in.getInt();
        if (length != in.remaining()) {
            throw new IllegalArgumentException("shared-memory guest state: workload length " + length + ", "
                    + in.remaining() + " bytes left");
        }
        byte[] spec = new byte[length];
        in.get(spec);
        GuestSpec parsed = GuestSpec.parse(new String(spec, StandardCharsets.UTF_8));
        if (parsed.pageSize() != pageSize || parsed.sizeBytes() != pageCount * pageSize) {
            throw new IllegalArgumentException("the guest's workload " + parsed + " does not fit " + pageCount
                    + " pages of " + pageSize + " bytes");
        }
        writeSpec(spec);
        for (int i = 0; i < state.length; i++) {
            LONGS.setVolatile(header, STATE_AT + 8 * i, state[i]);
        }
    }

    /** Unmaps the file; nothing may use its views afterwards. */
    @Override
    public void close() {
        for (ByteBuffer chunk : chunks) {
            DirectMemory.unmap(chunk);
        }
        DirectMemory.unmap(control);
    }
}
