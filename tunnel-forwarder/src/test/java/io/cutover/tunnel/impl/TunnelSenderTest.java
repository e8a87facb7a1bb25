package io.cutover.tunnel.impl;

import io.cutover.tunnel.DropReason;
import io.cutover.tunnel.ForwarderOptions;
import io.cutover.tunnel.MoveSpec;
import io.cutover.tunnel.Role;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The sender's queue toward a real tunnel on loopback, while the tunnel's event loop is kept busy. */
class TunnelSenderTest {
    @Test
    void liveFramesBeyondTheBoundAreDroppedCountedButAFlushedHoldIsNot() throws Exception {
        AtomicInteger arrived = new AtomicInteger();
        ForwarderOptions options = ForwarderOptions.builder()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).build();
        try (UdpTunnel receiver = UdpTunnel.bind(options, (from, payload, length) -> arrived.incrementAndGet(), () -> { });
             UdpTunnel tunnel = UdpTunnel.bind(options, (from, payload, length) -> { }, () -> { })) {
            MoveSpec spec = MoveSpec.builder("m1", 4242).role(Role.SOURCE).vmMac("02:00:00:00:00:01").vmAddresses(java.util.List.of(InetAddress.getByName("198.18.0.100")))
                    .peer(new InetSocketAddress(InetAddress.getLoopbackAddress(), receiver.port())).iface("lo")
                    .insecurePlain(true).build();
            Counters counters = new Counters();
            TunnelSender sender = new TunnelSender(spec, tunnel, 1500, counters);
            CountDownLatch busy = new CountDownLatch(1);
            tunnel.execute(() -> {
                try {
                    busy.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            byte[] frame = new byte[60];
            for (int i = 0; i < TunnelSender.MAX_PENDING + 100; i++) {
                sender.send(frame);
            }
            assertThat(sender.backlogged()).isTrue();
            for (int i = 0; i < 1000; i++) {
                sender.sendHeld(frame);
            }
            busy.countDown();
            int expected = TunnelSender.MAX_PENDING + 1000;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            int seen = -1;
            while (arrived.get() < expected && (arrived.get() == 0 || arrived.get() != seen)
                    && System.nanoTime() < deadline) {
                seen = arrived.get();
                Thread.sleep(200); // until all arrived, or none for 200 ms (loopback may drop some)
            }
            assertThat(counters.drops(DropReason.SEND_FAILED)).as("live frames over the bound").isEqualTo(100);
            assertThat(sender.backlogged()).as("once the event loop took them").isFalse();
            assertThat(counters.get("sent")).isEqualTo(expected);
            // loopback may drop some of 17,000 datagrams at the receiving socket; that the queued ones leave is what counts
            assertThat(arrived.get()).as("the queued ones leave once the event loop is free").isGreaterThan(1000);
        }
    }
}
