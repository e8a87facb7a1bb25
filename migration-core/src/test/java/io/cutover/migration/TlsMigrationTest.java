package io.cutover.migration;

import io.cutover.migration.guest.Guests;
import io.cutover.migration.guest.SyntheticGuest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** Mutual TLS on the migration stream, with certificates made by openssl for the test. */
class TlsMigrationTest {
    @TempDir
    static Path dir;

    private static void openssl(String name) throws Exception {
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=" + name,
                "-keyout", dir.resolve(name + ".key").toString(), "-out", dir.resolve(name + ".pem").toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
    }

    @BeforeAll
    static void certificates() throws Exception {
        openssl("source");
        openssl("destination");
        openssl("intruder");
    }

    private static MigrationTls tls(String self, String peer) {
        return new MigrationTls(dir.resolve(self + ".pem"), dir.resolve(self + ".key"), dir.resolve(peer + ".pem"));
    }

    private static MigrationTarget target(LinkedBlockingQueue<IncomingMigration> ended) {
        MigrationTarget target = MigrationTarget.listen(new InetSocketAddress("127.0.0.1", 0),
                MigrationFixture.quietAllocator(), MigrationTarget.DEFAULT_MAX_GUEST_BYTES, List.of(), ended::add,
                tls("destination", "source"));
        target.admit(MigrationFixture.SECRET, MigrationTarget.DEFAULT_MAX_GUEST_BYTES);
        return target;
    }

    /** One connection, and three (multifd): each has its own TLS session. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 3})
    void migratesOverMutualTls(int channels) throws Exception {
        LinkedBlockingQueue<IncomingMigration> ended = new LinkedBlockingQueue<>();
        try (MigrationTarget target = target(ended);
             SyntheticGuest source = MigrationFixture.running("synthetic:size=4m,workload=hotset")) {
            MigrationReport report = LiveMigration.start(source, target.localAddress(),
                    MigrationFixture.admitted(MigrationOptions.builder().tls(tls("source", "destination")).channels(channels).build()), List.of())
                    .result().toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertThat(report.succeeded()).isTrue();
            IncomingMigration in = ended.poll(10, TimeUnit.SECONDS);
            assertThat(in.connections()).isEqualTo(channels);
            in.guest().pause();
            assertThat(Guests.firstDifference(source, in.guest())).isEqualTo(-1);
            in.guest().close();
        }
    }

    @Test
    void anUntrustedSourceAndAPlainTextPeerAreRefused() throws Exception {
        LinkedBlockingQueue<IncomingMigration> ended = new LinkedBlockingQueue<>();
        try (MigrationTarget target = target(ended);
             SyntheticGuest source = MigrationFixture.running("synthetic:size=4m,workload=hotset")) {
            LiveMigration m = LiveMigration.start(source, target.localAddress(),
                    MigrationFixture.admitted(MigrationOptions.builder().tls(tls("intruder", "destination")).build()), List.of());
            try {
                m.result().toCompletableFuture().get(60, TimeUnit.SECONDS);
                throw new AssertionError("an untrusted source must be refused");
            } catch (ExecutionException e) {
                assertThat(((MigrationException) e.getCause()).sourceResumed()).isTrue();
            }
            assertThat(source.isRunning()).isTrue();
            MigrationFixture.awaitRefusals(target, 1);

            try (Socket plain = new Socket("127.0.0.1", target.localAddress().getPort())) {
                plain.getOutputStream().write("not tls at all, just bytes\r\n".repeat(20).getBytes());
                plain.setSoTimeout(10_000);
                while (plain.getInputStream().read() != -1) {
                    // the TLS alert, then the close
                }
            }
            MigrationFixture.awaitRefusals(target, 2);
            assertThat(ended).as("refused before HELLO: no migration ended").isEmpty();
            assertThat(target.stats().pendingBytes()).isZero();
        }
    }

    @Test
    void missingTlsFilesAreBadInput() {
        assertThatIllegalArgumentException().isThrownBy(() -> new MigrationTls(dir.resolve("nope.pem"),
                dir.resolve("source.key"), dir.resolve("destination.pem"))).withMessageContaining("cannot read");
    }
}
