package io.cutover.migration;

/** How non-zero pages travel. Zero pages always go as a marker without data. */
public enum Compression {
    /** As they are. */
    NONE,
    /** LZ4 (fast), kept only when it saves at least an eighth of the page. */
    LZ4
}
