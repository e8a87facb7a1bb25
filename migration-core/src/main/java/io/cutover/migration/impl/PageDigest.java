package io.cutover.migration.impl;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Per-page CRC32C checksums folded into one whole-memory digest: the sum over pages of a mix of the page's
 * index and checksum. A sum can be kept up to date page by page as pages are sent and applied, so both
 * ends know the digest of the memory at any moment without re-reading it.
 */
final class PageDigest {
    private final CRC32C crc = new CRC32C();
    private final ByteBuffer zeroPage;
    private final int zeroCrc;

    PageDigest(int pageSize) {
        zeroPage = ByteBuffer.allocateDirect(pageSize);
        zeroCrc = checksum(zeroPage.duplicate());
    }

    /** The CRC32C of the page's remaining bytes (consumes them). */
    int checksum(ByteBuffer page) {
        crc.reset();
        crc.update(page);
        return (int) crc.getValue();
    }

    int zeroCrc() {
        return zeroCrc;
    }

    /** A read-only page of zeros. */
    ByteBuffer zeroPage() {
        return zeroPage.asReadOnlyBuffer();
    }

    /** Whether the page (from position 0) is all zeros. */
    boolean isZero(ByteBuffer page) {
        return page.duplicate().position(0).mismatch(zeroPage.duplicate()) < 0;
    }

    /** A page's share of the digest. */
    static long term(long index, int checksum) {
        long z = index * 0x9E3779B97F4A7C15L + (checksum & 0xFFFFFFFFL);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The digest of {@code pageCount} zero pages. */
    long zeroDigest(long pageCount) {
        long sum = 0;
        for (long i = 0; i < pageCount; i++) {
            sum += term(i, zeroCrc);
        }
        return sum;
    }
}
