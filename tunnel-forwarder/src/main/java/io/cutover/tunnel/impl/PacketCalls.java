package io.cutover.tunnel.impl;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/** The C library calls of the packet sockets ({@link PacketSocketSink}, {@link PacketRing}), through JNA. */
interface PacketCalls extends Library {
    PacketCalls INSTANCE = Native.load("c", PacketCalls.class);

    int AF_PACKET = 17;
    int SOCK_RAW = 3;
    int SOL_SOCKET = 1;
    int SOL_PACKET = 263;
    int EINTR = 4;
    int EAGAIN = 11;
    int ENOBUFS = 105;

    int if_nametoindex(String name);

    int socket(int domain, int type, int protocol) throws LastErrorException;

    int bind(int fd, byte[] address, int length) throws LastErrorException;

    int setsockopt(int fd, int level, int name, Pointer value, int length) throws LastErrorException;

    int getsockopt(int fd, int level, int name, Pointer value, int[] length) throws LastErrorException;

    Pointer mmap(Pointer address, long length, int protection, int flags, int fd, long offset) throws LastErrorException;

    int munmap(Pointer address, long length);

    int poll(Pointer fds, long count, int timeoutMillis) throws LastErrorException;

    int send(int fd, Pointer buffer, long length, int flags) throws LastErrorException;

    int sendmmsg(int fd, Pointer messages, int count, int flags) throws LastErrorException;

    int close(int fd);
}
