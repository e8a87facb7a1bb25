package io.cutover.support;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/** The few C library calls the lab makes itself: entering a namespace, and switching an interface up or down. */
public interface LibC extends Library {
    LibC INSTANCE = Native.load("c", LibC.class);

    int open(String path, int flags);

    int setns(int fd, int nstype);

    int socket(int domain, int type, int protocol);

    int ioctl(int fd, NativeLong request, Pointer argp);

    int close(int fd);

    int setpriority(int which, int who, int prio);
}
