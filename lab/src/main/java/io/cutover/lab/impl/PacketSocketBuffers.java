package io.cutover.lab.impl;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.ptr.IntByReference;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Gives the packet sockets of a running process a larger receive buffer. The lab's Open vSwitch reads each port of its
 * userspace datapath through an {@code AF_PACKET} socket with the host's default receive buffer (212,992 bytes, about
 * 300 small frames); a guest answering at once what it was sent while it was stopped, on a 2-core host where the switch
 * waits for a core, overflows it and the frames are lost uncounted by the switch (a real hypervisor's kernel datapath
 * has no such buffer). The default is global to the host, so instead each socket is raised where it is: a duplicate of
 * its descriptor ({@code pidfd_getfd}, Linux 5.6) takes {@code SO_RCVBUFFORCE}.
 */
public final class PacketSocketBuffers {
    /** The receive buffer each packet socket gets: some 5,000 small frames. */
    public static final int BYTES = 4 << 20;
    private static final long SYS_PIDFD_OPEN = 434;
    private static final long SYS_PIDFD_GETFD = 438;
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVBUFFORCE = 33;

    private PacketSocketBuffers() {
    }

    /** What this needs of the C library. */
    private interface Calls extends Library {
        Calls INSTANCE = Native.load("c", Calls.class);

        long syscall(long number, Object... args);

        int setsockopt(int fd, int level, int name, IntByReference value, int length);

        int close(int fd);
    }

    /**
     * Raises the receive buffer of every packet socket process {@code pid} holds to {@link #BYTES}; returns how many it
     * raised. A host that cannot (a kernel before 5.6) keeps the default: the lab still works, a burst may lose frames
     * (the bench counts them).
     */
    public static int raise(long pid) {
        Set<String> packetSockets = packetSocketInodes(pid);
        if (packetSockets.isEmpty()) {
            return 0;
        }
        int pidfd = (int) Calls.INSTANCE.syscall(SYS_PIDFD_OPEN, (int) pid, 0);
        if (pidfd < 0) {
            return 0;
        }
        int raised = 0;
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", String.valueOf(pid), "fd"))) {
            for (Path fd : fds) {
                String target = readLink(fd);
                if (target == null || !target.startsWith("socket:[")
                        || !packetSockets.contains(target.substring(8, target.length() - 1))) {
                    continue;
                }
                int copy = (int) Calls.INSTANCE.syscall(SYS_PIDFD_GETFD, pidfd,
                        Integer.parseInt(fd.getFileName().toString()), 0);
                if (copy < 0) {
                    continue;
                }
                try {
                    if (Calls.INSTANCE.setsockopt(copy, SOL_SOCKET, SO_RCVBUFFORCE, new IntByReference(BYTES), 4) == 0) {
                        raised++;
                    }
                } finally {
                    Calls.INSTANCE.close(copy);
                }
            }
        } catch (IOException e) {
            // the process is gone: nothing left to raise
        } finally {
            Calls.INSTANCE.close(pidfd);
        }
        return raised;
    }

    /** The inodes of the packet sockets in {@code pid}'s network namespace, from its {@code /proc/PID/net/packet}. */
    private static Set<String> packetSocketInodes(long pid) {
        Set<String> inodes = new HashSet<>();
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc", String.valueOf(pid), "net", "packet"));
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] fields = line.strip().split("\\s+");
                inodes.add(fields[fields.length - 1]);
            }
        } catch (IOException e) {
            // the process is gone: nothing to raise
        }
        return inodes;
    }

    private static String readLink(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString();
        } catch (IOException e) {
            return null;
        }
    }
}
