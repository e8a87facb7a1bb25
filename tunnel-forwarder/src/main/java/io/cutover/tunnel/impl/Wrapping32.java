package io.cutover.tunnel.impl;

/**
 * A kernel counter of 32 bits (such as a socket's {@code sk_drops}) followed into 64: each reading adds what the
 * counter advanced since the one before, across a wrap. It must be read more often than it can advance by 2^32.
 * Not thread-safe.
 */
final class Wrapping32 {
    private long last = -1;
    private long total;

    /** Takes a reading of the counter (0 to 2^32 - 1); returns the total it has counted since the first reading. */
    long advance(long reading) {
        if (reading < 0 || reading > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("a 32-bit counter reads 0 to 2^32 - 1, not " + reading);
        }
        total += last < 0 ? reading : (reading - last) & 0xFFFF_FFFFL;
        last = reading;
        return total;
    }
}
