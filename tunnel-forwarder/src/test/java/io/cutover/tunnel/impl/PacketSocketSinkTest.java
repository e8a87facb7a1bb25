package io.cutover.tunnel.impl;

import org.junit.jupiter.api.Test;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNetworkInterface;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The packet socket on the loopback interface, its frames caught back with Pcap4J (needs CAP_NET_RAW: root). That
 * every frame arrives on a real link is what the tunnel ITs show.
 */
class PacketSocketSinkTest {
    private static final byte[] MARK = {0x02, (byte) 0xc0, 0x7e, 0x00, 0x7e, 0x57};

    @Test
    void aBatchLeavesInOneCallEveryFrameIntactAndInOrder() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "raw sockets need root");
        try (PcapHandle capture = new PcapHandle.Builder("lo").snaplen(65536)
                .promiscuousMode(PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS).timeoutMillis(50)
                .immediateMode(true).build();
             PacketSocketSink sink = PacketSocketSink.open("test", "lo")) {
            capture.setFilter("ether src 02:c0:7e:00:7e:57", BpfProgram.BpfCompileMode.OPTIMIZE);
            capture.setBlockingMode(PcapHandle.BlockingMode.NONBLOCKING);
            List<byte[]> frames = new ArrayList<>();
            for (int i = 0; i < 150; i++) {
                frames.add(frame(i, i == 70 ? 12_000 : 60 + i));
            }
            List<byte[]> caught = new ArrayList<>();
            // a busy machine's loopback backlog may drop a whole burst before the capture sees it: up to 3 bursts
            for (int burst = 0; burst < 3 && caught.isEmpty(); burst++) {
                assertThat(sink.injectAll(frames)).as("150 frames in batches of %d, one too big for a slot",
                        PacketSocketSink.BATCH).isEqualTo(150);
                assertThat(sink.inject(frames.get(0), 60)).isTrue();
                long deadline = System.currentTimeMillis() + 2_000;
                while (caught.size() < 151 && System.currentTimeMillis() < deadline) {
                    byte[] f = capture.getNextRawPacket();
                    if (f != null) {
                        caught.add(f);
                    } else {
                        Thread.sleep(5);
                    }
                }
            }
            // libpcap on lo does not hand every frame of a burst back: what it does hand back must be intact, in order
            assertThat(caught).isNotEmpty();
            for (int i = 0; i < caught.size() && i < 150; i++) {
                assertThat(caught.get(i)).as("frame %d", i).isEqualTo(frames.get(i));
            }
        }
    }

    private static byte[] frame(int number, int length) {
        ByteBuffer b = ByteBuffer.allocate(length);
        b.put(new byte[] {0x02, 0, 0, 0, 0, 0x01}).put(MARK).putShort((short) 0x88B5).putInt(number);
        while (b.hasRemaining()) {
            b.put((byte) b.position());
        }
        return b.array();
    }
}
