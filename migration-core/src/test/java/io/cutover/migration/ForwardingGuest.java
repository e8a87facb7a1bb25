package io.cutover.migration;

import java.nio.ByteBuffer;

/** A guest that passes everything to another; tests override a method to inject a fault. */
public class ForwardingGuest implements Guest {
    protected final Guest delegate;
    public volatile boolean closed;

    public ForwardingGuest(Guest delegate) {
        this.delegate = delegate;
    }

    @Override public int pageSize() { return delegate.pageSize(); }
    @Override public long pageCount() { return delegate.pageCount(); }
    @Override public ByteBuffer pageView(long index) { return delegate.pageView(index); }
    @Override public void collectDirty(long[] bitmap) { delegate.collectDirty(bitmap); }
    @Override public void pause() { delegate.pause(); }
    @Override public void resume() { delegate.resume(); }
    @Override public boolean isRunning() { return delegate.isRunning(); }
    @Override public byte[] saveState() { return delegate.saveState(); }
    @Override public void loadState(byte[] state) { delegate.loadState(state); }
    @Override public void throttle(int percent) { delegate.throttle(percent); }
    @Override public int throttlePercent() { return delegate.throttlePercent(); }
    @Override public String descriptor() { return delegate.descriptor(); }

    @Override
    public void close() {
        closed = true;
        delegate.close();
    }
}
