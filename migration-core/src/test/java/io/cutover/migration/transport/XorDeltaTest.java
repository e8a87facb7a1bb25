package io.cutover.migration.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class XorDeltaTest {
    private static final int PAGE = 4096;

    private static byte[] randomPage(Random r) {
        byte[] p = new byte[PAGE];
        r.nextBytes(p);
        return p;
    }

    @Test
    void aDeltaTurnsTheOldVersionIntoTheNewOneAndIsShortForFewChanges() {
        Random r = new Random(7);
        for (int trial = 0; trial < 200; trial++) {
            byte[] old = randomPage(r);
            byte[] now = old.clone();
            int changes = r.nextInt(40) + 1;
            for (int i = 0; i < changes; i++) {
                int at = r.nextInt(PAGE);
                now[at] = (byte) (now[at] + 1 + r.nextInt(255));
            }
            ByteBuf delta = Unpooled.buffer();
            int length = XorDelta.encode(old, now, delta, PAGE - 1);
            assertThat(length).isPositive().isEqualTo(delta.readableBytes()).isLessThanOrEqualTo(changes * 4);
            ByteBuffer page = ByteBuffer.wrap(old.clone());
            XorDelta.decode(delta, page);
            assertThat(page.array()).isEqualTo(now);
            assertThat(delta.isReadable()).isFalse();
            delta.release();
        }
    }

    @Test
    void equalPagesGiveNothingAndADeltaLongerThanTheLimitGivesUp() {
        Random r = new Random(8);
        byte[] old = randomPage(r);
        ByteBuf out = Unpooled.buffer();
        assertThat(XorDelta.encode(old, old.clone(), out, PAGE - 1)).isZero();
        assertThat(out.writerIndex()).isZero();
        out.writeByte(42);
        assertThat(XorDelta.encode(old, randomPage(r), out, PAGE - 1)).isEqualTo(-1);
        assertThat(out.writerIndex()).as("nothing left behind").isEqualTo(1);
        out.release();
    }

    private static void assertRejected(String reason, int... bytes) {
        ByteBuf delta = Unpooled.buffer();
        for (int b : bytes) {
            delta.writeByte(b);
        }
        assertThatThrownBy(() -> XorDelta.decode(delta, ByteBuffer.allocate(PAGE)))
                .isInstanceOf(MigrationProtocolException.class).hasMessageContaining(reason);
        delta.release();
    }

    @Test
    void malformedDeltasAreRejectedNamingTheProblem() {
        assertRejected("empty delta");
        assertRejected("truncated skip", 0x80);
        assertRejected("truncated run length", 0x00);
        assertRejected("skip longer than 3 bytes", 0x80, 0x80, 0x80, 0x01);
        assertRejected("run of 0 bytes", 0x00, 0x00);
        assertRejected("passes the end", 0xff, 0x1f, 0x02, 1, 2); // skip 4095, run 2
        assertRejected("passes the end", 0x80, 0x80, 0x04, 0x01, 1); // skip 65536
        assertRejected("truncated to 1", 0x00, 0x02, 7);
    }

    @Test
    void randomBytesEitherDecodeWithinThePageOrAreRejected() {
        Random r = new Random(9);
        for (int trial = 0; trial < 20_000; trial++) {
            byte[] junk = new byte[1 + r.nextInt(24)];
            r.nextBytes(junk);
            ByteBuf delta = Unpooled.wrappedBuffer(junk);
            try {
                XorDelta.decode(delta, ByteBuffer.allocate(PAGE));
                assertThat(delta.isReadable()).isFalse();
            } catch (MigrationProtocolException expected) {
                assertThat(expected.getMessage()).startsWith("XBZRLE: ");
            }
        }
    }
}
