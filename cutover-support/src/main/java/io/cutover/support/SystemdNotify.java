package io.cutover.support;

import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;

/**
 * Tells systemd that a daemon is ready ({@code Type=notify}): the {@code READY=1} datagram of {@code sd_notify(3)},
 * sent to the Unix socket systemd names in {@code NOTIFY_SOCKET}, so that a unit ordered after the daemon starts once
 * the daemon serves rather than once its JVM runs. Without {@code NOTIFY_SOCKET} (not run by systemd) it does nothing.
 * The JDK's Unix sockets are streams only, hence the C library's {@code socket} and {@code sendto}.
 */
public final class SystemdNotify {
    private static final Logger LOG = LoggerFactory.getLogger(SystemdNotify.class);
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int MSG_NOSIGNAL = 0x4000;
    /** {@code sizeof(struct sockaddr_un)}: a two-byte family, then the path. */
    static final int SOCKADDR_UN_SIZE = 110;

    private SystemdNotify() {
    }

    /** Sends {@code READY=1} and {@code STATUS=status} if systemd asked for it; a failure is logged, not thrown. */
    public static void ready(String status) {
        String socket = System.getenv("NOTIFY_SOCKET");
        if (socket == null || socket.isEmpty()) {
            return;
        }
        try {
            send(socket, "READY=1\nSTATUS=" + status.replace('\n', ' '));
        } catch (IllegalStateException | LinkageError e) {
            // LinkageError: JNA could not load the C library (UnsatisfiedLinkError, ExceptionInInitializerError)
            LOG.warn("could not tell systemd the daemon is ready: {}", e.getMessage());
        }
    }

    /**
     * Sends {@code message} as one datagram to the Unix socket {@code path} ({@code @name}: in the abstract
     * namespace).
     *
     * @throws IllegalStateException naming the socket and the C library's error
     */
    static void send(String path, String message) {
        byte[] address = address(path);
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        int fd = LibC.INSTANCE.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new IllegalStateException("socket(AF_UNIX, SOCK_DGRAM): errno " + Native.getLastError());
        }
        try {
            long sent = LibC.INSTANCE.sendto(fd, bytes, new NativeLong(bytes.length), MSG_NOSIGNAL, address,
                    address.length).longValue();
            if (sent != bytes.length) {
                throw new IllegalStateException("sendto " + path + ": errno " + Native.getLastError());
            }
        } finally {
            LibC.INSTANCE.close(fd);
        }
    }

    /** {@code struct sockaddr_un} for {@code path}, as long as it needs to be (family, path and, if a file, NUL). */
    static byte[] address(String path) {
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        boolean abstractName = name.length > 0 && name[0] == '@';
        int length = 2 + name.length + (abstractName ? 0 : 1);
        if (length > SOCKADDR_UN_SIZE || name.length == 0 || !abstractName && name[0] != '/') {
            throw new IllegalStateException("NOTIFY_SOCKET is no Unix socket address: " + path);
        }
        byte[] address = new byte[length];
        address[0] = (byte) AF_UNIX; // sa_family, little-endian
        System.arraycopy(name, 0, address, 2, name.length);
        if (abstractName) {
            address[2] = 0;
        }
        return address;
    }
}
