package io.cutover.it.security;

import io.cutover.migration.transport.FrameType;
import io.cutover.migration.transport.Frames;
import io.cutover.migration.transport.Hello;
import io.cutover.migration.transport.Resolve;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code cutover migrate listen} on loopback attacked by a stranger who does not hold its secret: a port scan, garbage,
 * HELLOs without the secret, with a wrong one and for absurd guests, HELLO headers trickled a byte per segment, and,
 * while a real migration runs, a RESOLVE for its id with a guessed secret. Nothing is reserved for any of them, each is
 * refused on one log line, the listener's memory and open files come back, and the real migration completes.
 */
class MigrationPortAttackIT {
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern RESERVED = Pattern.compile("(m-\\w+): reserved");
    private static final String GUESSED = "guessed-secret-0123456789abcdef";

    @TempDir
    Path dir;

    @Test
    void strangersReserveNothingAndTheRealMigrationCompletes() throws Exception {
        Path secret = Files.writeString(dir.resolve("migration.secret"), UUID.randomUUID() + "\n");
        try (Daemon listen = Daemon.start(dir.resolve("listen.log"), null, "migrate", "listen", "--bind", "127.0.0.1",
                "--port", "0", "--secret-file", secret.toString(), "--count", "1")) {
            InetSocketAddress port = new InetSocketAddress("127.0.0.1", Integer.parseInt(listen.awaitLine(LISTENING)));
            HostilePeer.Footprint before = listen.footprint();

            assertThat(HostilePeer.scan(port, 100)).isEqualTo(100);
            awaitRefusals(listen, 100);
            assertAbort(listen, HostilePeer.exchange(port, HostilePeer.garbage(7, 4096)), "not a migration frame");
            assertAbort(listen, HostilePeer.exchange(port, hello("m-00000001", 64L << 20, 4096, "")), "no secret presented");
            assertAbort(listen, HostilePeer.exchange(port, hello("m-00000002", 64L << 20, 4096, GUESSED)), "unknown, used or expired");
            assertAbort(listen, HostilePeer.exchange(port, hello("m-00000003", 64L << 30, 512, GUESSED)), "unknown, used or expired");
            assertAbort(listen, HostilePeer.exchange(port, hello("m-00000004", 1L << 50, 512, GUESSED)), "exceeds this target's limit");
            assertAbort(listen, HostilePeer.exchange(port, hello("m-00000005", 1L << 20, 4096, GUESSED, 16, 3)),
                    "no migration m-00000005 over several connections");
            // HELLO headers, then their 4,000-byte payloads a byte per segment: 20 connections, 300 segments each
            ByteBuf header = Unpooled.buffer();
            Frames.writeHeader(header, FrameType.HELLO, 0, 4000, 1 << 14);
            byte[] trickled = java.util.Arrays.copyOf(bytes(header), Frames.HEADER_BYTES + 4000);
            assertThat(HostilePeer.trickle(port, 20, trickled, Duration.ofMillis(10), Duration.ofSeconds(3)))
                    .as("none closed by the listener within its HELLO deadline").isZero();

            HostilePeer.Footprint after = before.awaitWithin(listen.pid(), 64, 8, Duration.ofSeconds(10));
            assertThat(before.within(after, 64, 8)).as("before %s, after %s", before, after).isTrue();
            assertThat(listen.alive()).isTrue();
            awaitRefusals(listen, 126);
            assertThat(listen.logLines("refused CLOSED_BEFORE_HELLO from 127.0.0.1:")
                    + listen.logLines("refused CONNECTION_LIMIT from 127.0.0.1:")).as("the scan, the trickles; %s", listen.log())
                    .isEqualTo(120);
            assertThat(listen.logLines("refused NOT_A_MIGRATION from 127.0.0.1:", "not a migration frame")).isEqualTo(1);
            assertThat(listen.logLines("refused UNEXPECTED from 127.0.0.1:", "no secret presented")).isEqualTo(1);
            assertThat(listen.logLines("refused UNEXPECTED from 127.0.0.1:", "unknown, used or expired")).isEqualTo(2);
            assertThat(listen.logLines("refused UNEXPECTED from 127.0.0.1:", "over several connections")).isEqualTo(1);
            assertThat(listen.logLines("refused NOT_A_MIGRATION from 127.0.0.1:", "exceeds this target's limit")).isEqualTo(1);
            assertThat(listen.logLines("refused ")).as("one line a refusal").isEqualTo(126);
            assertThat(listen.log()).doesNotContain("reserved").doesNotContain("discarded").doesNotContain("Exception");

            // a real migration, and a stranger who read its id asking to resolve it
            Daemon send = Daemon.start(dir.resolve("send.log"), null, "migrate", "send", "--to", "127.0.0.1:" + port.getPort(),
                    "--secret-file", secret.toString(), "--guest", "synthetic:size=32m,workload=hotset,fill=100%",
                    "--max-bandwidth", "8m", "--quiet");
            try (send) {
                String id = listen.awaitLine(RESERVED);
                assertAbort(listen, HostilePeer.exchange(port, resolve(id, GUESSED)), "without its secret: nothing decided");
                assertThat(send.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(send.process().exitValue()).as(send.log()).isZero();
                assertThat(listen.process().waitFor(30, TimeUnit.SECONDS)).as(listen.log()).isTrue();
                assertThat(listen.process().exitValue()).isZero();
                assertThat(listen.logLines("refused RESOLVE_REFUSED from 127.0.0.1:", id)).isEqualTo(1);
                assertThat(listen.logLines("activated " + id)).isEqualTo(1);
                assertThat(listen.logLines("reserved")).as("the real migration alone").isEqualTo(1);
                assertThat(listen.log()).doesNotContain("discarded");
            }
            System.out.printf("migration port under attack: before %s, after %s%n", before, after);
        }
    }

    /** Waits up to 10 s for the listener to have logged {@code count} refusals. */
    private static void awaitRefusals(Daemon listen, int count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (listen.logLines("refused ") < count && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    /** A HELLO of one connection. */
    private static byte[] hello(String id, long guestBytes, int pageSize, String secret) {
        return hello(id, guestBytes, pageSize, secret, 1, 0);
    }

    private static byte[] hello(String id, long guestBytes, int pageSize, String secret, int channels, int channel) {
        ByteBuf out = Unpooled.buffer();
        new Hello(id, "synthetic:size=" + guestBytes, pageSize, guestBytes / pageSize, false, channels, channel, secret)
                .writeFrame(out);
        return bytes(out);
    }

    private static byte[] resolve(String id, String secret) {
        ByteBuf out = Unpooled.buffer();
        new Resolve(id, secret).writeFrame(out);
        return bytes(out);
    }

    private static byte[] bytes(ByteBuf buf) {
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        buf.release();
        return bytes;
    }

    /** The answer is one ABORT frame whose reason contains {@code reason}, and the listener closed the connection. */
    private static void assertAbort(Daemon listen, byte[] answer, String reason) throws java.io.IOException {
        assertThat(answer.length).as("an ABORT frame for '%s'; the listener's log: %s", reason, listen.log())
                .isGreaterThanOrEqualTo(Frames.HEADER_BYTES);
        ByteBuffer frame = ByteBuffer.wrap(answer);
        assertThat(frame.get() & 0xff).as("type").isEqualTo(FrameType.ABORT.code());
        frame.get();
        assertThat(frame.getShort() & 0xffff).isEqualTo(Frames.MAGIC);
        int length = frame.getInt();
        assertThat(answer.length).as("one frame, then the close").isEqualTo(Frames.HEADER_BYTES + length);
        assertThat(new String(answer, Frames.HEADER_BYTES, length, java.nio.charset.StandardCharsets.UTF_8)).contains(reason);
    }
}
