package io.cutover.sdn;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.cutover.sdn.impl.TlsGate;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Mutual TLS towards the switches, with certificates made by openssl for the test: a switch whose certificate the
 * switch CA signed is served; an impostor (the switch's name, another key), a peer without one and a plain-TCP switch are
 * refused before their OpenFlow handshake, each counted and logged once, while the real switch stays connected.
 */
class ControllerTlsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    static Path dir;

    private SdnController sdn;
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();

    /** A self-signed certificate for {@code subject}, in {@code name}.pem and {@code name}.key. */
    private static void openssl(String name, String subject) throws Exception {
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=" + subject,
                "-keyout", dir.resolve(name + ".key").toString(), "-out", dir.resolve(name + ".pem").toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
    }

    @BeforeAll
    static void certificates() throws Exception {
        openssl("controller", "controller");
        openssl("switch", "switch");
        // the switch's name with a key of its own: a client offers only a certificate whose issuer the server named
        openssl("impostor", "switch");
        openssl("other", "other id:4711");
        java.nio.file.Files.writeString(dir.resolve("switches.pem"), java.nio.file.Files.readString(dir.resolve("switch.pem"))
                + java.nio.file.Files.readString(dir.resolve("other.pem")));
    }

    @BeforeEach
    void start() {
        log.start();
        ((Logger) LoggerFactory.getLogger(TlsGate.class)).addAppender(log);
        sdn = SdnController.start(ControllerOptions.builder().port(0)
                .sslContext(ControllerTls.server(dir.resolve("controller.pem"), dir.resolve("controller.key"),
                        dir.resolve("switch.pem")))
                .build());
    }

    @AfterEach
    void stop() {
        ((Logger) LoggerFactory.getLogger(TlsGate.class)).detachAppender(log);
        sdn.close();
    }

    /** A TLS socket to the controller presenting {@code name}'s certificate (none when null). */
    private Socket tls(String name) throws Exception {
        SslContextBuilder builder = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                .trustManager(dir.resolve("controller.pem").toFile()).endpointIdentificationAlgorithm(null);
        if (name != null) {
            builder.keyManager(dir.resolve(name + ".pem").toFile(), dir.resolve(name + ".key").toFile());
        }
        SSLContext context = ((JdkSslContext) builder.build()).context();
        InetSocketAddress controller = sdn.address();
        return context.getSocketFactory().createSocket(controller.getAddress(), controller.getPort());
    }

    /**
     * A switch over {@code socket}, or null when the controller closed it while the client was still sending its
     * part of the TLS handshake (with TLS 1.3 the client may learn of its refusal as a broken pipe).
     */
    private static TestSwitch attempt(Socket socket, long dpid) {
        try {
            return TestSwitch.over(socket, dpid, "br-x", Map.of());
        } catch (java.io.IOException refusedMidHandshake) {
            return null;
        }
    }

    private List<String> refusals() {
        return log.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage)
                .toList();
    }

    @Test
    void aSwitchCertifiedByTheCaIsServedAndPeersWithoutSuchACertificateAreRefusedBeforeTheirHandshake()
            throws Exception {
        try (TestSwitch real = TestSwitch.over(tls("switch"), 1, "br-int", Map.of("vm1", 1))) {
            sdn.awaitSwitches(List.of(new Dpid(1)), WAIT).toCompletableFuture().join();
            assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage)
                    .anyMatch(line -> line.contains("passed TLS as CN=switch"));

            String[] peers = {"impostor", null};
            for (int i = 0; i < peers.length; i++) {
                try (Socket socket = tls(peers[i])) {
                    TestSwitch intruder = attempt(socket, 2);
                    long refused = i + 1;
                    assertThat(eventually(() -> (intruder == null || intruder.closedByPeer())
                            && sdn.refusedTlsSessions() == refused)).as("%s is closed and counted", peers[i]).isTrue();
                }
            }
            try (TestSwitch plain = TestSwitch.connect(sdn.address(), 3, "br-plain", Map.of())) {
                assertThat(eventually(() -> plain.closedByPeer() && sdn.refusedTlsSessions() == 3))
                        .as("a plain-TCP switch is closed and counted").isTrue();
                assertThat(plain.flowMods()).isEmpty();
            }

            assertThat(refusals()).hasSize(3).allMatch(line -> line.startsWith("refusing switch connection"));
            assertThat(refusals().get(0)).as("the impostor's certificate was checked").doesNotContain("Empty");
            assertThat(refusals().get(1)).contains("Empty client certificate chain");
            assertThat(refusals().get(2)).contains("not an SSL/TLS record");
            assertThat(sdn.switches()).extracting(SwitchInfo::dpid).containsExactly(new Dpid(1));
            assertThat(sdn.switches()).allMatch(SwitchInfo::connected);
            assertThat(sdn.refusedSessions()).as("none got as far as claiming a datapath id").isZero();
            assertThat(real.closedByPeer()).isFalse();
        }
    }

    @Test
    void aSilentPeerIsRefusedAtTheHandshakeTimeout() throws Exception {
        InetSocketAddress controller = sdn.address();
        try (Socket silent = new Socket(controller.getAddress(), controller.getPort())) {
            silent.setSoTimeout((int) WAIT.toMillis());
            assertThat(silent.getInputStream().read()).as("closed without a byte").isEqualTo(-1);
        }
        assertThat(eventually(() -> sdn.refusedTlsSessions() == 1)).isTrue();
        assertThat(refusals()).singleElement().asString().contains("handshake timed out");
    }

    @Test
    void aPeerThatHangsUpBeforeTlsIsDoneIsLoggedButNotCountedAsRefused() throws Exception {
        InetSocketAddress controller = sdn.address();
        new Socket(controller.getAddress(), controller.getPort()).close();
        assertThat(eventually(() -> log.list.stream()
                .anyMatch(e -> e.getFormattedMessage().contains("closed by its peer before TLS was done")))).isTrue();
        assertThat(sdn.refusedTlsSessions()).isZero();
        assertThat(refusals()).isEmpty();
    }

    /** Two switch certificates from the CA, each bound to one datapath id, the second in ovs-pki's CN form. */
    @Test
    void aCertificateMayClaimOnlyTheDatapathIdBoundToItsName() throws Exception {
        sdn.close();
        sdn = SdnController.start(ControllerOptions.builder().port(0)
                .sslContext(ControllerTls.server(dir.resolve("controller.pem"), dir.resolve("controller.key"),
                        dir.resolve("switches.pem")))
                .switchIdentities(SwitchIdentities.parse(List.of("0000000000000001=switch", "0x2=other")))
                .build());
        try (TestSwitch unbound = TestSwitch.over(tls("switch"), 3, "br-3", Map.of());
             TestSwitch misnamed = TestSwitch.over(tls("switch"), 2, "br-2", Map.of())) {
            assertThat(eventually(() -> unbound.closedByPeer() && misnamed.closedByPeer()
                    && sdn.refusedIdentitySessions() == 2)).isTrue();
        }
        try (TestSwitch first = TestSwitch.over(tls("switch"), 1, "br-1", Map.of());
             TestSwitch second = TestSwitch.over(tls("other"), 2, "br-2", Map.of())) {
            sdn.awaitSwitches(List.of(new Dpid(1), new Dpid(2)), WAIT).toCompletableFuture().join();
            assertThat(sdn.switches()).extracting(SwitchInfo::dpid).containsExactlyInAnyOrder(new Dpid(1), new Dpid(2));
        }
        assertThat(sdn.refusedIdentitySessions()).isEqualTo(2);
        assertThat(sdn.refusedTlsSessions()).isZero();
    }

    @Test
    void badSwitchIdentitiesAreBadInput() {
        assertThatIllegalArgumentException().isThrownBy(() -> SwitchIdentities.parse(List.of("0x1")))
                .withMessageContaining("DPID=NAME");
        assertThatIllegalArgumentException().isThrownBy(() -> SwitchIdentities.parse(List.of("0000000000000001=a", "0x1=b")))
                .withMessageContaining("twice");
        assertThatIllegalArgumentException().isThrownBy(() -> SwitchIdentities.parse(List.of("0x1=")));
        assertThatIllegalArgumentException().isThrownBy(() -> ControllerOptions.builder()
                .switchIdentities(SwitchIdentities.parse(List.of("0x1=a"))).build()).withMessageContaining("TLS");
    }

    @Test
    void unreadableFilesAreBadInput() {
        assertThatIllegalArgumentException().isThrownBy(() -> ControllerTls.server(dir.resolve("controller.pem"),
                dir.resolve("controller.key"), dir.resolve("missing.pem"))).withMessageEndingWith("cannot read " + dir.resolve("missing.pem"));
        assertThatIllegalArgumentException().isThrownBy(() -> ControllerTls.server(dir.resolve("controller.pem"),
                dir.resolve("controller.pem"), null)).withMessageContaining("cannot use");
    }

    private static boolean eventually(BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(20);
        }
        return condition.getAsBoolean();
    }
}
