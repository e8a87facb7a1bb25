package io.cutover.support;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The readiness datagram arrives, whole, at a Unix datagram socket bound as systemd binds its notify socket. */
class SystemdNotifyTest {
    /** The calls a receiver needs, which the product does not. */
    interface Receiver extends Library {
        Receiver C = Native.load("c", Receiver.class);

        int socket(int domain, int type, int protocol);

        int bind(int fd, byte[] address, int addressLength);

        NativeLong recv(int fd, byte[] buf, NativeLong len, int flags);

        int close(int fd);
    }

    private static final int MSG_DONTWAIT = 0x40;

    @Test
    void readyArrivesAtAFileSocketAndAtAnAbstractOne(@TempDir Path dir) {
        assertThat(received(dir.resolve("notify").toString())).isEqualTo("READY=1\nSTATUS=serving");
        assertThat(received("@cutover-notify-test-" + ProcessHandle.current().pid())).isEqualTo("READY=1\nSTATUS=serving");
    }

    @Test
    void aSocketNobodyBoundOrABadAddressIsAnErrorNamingIt(@TempDir Path dir) {
        assertThatThrownBy(() -> SystemdNotify.send(dir.resolve("absent").toString(), "READY=1"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("absent").hasMessageContaining("errno");
        assertThatThrownBy(() -> SystemdNotify.address("relative/path")).hasMessageContaining("no Unix socket address");
        assertThatThrownBy(() -> SystemdNotify.address("/" + "x".repeat(200))).hasMessageContaining("no Unix socket");
    }

    /** Binds a datagram socket at {@code path}, sends it the message as a daemon would, returns what arrived. */
    private static String received(String path) {
        int fd = Receiver.C.socket(1, 2, 0);
        assertThat(fd).isNotNegative();
        try {
            byte[] address = SystemdNotify.address(path);
            assertThat(Receiver.C.bind(fd, address, address.length)).as("bind %s: errno %d", path, Native.getLastError())
                    .isZero();
            SystemdNotify.send(path, "READY=1\nSTATUS=serving");
            byte[] buf = new byte[256];
            long n = Receiver.C.recv(fd, buf, new NativeLong(buf.length), MSG_DONTWAIT).longValue();
            assertThat(n).as("errno %d", Native.getLastError()).isPositive();
            return new String(buf, 0, (int) n, StandardCharsets.UTF_8);
        } finally {
            Receiver.C.close(fd);
        }
    }
}
