package io.cutover.arp.impl;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** A {@link FrameSink} that keeps what is sent (the buffers themselves, with when and on which thread). */
class RecordingSink implements FrameSink {
    record Sent(byte[] frame, long nanos, Thread thread) {
    }

    final List<Sent> sent = new ArrayList<>();
    final Deque<byte[]> toReceive = new ArrayDeque<>();
    volatile boolean closed;

    @Override
    public synchronized void send(byte[] frame) {
        sent.add(new Sent(frame, System.nanoTime(), Thread.currentThread()));
    }

    @Override
    public synchronized byte[] receive(long timeoutNanos) {
        return toReceive.poll();
    }

    synchronized List<Sent> sent() {
        return List.copyOf(sent);
    }

    @Override
    public void close() {
        closed = true;
    }
}
