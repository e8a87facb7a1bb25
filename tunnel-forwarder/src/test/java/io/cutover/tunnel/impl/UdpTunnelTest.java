package io.cutover.tunnel.impl;

import io.cutover.tunnel.ForwarderOptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The tunnel's UDP socket on loopback, on either transport. */
class UdpTunnelTest {

    @ParameterizedTest(name = "native transport: {0}")
    @ValueSource(booleans = {true, false})
    void aDatagramOverTheLargestIsTooBigNeverHandedOnCut(boolean nativeTransport) throws Exception {
        ForwarderOptions options = ForwarderOptions.builder()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).pathMtu(1500)
                .nativeTransport(nativeTransport).build();
        List<Integer> received = new CopyOnWriteArrayList<>();
        AtomicInteger tooBig = new AtomicInteger();
        int largest = UdpTunnel.maxPayload(options);
        try (UdpTunnel tunnel = UdpTunnel.bind(options, (sender, payload, length) -> received.add(length),
                tooBig::incrementAndGet);
             DatagramSocket peer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), tunnel.port());
            for (int length : new int[] {100, largest, largest + 1, 9000, 65_000, 200}) {
                peer.send(new DatagramPacket(new byte[length], length, to));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (received.size() + tooBig.get() < 6 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        }
        assertThat(received).as("whole datagrams only").containsExactly(100, largest, 200);
        assertThat(tooBig.get()).as("those over %d bytes", largest).isEqualTo(3);
    }
}
