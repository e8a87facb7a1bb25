package io.cutover.it.cli;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import io.cutover.it.Launcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each daemon, run as its systemd unit runs it ({@code Type=notify}), tells the socket in {@code NOTIFY_SOCKET} that
 * it is ready, once it serves: a Unix datagram socket bound here stands in for systemd's.
 */
class SystemdReadyIT {
    /** The C library's calls for a receiving datagram socket. */
    interface C extends Library {
        C LIB = Native.load("c", C.class);

        int socket(int domain, int type, int protocol);

        int bind(int fd, byte[] address, int addressLength);

        NativeLong recv(int fd, byte[] buf, NativeLong len, int flags);

        int close(int fd);
    }

    private static final int MSG_DONTWAIT = 0x40;

    @TempDir
    Path dir;

    @Test
    void theControllerTheTunnelDaemonAndTheAgentSayTheyAreReadyOnceTheyServe() throws Exception {
        assertThat(readiness("sdn", "sdn", "serve", "--listen", "127.0.0.1:0", "--rest", "127.0.0.1:0"))
                .startsWith("READY=1\nSTATUS=openflow ").contains("rest port ");

        Path token = Files.writeString(dir.resolve("tunnel.token"), "systemd-ready-it-0123456789");
        Path tunnel = Files.writeString(dir.resolve("tunnel.yaml"),
                "listen: 127.0.0.1:0\napi: 127.0.0.1:0\ntokenFile: " + token + "\n");
        assertThat(readiness("tunnel", "tunnel", "serve", "--config", tunnel.toString()))
                .matches("READY=1\nSTATUS=api on port \\d+");

        Path host = Files.writeString(dir.resolve("host.yaml"),
                "host: hostA\nlisten: 127.0.0.1:0\ntoken: systemd-ready-it-0123456789\nmemory-mib: 64\n");
        assertThat(readiness("agent", "agent", "--config", host.toString())).matches("READY=1\nSTATUS=api on port \\d+");
    }

    /** Starts the daemon with {@code NOTIFY_SOCKET}, returns the first datagram it sends there, stops it. */
    private String readiness(String name, String... args) throws Exception {
        Path socket = dir.resolve(name + ".notify");
        byte[] address = sockaddrUn(socket.toString());
        int fd = C.LIB.socket(1, 2, 0);
        assertThat(fd).isNotNegative();
        Path log = dir.resolve(name + ".log");
        Process daemon = null;
        try {
            assertThat(C.LIB.bind(fd, address, address.length)).as("bind: errno %d", Native.getLastError()).isZero();
            ProcessBuilder builder = new ProcessBuilder(Launcher.command(null, args)).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).redirectInput(new File("/dev/null"));
            builder.environment().put("NOTIFY_SOCKET", socket.toString());
            daemon = builder.start();
            byte[] buf = new byte[512];
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline && daemon.isAlive()) {
                long n = C.LIB.recv(fd, buf, new NativeLong(buf.length), MSG_DONTWAIT).longValue();
                if (n > 0) {
                    return new String(buf, 0, (int) n, StandardCharsets.UTF_8);
                }
                Thread.sleep(50);
            }
            throw new AssertionError(name + " sent nothing (alive: " + daemon.isAlive() + "): " + Files.readString(log));
        } finally {
            C.LIB.close(fd);
            if (daemon != null) {
                daemon.destroy();
                assertThat(daemon.waitFor(20, TimeUnit.SECONDS)).isTrue();
            }
        }
    }

    /** {@code struct sockaddr_un} for a file socket. */
    private static byte[] sockaddrUn(String path) {
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        byte[] address = new byte[2 + name.length + 1];
        address[0] = 1;
        System.arraycopy(name, 0, address, 2, name.length);
        return address;
    }
}
