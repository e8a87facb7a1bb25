package io.cutover.migration.impl;

/**
 * The last-sent version of pages, for XBZRLE deltas: a bounded, direct-mapped cache (page {@code i} lives in
 * slot {@code i % slots}, a newer page evicts the older), so its memory is fixed and a look-up is one index.
 */
final class PageCache {
    private final int pageSize;
    private final long[] tags;
    private final byte[][] slots;

    /** A cache of at most {@code bytes} of page copies (at least one page). */
    PageCache(long bytes, int pageSize) {
        this.pageSize = pageSize;
        int n = (int) Math.max(1, Math.min(Integer.MAX_VALUE - 8, bytes / pageSize));
        this.tags = new long[n];
        this.slots = new byte[n][];
    }

    /** The cached version of {@code page}, or {@code null}. */
    byte[] get(long page) {
        int slot = (int) (page % tags.length);
        return tags[slot] == page + 1 ? slots[slot] : null;
    }

    /** Records {@code content} as the last-sent version of {@code page}. */
    void put(long page, byte[] content) {
        int slot = (int) (page % tags.length);
        byte[] copy = slots[slot];
        if (copy == null) {
            copy = slots[slot] = new byte[pageSize];
        }
        System.arraycopy(content, 0, copy, 0, pageSize);
        tags[slot] = page + 1;
    }

    /** Forgets {@code page} (it was sent as zero). */
    void invalidate(long page) {
        int slot = (int) (page % tags.length);
        if (tags[slot] == page + 1) {
            tags[slot] = 0;
        }
    }
}
