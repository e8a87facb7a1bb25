package io.cutover.sdn.rest;

import io.cutover.sdn.ControllerOptions;
import io.cutover.sdn.Dpid;
import io.cutover.sdn.Endpoint;
import io.cutover.sdn.Network;
import io.cutover.sdn.SdnController;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.cutover.lab.LabPki;
import io.cutover.support.TlsFiles;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The client against a real controller's REST server on loopback (no switch connected). */
class SdnRestClientTest {
    SdnController sdn;
    SdnRestServer rest;
    SdnRestClient client;

    @BeforeEach
    void start() {
        sdn = SdnController.start(ControllerOptions.builder().port(0).build());
        rest = SdnRestServer.start(sdn, "127.0.0.1", 0);
        client = new SdnRestClient(URI.create("http://127.0.0.1:" + rest.port() + "/v1"), "t0ken", Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() {
        rest.close();
        sdn.close();
    }

    @Test
    void aRefusalCarriesTheControllersStatusAndError() {
        assertThatThrownBy(() -> client.commit(77).toCompletableFuture().join())
                .isInstanceOf(CompletionException.class).cause()
                .isInstanceOfSatisfying(SdnRestClient.RejectedException.class, e -> {
                    org.assertj.core.api.Assertions.assertThat(e.status()).isEqualTo(404);
                    org.assertj.core.api.Assertions.assertThat(e.error()).isEqualTo("not found: no move 77");
                });
        sdn.putEndpoint(new Endpoint(5, "vm1", 1, "02:00:c6:12:00:64", List.of("198.18.0.100"), Dpid.of(0xa0), "vm1"))
                .toCompletableFuture().join();
        assertThatThrownBy(() -> client.prepare("vm1", Dpid.parse("0x00b0"), "vm1").toCompletableFuture().join())
                .cause().isInstanceOfSatisfying(SdnRestClient.RejectedException.class,
                        e -> org.assertj.core.api.Assertions.assertThat(e.status()).isEqualTo(503))
                .hasMessageContaining("00000000000000b0: not connected");
    }

    @Test
    void networksAreDefinedListedReadAndRemoved() {
        Network blue = new Network(3, 70_003, "blue");
        org.assertj.core.api.Assertions.assertThat(client.addNetwork(blue).toCompletableFuture().join()).isEqualTo(blue);
        org.assertj.core.api.Assertions.assertThat(client.addNetwork(blue).toCompletableFuture().join())
                .as("again: no error").isEqualTo(blue);
        org.assertj.core.api.Assertions.assertThat(client.networks().toCompletableFuture().join()).containsExactly(blue);
        org.assertj.core.api.Assertions.assertThat(client.network(3).toCompletableFuture().join()).isEqualTo(blue);
        assertThatThrownBy(() -> client.addNetwork(new Network(4, 70_003, "red")).toCompletableFuture().join()).cause()
                .isInstanceOfSatisfying(SdnRestClient.RejectedException.class,
                        e -> org.assertj.core.api.Assertions.assertThat(e.status()).isEqualTo(409))
                .hasMessageContaining("vni 70003 is carried by network 3 (blue)");
        client.removeNetwork(3).toCompletableFuture().join();
        org.assertj.core.api.Assertions.assertThat(sdn.networks()).isEmpty();
        assertThatThrownBy(() -> client.network(3).toCompletableFuture().join()).cause()
                .isInstanceOfSatisfying(SdnRestClient.RejectedException.class,
                        e -> org.assertj.core.api.Assertions.assertThat(e.status()).isEqualTo(404));
    }

    @Test
    void overMutualTlsTheTokenStillCountsAndACallerWithoutACertificateIsNotServed(@TempDir Path dir) {
        LabPki pki = LabPki.authority(dir, "sdn-ca");
        TlsFiles server = pki.issue("controller", true);
        TlsFiles agent = pki.issue("agent", false);
        try (SdnRestServer https = SdnRestServer.start(sdn, "127.0.0.1", 0, "rest-token-0123456789", server)) {
            URI api = URI.create("https://127.0.0.1:" + https.port() + "/v1");
            SdnRestClient trusted = new SdnRestClient(api, "rest-token-0123456789", Duration.ofSeconds(5), agent);
            assertThatThrownBy(() -> trusted.rollback(77).toCompletableFuture().join()).cause()
                    .isInstanceOfSatisfying(SdnRestClient.RejectedException.class,
                            e -> org.assertj.core.api.Assertions.assertThat(e.status()).as("served").isEqualTo(404));
            SdnRestClient wrongToken = new SdnRestClient(api, "not-the-token-0123456789", Duration.ofSeconds(5), agent);
            assertThatThrownBy(() -> wrongToken.rollback(77).toCompletableFuture().join()).cause()
                    .isInstanceOfSatisfying(SdnRestClient.RejectedException.class,
                            e -> org.assertj.core.api.Assertions.assertThat(e.status()).isEqualTo(401));
            SdnRestClient noCertificate = new SdnRestClient(api, "rest-token-0123456789", Duration.ofSeconds(2),
                    new TlsFiles(null, null, pki.ca(), false));
            assertThatThrownBy(() -> noCertificate.rollback(77).toCompletableFuture().join()).cause()
                    .isInstanceOf(SdnRestClient.ControllerUnreachableException.class);
            SdnRestClient plain = new SdnRestClient(URI.create("http://127.0.0.1:" + https.port() + "/v1"),
                    "rest-token-0123456789", Duration.ofSeconds(2));
            assertThatThrownBy(() -> plain.rollback(77).toCompletableFuture().join()).cause()
                    .isInstanceOf(SdnRestClient.ControllerUnreachableException.class);
        }
    }

    @Test
    void aControllerThatDoesNotAnswerIsUnreachable() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        SdnRestClient nobody = new SdnRestClient(URI.create("http://127.0.0.1:" + closed + "/v1/"), null,
                Duration.ofSeconds(2));
        assertThatThrownBy(() -> nobody.rollback(1).toCompletableFuture().join())
                .cause().isInstanceOf(SdnRestClient.ControllerUnreachableException.class)
                .hasMessageContaining("POST http://127.0.0.1:" + closed + "/v1/moves/1/rollback");
    }

    @Test
    void aClusterClientGoesOnPastADeadMemberAndASlaveToTheMasterAndStaysWithIt() throws Exception {
        try (NotTheMaster slave = new NotTheMaster()) {
            URI master = URI.create("http://127.0.0.1:" + rest.port() + "/v1/");
            SdnRestClient cluster = new SdnRestClient(List.of(URI.create("http://127.0.0.1:" + closedPort() + "/v1/"),
                    slave.base(), master), null, Duration.ofSeconds(5), null);
            Network blue = new Network(3, 70_003, "blue");

            org.assertj.core.api.Assertions.assertThat(cluster.addNetwork(blue).toCompletableFuture().join())
                    .isEqualTo(blue);
            org.assertj.core.api.Assertions.assertThat(sdn.networks()).as("defined at the master").containsExactly(blue);
            org.assertj.core.api.Assertions.assertThat(slave.calls()).as("the slave was asked once").isEqualTo(1);
            org.assertj.core.api.Assertions.assertThat(cluster.base()).isEqualTo(master);

            cluster.removeNetwork(3).toCompletableFuture().join();
            org.assertj.core.api.Assertions.assertThat(slave.calls()).as("the next call went to the master").isEqualTo(1);
            assertThatThrownBy(() -> cluster.network(3).toCompletableFuture().join()).as("a master's refusal stands")
                    .cause().isInstanceOfSatisfying(SdnRestClient.RejectedException.class,
                            e -> org.assertj.core.api.Assertions.assertThat(e.status()).isEqualTo(404));
            org.assertj.core.api.Assertions.assertThat(slave.calls()).isEqualTo(1);
        }
    }

    @Test
    void aReadGoesToTheMemberThatJudgedTheLastChangeNotToASlaveThatLagsBehindIt() throws Exception {
        Network blue = new Network(3, 70_003, "blue");
        try (NotTheMaster slave = new NotTheMaster("{\"id\":3,\"vni\":70003,\"name\":\"what the slave followed\"}")) {
            URI master = URI.create("http://127.0.0.1:" + rest.port() + "/v1/");
            SdnRestClient cluster = new SdnRestClient(List.of(slave.base(), master), null, Duration.ofSeconds(5), null);
            sdn.addNetwork(blue).toCompletableFuture().join();

            assertThatThrownBy(() -> cluster.commit(77).toCompletableFuture().join()).as("the master judged it")
                    .cause().isInstanceOfSatisfying(SdnRestClient.RejectedException.class,
                            e -> org.assertj.core.api.Assertions.assertThat(e.status()).isEqualTo(404));
            org.assertj.core.api.Assertions.assertThat(cluster.network(3).toCompletableFuture().join())
                    .as("read from the master, not from the slave").isEqualTo(blue);
            org.assertj.core.api.Assertions.assertThat(slave.calls()).as("only the change was offered to the slave")
                    .isEqualTo(1);
        }
    }

    @Test
    void aClusterWithoutAMasterIsAskedInRoundsUntilTheCallsTimeoutThenTheRefusalStands() throws Exception {
        try (NotTheMaster slave = new NotTheMaster()) {
            SdnRestClient cluster = new SdnRestClient(List.of(slave.base(),
                    URI.create("http://127.0.0.1:" + closedPort() + "/v1/")), null, Duration.ofSeconds(1), null);
            long start = System.nanoTime();
            assertThatThrownBy(() -> cluster.commit(1).toCompletableFuture().join()).cause()
                    .isInstanceOfSatisfying(SdnRestClient.RejectedException.class,
                            e -> org.assertj.core.api.Assertions.assertThat(e.status()).isEqualTo(503));
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            org.assertj.core.api.Assertions.assertThat(slave.calls()).as("a round, a pause, again").isGreaterThan(2);
            org.assertj.core.api.Assertions.assertThat(tookMs).as("within the call's timeout").isLessThan(1_500);
        }
    }

    private static int closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /**
     * A cluster member that is a slave: it refuses every change as the controller's REST server does on a slave, and
     * every read too, or answers reads with {@code read} (a slave's state, lagging the master's).
     */
    private static final class NotTheMaster implements AutoCloseable {
        private final com.sun.net.httpserver.HttpServer server;
        private final java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();

        NotTheMaster() throws Exception {
            this(null);
        }

        NotTheMaster(String read) throws Exception {
            server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", exchange -> {
                calls.incrementAndGet();
                exchange.getRequestBody().readAllBytes();
                boolean answered = read != null && exchange.getRequestMethod().equals("GET");
                byte[] body = (answered ? read : "{\"error\":\"not the master\",\"detail\":\"this controller is a slave\"}")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(answered ? 200 : 503, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
        }

        URI base() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1/");
        }

        int calls() {
            return calls.get();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
