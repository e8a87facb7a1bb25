package io.cutover.lab.impl;

import io.cutover.support.LibC;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import io.cutover.lab.LabException;

import java.nio.charset.StandardCharsets;

/**
 * Sets interfaces administratively up or down with {@code ioctl(SIOCSIFFLAGS)} on the calling thread's
 * namespace: microseconds, where spawning {@code ip link set} takes milliseconds (tens on a loaded machine).
 * Call it on a thread inside the namespace (a {@link io.cutover.support.Netns}).
 */
final class LinkSwitch {
    private static final int AF_INET = 2;
    private static final int SOCK_DGRAM = 2;
    private static final long SIOCGIFFLAGS = 0x8913;
    private static final long SIOCSIFFLAGS = 0x8914;
    private static final short IFF_UP = 0x1;
    /** The link is operationally up (carrier, and the kernel's link watch has seen it): frames get through. */
    private static final short IFF_RUNNING = 0x40;
    /** How long {@link #flip} waits for the new cable to run before it gives up waiting (and returns). */
    private static final long RUNNING_WITHIN_NANOS = 1_000_000_000L;
    /** {@code struct ifreq}: a 16-byte name, then a union whose first member is the short flags. */
    private static final int IFREQ_SIZE = 40;
    private static final int IFNAMSIZ = 16;

    private LinkSwitch() {
    }

    /**
     * Sets each of {@code down} down, then {@code up} up, in the calling thread's namespace, and waits (a second at
     * most) until {@code up} runs: the kernel marks a link operationally up asynchronously (its link watch, later on a
     * loaded machine), and until then a bridge above it drops what the host sends — a guest resumed on a NIC
     * without link would lose its first replies.
     */
    static void flip(Iterable<String> down, String up) {
        int socket = LibC.INSTANCE.socket(AF_INET, SOCK_DGRAM, 0);
        if (socket < 0) {
            throw new LabException("socket() for ioctl failed: errno " + Native.getLastError());
        }
        try {
            for (String iface : down) {
                setUp(socket, iface, false);
            }
            setUp(socket, up, true);
            awaitRunning(socket, up);
        } finally {
            LibC.INSTANCE.close(socket);
        }
    }

    private static void setUp(int socket, String iface, boolean up) {
        byte[] name = iface.getBytes(StandardCharsets.US_ASCII);
        if (name.length >= IFNAMSIZ) {
            throw new IllegalArgumentException("interface name too long: " + iface);
        }
        Memory request = new Memory(IFREQ_SIZE);
        request.clear();
        request.write(0, name, 0, name.length);
        ioctl(socket, SIOCGIFFLAGS, request, iface);
        short flags = request.getShort(IFNAMSIZ);
        request.setShort(IFNAMSIZ, (short) (up ? flags | IFF_UP : flags & ~IFF_UP));
        ioctl(socket, SIOCSIFFLAGS, request, iface);
    }

    private static void awaitRunning(int socket, String iface) {
        long deadline = System.nanoTime() + RUNNING_WITHIN_NANOS;
        while ((flags(socket, iface) & IFF_RUNNING) == 0 && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(200_000);
        }
    }

    private static short flags(int socket, String iface) {
        Memory request = new Memory(IFREQ_SIZE);
        request.clear();
        byte[] name = iface.getBytes(StandardCharsets.US_ASCII);
        request.write(0, name, 0, name.length);
        ioctl(socket, SIOCGIFFLAGS, request, iface);
        return request.getShort(IFNAMSIZ);
    }

    private static void ioctl(int socket, long request, Memory ifreq, String iface) {
        if (LibC.INSTANCE.ioctl(socket, new NativeLong(request), ifreq) != 0) {
            throw new LabException("ioctl 0x" + Long.toHexString(request) + " on " + iface + " failed: errno "
                    + Native.getLastError());
        }
    }
}
