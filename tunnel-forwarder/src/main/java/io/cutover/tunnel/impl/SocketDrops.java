package io.cutover.tunnel.impl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The datagrams the kernel dropped for a UDP socket, mostly because its receive buffer was full: the {@code drops}
 * column of {@code /proc/net/udp} and {@code udp6} (the socket's {@code sk_drops}), read through
 * {@code /proc/thread-self} so that the calling thread's network namespace is the one read.
 */
public final class SocketDrops {
    static final Path UDP = Path.of("/proc/thread-self/net/udp");
    static final Path UDP6 = Path.of("/proc/thread-self/net/udp6");

    private SocketDrops() {
    }

    /** The drops of the UDP sockets bound to {@code port} in this thread's namespace (0 when unreadable). */
    public static long of(int port) {
        return read(UDP, port) + read(UDP6, port);
    }

    private static long read(Path table, int port) {
        try {
            return parse(Files.readString(table), port);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** The sum of the {@code drops} column over the rows whose local port is {@code port}. */
    static long parse(String table, int port) {
        String portHex = ":" + String.format(Locale.ROOT, "%04X", port);
        long drops = 0;
        for (String line : table.split("\n")) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length >= 13 && fields[0].endsWith(":") && fields[1].endsWith(portHex)) {
                drops += Long.parseLong(fields[fields.length - 1]);
            }
        }
        return drops;
    }
}
