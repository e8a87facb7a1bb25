package io.cutover.tunnel.impl;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import io.cutover.tunnel.TunnelException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.IntUnaryOperator;
import java.util.concurrent.locks.LockSupport;

/**
 * Injects frames with a raw {@code AF_PACKET} socket bound to the interface, through JNA: a batch leaves in one
 * {@code sendmmsg} from native buffers prepared once, instead of one {@code pcap_sendpacket} per frame. Open it on a
 * thread in the right namespace. Not thread-safe: one injecting thread.
 */
public final class PacketSocketSink implements FrameSink {
    /** Frames per {@code sendmmsg}. */
    public static final int BATCH = 64;
    /** The largest frame a batch slot holds; larger ones are sent alone. */
    static final int SLOT = 9216;
    private static final int MMSGHDR = 64;
    private static final int IOVEC = 16;
    /**
     * How long one send waits in all for an interface without room for its frames, before they count as failed: the
     * reader of a lab host's {@code fwd} (its userspace Open vSwitch) was seen starved for over 100 ms on a loaded
     * 2-core host, and the frames waiting here are what the blackout held.
     */
    static final Duration ROOM_WAIT = Duration.ofSeconds(1);
    private static final long ROOM_POLL_NANOS = 200_000;
    private static final Logger LOG = LoggerFactory.getLogger(PacketSocketSink.class);

    private final int fd;
    private final String iface;
    private final Memory data = new Memory((long) BATCH * SLOT);
    private final Memory iovecs = new Memory((long) BATCH * IOVEC);
    private final Memory messages = new Memory((long) BATCH * MMSGHDR);
    private final Memory single = new Memory(65_536 + 64);
    private volatile boolean closed;
    private boolean refusalLogged;

    private PacketSocketSink(int fd, String iface) {
        this.fd = fd;
        this.iface = iface;
        messages.clear();
        for (int i = 0; i < BATCH; i++) {
            iovecs.setPointer((long) i * IOVEC, data.share((long) i * SLOT));
            long msg = (long) i * MMSGHDR;
            messages.setPointer(msg + 16, iovecs.share((long) i * IOVEC)); // msg_iov
            messages.setLong(msg + 24, 1);                                  // msg_iovlen
        }
    }

    /**
     * Opens a packet socket on {@code iface} (in the calling thread's namespace).
     *
     * @throws TunnelException when the interface is unknown or the socket cannot be opened (needs CAP_NET_RAW)
     */
    public static PacketSocketSink open(String moveId, String iface) {
        PacketCalls c = PacketCalls.INSTANCE;
        int index = c.if_nametoindex(iface);
        if (index == 0) {
            throw new TunnelException(moveId, "cannot inject on " + iface + ": no such interface");
        }
        int fd;
        try {
            fd = c.socket(PacketCalls.AF_PACKET, PacketCalls.SOCK_RAW, 0);
        } catch (LastErrorException e) {
            throw new TunnelException(moveId, "cannot inject on " + iface + ": packet socket: errno " + e.getErrorCode(), e);
        }
        ByteBuffer sll = ByteBuffer.allocate(20).order(ByteOrder.nativeOrder());
        sll.putShort((short) PacketCalls.AF_PACKET).putShort((short) 0).putInt(index);
        try {
            c.bind(fd, sll.array(), 20);
        } catch (LastErrorException e) {
            c.close(fd);
            throw new TunnelException(moveId, "cannot inject on " + iface + ": bind: errno " + e.getErrorCode(), e);
        }
        return new PacketSocketSink(fd, iface);
    }

    @Override
    public boolean inject(byte[] frame, int length) {
        if (closed || length > single.size()) {
            return false;
        }
        single.write(0, frame, 0, length);
        long deadline = System.nanoTime() + ROOM_WAIT.toNanos();
        while (true) {
            try {
                return PacketCalls.INSTANCE.send(fd, single, length, 0) == length;
            } catch (LastErrorException e) {
                if (!waitForRoom(e, deadline)) {
                    return false;
                }
            }
        }
    }

    @Override
    public int injectAll(List<byte[]> frames) {
        return injectEach(frames.size(), frames::get, i -> frames.get(i).length);
    }

    @Override
    public int injectCopies(List<FrameCopy> frames) {
        return injectEach(frames.size(), i -> frames.get(i).bytes(), i -> frames.get(i).length());
    }

    /** Sends frames {@code 0..count)}, each {@code frame(i)[0..length(i))}, in batches; returns how many left. */
    private int injectEach(int count, IntFunction<byte[]> frame, IntUnaryOperator length) {
        int sent = 0;
        int i = 0;
        while (i < count && !closed) {
            int n = 0;
            while (i < count && n < BATCH && length.applyAsInt(i) <= SLOT) {
                int len = length.applyAsInt(i);
                data.write((long) n * SLOT, frame.apply(i), 0, len);
                iovecs.setLong((long) n * IOVEC + 8, len);
                n++;
                i++;
            }
            if (n == 0) {
                sent += inject(frame.apply(i), length.applyAsInt(i)) ? 1 : 0;
                i++;
            } else {
                sent += sendBatch(n);
            }
        }
        return sent;
    }

    /**
     * Sends the batch's first {@code n} frames; returns how many left. A frame the kernel refuses (one above the
     * interface's MTU, say) is passed over, so that it does not take the batch with it.
     */
    private int sendBatch(int n) {
        int sent = 0;
        int next = 0;
        long deadline = System.nanoTime() + ROOM_WAIT.toNanos();
        while (next < n && !closed) {
            try {
                int done = PacketCalls.INSTANCE.sendmmsg(fd, messages.share((long) next * MMSGHDR), n - next, 0);
                sent += done;
                next += done;
            } catch (LastErrorException e) { // the kernel refused the frame at next
                if (!waitForRoom(e, deadline)) {
                    next++;
                }
            }
        }
        return sent;
    }

    /**
     * After a refused send: whether to try again, having waited a little, because the interface had no room for the
     * frame (a burst, such as a flushed hold, outruns whoever reads the interface: the kernel says ENOBUFS) and the
     * send's {@link #ROOM_WAIT} is not over. A refusal for another reason is logged, the first of this sink's.
     */
    private boolean waitForRoom(LastErrorException e, long deadline) {
        if ((e.getErrorCode() == PacketCalls.ENOBUFS || e.getErrorCode() == PacketCalls.EAGAIN) && System.nanoTime() < deadline) {
            LockSupport.parkNanos(ROOM_POLL_NANOS);
            return true;
        }
        if (!refusalLogged) {
            refusalLogged = true;
            LOG.warn("injecting on {}: the kernel refused a frame, errno {} (this and further ones are counted as "
                    + "SEND_FAILED)", iface, e.getErrorCode());
        }
        return false;
    }

    public String iface() {
        return iface;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            PacketCalls.INSTANCE.close(fd);
        }
    }
}
