package io.cutover.migration.impl;

import io.cutover.migration.Guest;
import io.netty.buffer.ByteBuf;

import java.nio.ByteBuffer;

/**
 * Whole pages received for consecutive indexes, held until they are written to the guest at once
 * ({@link Guest#writePages}): a gathering write of a run costs one system call where a write per page costs one
 * a page. The run holds a reference to each page's bytes; {@link #writeTo} or {@link #clear} gives them back.
 */
final class PageRun {
    private final ByteBuffer[] pages;
    private final ByteBuf[] held;
    private long first;
    private int count;

    PageRun(int maxPages) {
        pages = new ByteBuffer[maxPages];
        held = new ByteBuf[maxPages];
    }

    /**
     * Adds page {@code index} (its bytes {@code page}, kept alive by {@code payload}, which the run retains, or
     * {@code null} for bytes that need no reference) if it continues the run and the run has room; false, and
     * nothing added, if not.
     */
    boolean add(long index, ByteBuffer page, ByteBuf payload) {
        if (count == pages.length || (count > 0 && index != first + count)) {
            return false;
        }
        if (count == 0) {
            first = index;
        }
        pages[count] = page;
        held[count] = payload == null ? null : payload.retain();
        count++;
        return true;
    }

    /** Writes the run's pages to {@code guest} and empties the run. */
    void writeTo(Guest guest) {
        if (count == 0) {
            return;
        }
        try {
            guest.writePages(first, pages, count);
        } finally {
            clear();
        }
    }

    /** Empties the run without writing it. */
    void clear() {
        for (int i = 0; i < count; i++) {
            pages[i] = null;
            if (held[i] != null) {
                held[i].release();
                held[i] = null;
            }
        }
        count = 0;
    }
}
