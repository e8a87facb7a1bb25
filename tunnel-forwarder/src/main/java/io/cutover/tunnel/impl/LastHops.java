package io.cutover.tunnel.impl;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * At the source, the MAC each sender's packets for the VM came from (its own, or its router's), so that the reverse
 * tunnel's replies to it are emitted toward the same next hop. Bounded: the least recently seen are forgotten.
 * Thread-safe.
 */
final class LastHops {
    static final int CAPACITY = 4096;

    private final Map<ByteBuffer, byte[]> macs = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ByteBuffer, byte[]> eldest) {
            return size() > CAPACITY;
        }
    };
    private byte[] latest;

    /** Notes that {@code frame}'s IP source was last seen behind its Ethernet source. */
    synchronized void saw(byte[] frame, int len) {
        byte[] source = InnerFrames.sourceAddress(frame, len);
        if (source == null) {
            return;
        }
        byte[] mac = java.util.Arrays.copyOfRange(frame, 6, 12);
        macs.put(ByteBuffer.wrap(source), mac);
        latest = mac;
    }

    /** The next hop toward {@code address}: where its packets came from, else where the latest packet came from, else null. */
    synchronized byte[] toward(byte[] address) {
        byte[] mac = address == null ? null : macs.get(ByteBuffer.wrap(address));
        return mac != null ? mac : latest;
    }
}
