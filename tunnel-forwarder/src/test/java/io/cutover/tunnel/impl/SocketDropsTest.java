package io.cutover.tunnel.impl;

import org.junit.jupiter.api.Test;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;

class SocketDropsTest {
    @Test
    void sumsTheDropsColumnOfTheRowsBoundToThePort() {
        String udp = """
                   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
                  123: 00000000:12B5 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4711 2 0000000000000000 17
                  124: 0100007F:12B5 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4712 2 0000000000000000 3
                  125: 00000000:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4713 2 0000000000000000 99
                """;
        assertThat(SocketDrops.parse(udp, 4789)).isEqualTo(20);
        assertThat(SocketDrops.parse(udp, 53)).isEqualTo(99);
        assertThat(SocketDrops.parse(udp, 9)).isZero();
        assertThat(SocketDrops.parse("garbage\n\n", 4789)).isZero();
    }

    @Test
    void readsARealSocketOfThisNamespace() throws Exception {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            assertThat(SocketDrops.of(socket.getLocalPort())).isZero();
        }
    }
}
