package io.cutover.migration.impl;

import io.cutover.migration.transport.Frames;
import io.cutover.migration.transport.MigrationProtocolException;
import io.netty.channel.Channel;

/**
 * The connections of a multifd migration at the destination: which have joined, the sync point each has
 * reached, and which pages each may carry.
 */
final class MultifdConnections {
    private final Channel[] channels;
    private final long[] syncs;

    /** {@code count} connections, the control connection (index 0) joined. */
    MultifdConnections(Channel control, int count) {
        channels = new Channel[count];
        channels[0] = control;
        syncs = new long[count];
    }

    /** Records data connection {@code index}; returns why it may not join, or {@code null}. */
    String join(Channel data, int index) {
        if (channels[index] != null) {
            return "data connection " + index + " joined twice";
        }
        channels[index] = data;
        return null;
    }

    /** Rejects a page sent on a connection other than its shard's. */
    void checkPage(int index, long page) {
        int owner = Frames.channelOf(page, channels.length);
        if (owner != index) {
            throw new MigrationProtocolException("PAGE " + page + " on connection " + index + ", it belongs to " + owner);
        }
    }

    /** Records that connection {@code index} delivered everything up to sync point {@code point} (increasing). */
    void sync(int index, long point) {
        if (point <= syncs[index]) {
            throw new MigrationProtocolException("SYNC " + point + " on connection " + index + " after " + syncs[index]);
        }
        syncs[index] = point;
    }

    /** Whether every connection has delivered up to the control connection's last sync point. */
    boolean allSynced() {
        for (long point : syncs) {
            if (point < syncs[0]) {
                return false;
            }
        }
        return true;
    }

    /** Connections joined so far. */
    int joined() {
        int n = 0;
        for (Channel c : channels) {
            n += c == null ? 0 : 1;
        }
        return n;
    }

    /** Closes the data connections. */
    void closeData() {
        for (int i = 1; i < channels.length; i++) {
            if (channels[i] != null) {
                channels[i].close();
            }
        }
    }
}
