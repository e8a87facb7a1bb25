package io.cutover.migration;

import java.nio.ByteBuffer;

/**
 * The guest SPI: what the migrator needs from a virtual machine. Memory is {@link #pageCount()} pages of
 * {@link #pageSize()} bytes; writes by the guest itself are recorded in a dirty log that
 * {@link #collectDirty(long[])} moves out and clears; execution can be paused and resumed; a small CPU and
 * device state travels with the last pages.
 *
 * <p>Writes made through {@link #pageView(long)} (by the migrator, at the destination) are not logged.
 */
public interface Guest extends AutoCloseable {

    /** Bytes per page, a power of two. */
    int pageSize();

    /** Pages of memory. */
    long pageCount();

    /** Bytes of memory. */
    default long sizeBytes() {
        return pageCount() * pageSize();
    }

    /**
     * A view of one page: position 0, limit {@link #pageSize()}. Reading it while the guest runs may observe
     * a page being written (the dirty log then has it again); writing it changes the guest's memory.
     *
     * @throws IndexOutOfBoundsException if {@code index} is not a page of this guest
     */
    ByteBuffer pageView(long index);

    /**
     * Writes a whole page ({@code data}'s {@link #pageSize()} remaining bytes), as the migrator does at the
     * destination; not logged as dirty. A guest may write it without mapping it in (see the synthetic guest); the
     * default writes through {@link #pageView(long)}.
     *
     * @throws IndexOutOfBoundsException if {@code index} is not a page of this guest
     */
    default void writePage(long index, ByteBuffer data) {
        pageView(index).put(data);
    }

    /**
     * Writes {@code count} whole consecutive pages from page {@code first}, {@code pages[0]} to
     * {@code pages[count - 1]}, as {@link #writePage} would one by one; a guest may write them at once.
     *
     * @throws IndexOutOfBoundsException if a page is not a page of this guest
     */
    default void writePages(long first, ByteBuffer[] pages, int count) {
        for (int i = 0; i < count; i++) {
            writePage(first + i, pages[i]);
        }
    }

    /**
     * ORs the dirty log into {@code bitmap} (bit {@code i % 64} of word {@code i / 64} for page {@code i})
     * and clears the log.
     *
     * @param bitmap at least {@code (pageCount() + 63) / 64} words
     */
    void collectDirty(long[] bitmap);

    /**
     * ORs into {@code bitmap} the pages that may hold anything but zeros: every page the guest or a
     * {@link #pageView(long)} caller may have written since the memory was allocated (zeroed). The first round
     * sends only these; the others are zero at both ends, so they need neither a frame nor a read — reading memory
     * never written faults it in page by page, which costs more than the migration of an idle guest itself. A page
     * written after this call must reach the dirty log. The default, every page, is always right.
     *
     * @param bitmap at least {@code (pageCount() + 63) / 64} words
     */
    default void populatedPages(long[] bitmap) {
        long pages = pageCount();
        int full = (int) (pages >>> 6);
        java.util.Arrays.fill(bitmap, 0, full, -1L);
        if ((pages & 63) != 0) {
            bitmap[full] |= (1L << pages) - 1;
        }
    }

    /** Stops the guest's execution; when this returns, the guest writes nothing more until {@link #resume()}. */
    void pause();

    /** Starts (or restarts) the guest's execution. */
    void resume();

    /** Whether the guest executes now. */
    boolean isRunning();

    /** The CPU and device state, small (at most 1 MiB), taken while paused. */
    byte[] saveState();

    /** Installs the CPU and device state saved at the source, before the first {@link #resume()}. */
    void loadState(byte[] state);

    /**
     * Slows the guest down to {@code 100 - percent} % of its speed (auto-converge); 0 lifts the throttle.
     * Guests that cannot be throttled ignore it.
     */
    default void throttle(int percent) {
    }

    /** The throttle in force, in percent. */
    default int throttlePercent() {
        return 0;
    }

    /** Whether this guest can run before all its pages are present (post-copy), see {@link #expectPages}. */
    default boolean supportsPostCopy() {
        return false;
    }

    /**
     * Post-copy at the destination, before {@link #resume()}: the pages set in {@code missing} are not here
     * yet. When the guest touches one it calls {@code onFault} with the page and waits until
     * {@link #pageArrived(long)} is called for it.
     *
     * @throws UnsupportedOperationException if {@link #supportsPostCopy()} is false
     */
    default void expectPages(long[] missing, java.util.function.LongConsumer onFault) {
        throw new UnsupportedOperationException("this guest cannot run with missing pages");
    }

    /** Post-copy: the page, written through {@link #pageView(long)}, is now present. */
    default void pageArrived(long index) {
    }

    /** A short description that lets a destination allocate a like guest, e.g. {@code synthetic:size=64m}. */
    String descriptor();

    /** Stops the guest for good and frees its memory. */
    @Override
    void close();
}
