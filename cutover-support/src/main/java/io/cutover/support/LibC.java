package io.cutover.support;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/**
 * The few C library calls made directly: the lab's (entering a namespace, switching an interface up or down) and the
 * daemons' readiness datagram to systemd ({@link SystemdNotify}).
 */
public interface LibC extends Library {
    LibC INSTANCE = Native.load("c", LibC.class);

    int open(String path, int flags);

    int setns(int fd, int nstype);

    int socket(int domain, int type, int protocol);

    int ioctl(int fd, NativeLong request, Pointer argp);

    int close(int fd);

    NativeLong sendto(int fd, byte[] buf, NativeLong len, int flags, byte[] address, int addressLength);

    int setpriority(int which, int who, int prio);
}
