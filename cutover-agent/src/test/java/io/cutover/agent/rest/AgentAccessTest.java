package io.cutover.agent.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.agent.CutoverService;
import io.cutover.agent.MemoryClaims;
import io.cutover.agent.PeerAgents;
import io.cutover.agent.StepFactory;
import io.cutover.agent.config.AccessConfig;
import io.cutover.agent.config.AgentConfig;
import io.cutover.lab.LabPki;
import io.cutover.support.HttpUnreachableException;
import io.cutover.support.JsonAnswer;
import io.cutover.support.JsonHttpClient;
import io.cutover.support.TlsFiles;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Who may do what on two real agents on loopback, hostA moving a VM to hostB: each host has a token of its own for
 * its orchestrator and hooks, each pair of hosts shares one for the calls between their agents, and the API speaks
 * TLS with certificates from a CA made with {@code openssl} ({@link LabPki}).
 */
class AgentAccessTest {
    private static final String HOST_A = "host-a-token-0123456789";
    private static final String HOST_B = "host-b-token-0123456789";
    private static final String PAIR_AB = "pair-ab-token-0123456789";
    private static final String PAIR_AC = "pair-ac-token-0123456789";
    private static final String PAIR_BC = "pair-bc-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REQUEST = """
            {"vm": "vm1", "mac": "02:00:c6:12:00:64", "addresses": ["198.18.0.100"],
             "source": "hostA", "destination": "hostB", "mode": "lan", "memoryMiB": 100}""";

    @TempDir
    Path dir;

    private final List<JsonHttpClient> clients = new ArrayList<>();
    private Vertx vertx;
    private URI hostA;
    private URI hostB;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void stop() throws Exception {
        clients.forEach(JsonHttpClient::close);
        vertx.close().await(5, TimeUnit.SECONDS);
    }

    @Test
    void aHostsTokenActsOnlyThereAndAPeersOnlyOnWhatAgentsAskOfEachOtherForThemselves() throws Exception {
        startBoth(null, null);
        JsonAnswer created = call(hostA, HOST_A, null, "POST", "cutovers", JSON.readTree(REQUEST));
        assertThat(created.status()).as("hostA claimed memory at hostB with their pair's token: %s", created.text())
                .isEqualTo(201);
        String id = created.body().path("id").asText();
        assertThat(call(hostB, HOST_B, null, "GET", "health", null).body().path("memoryFreeMiB").asLong())
                .isEqualTo(924);

        assertThat(call(hostB, HOST_A, null, "POST", "cutovers", JSON.readTree(REQUEST.replace("hostA", "hostX")))
                .status()).as("hostA's own token on hostB").isEqualTo(401);
        JsonAnswer peerCreates = call(hostB, PAIR_AB, null, "POST", "cutovers",
                JSON.readTree(REQUEST.replace("\"hostA\"", "\"hostB\"").replace("\"destination\": \"hostB\"",
                        "\"destination\": \"hostA\"")));
        assertThat(peerCreates.status()).as("a peer starts no cutover: %s", peerCreates.text()).isEqualTo(403);
        assertThat(peerCreates.body().path("error").asText()).isEqualTo("forbidden");
        JsonAnswer peerEvacuates = call(hostB, PAIR_AB, null, "POST", "evacuations", JSON.readTree(
                "{\"source\": \"hostB\", \"destinations\": [\"hostA\"], \"vms\": [{\"vm\": \"vm1\", "
                        + "\"mac\": \"02:00:c6:12:00:64\", \"addresses\": [\"198.18.0.100\"], \"memoryMiB\": 10}]}"));
        assertThat(peerEvacuates.status()).as("a peer evacuates no host: %s", peerEvacuates.text()).isEqualTo(403);
        assertThat(call(hostB, HOST_B, null, "GET", "evacuations", null).body().path("evacuations")).isEmpty();
        assertThat(call(hostB, HOST_B, null, "GET", "cutovers", null).body().path("cutovers")).isEmpty();
        assertThat(call(hostB, PAIR_AB, null, "GET", "cutovers", null).status()).as("agents read each other")
                .isEqualTo(200);

        assertThat(call(hostA, PAIR_AB, null, "POST", "cutovers/" + id + "/phase/switchover", null).status())
                .as("the switchover is the orchestrator's to report").isEqualTo(403);
        assertThat(call(hostA, PAIR_AB, null, "DELETE", "cutovers/" + id, null).status()).isEqualTo(403);
        assertThat(stage(id)).isEqualTo("PLANNED");
        assertThat(call(hostA, HOST_A, null, "POST", "cutovers/" + id + "/phase/switchover", null).status())
                .isEqualTo(200);
        assertThat(call(hostA, PAIR_AC, null, "POST", "cutovers/" + id + "/phase/activated", null).status())
                .as("hostC reports the resume of a guest that went to hostB").isEqualTo(403);
        assertThat(stage(id)).isEqualTo("SWITCHOVER");
        assertThat(call(hostA, PAIR_AB, null, "POST", "cutovers/" + id + "/phase/activated", null).status())
                .as("hostB reports its guest's resume").isEqualTo(200);
        assertThat(stage(id)).isEqualTo("ACTIVATED");

        String failing = call(hostA, HOST_A, null, "POST", "cutovers", JSON.readTree(REQUEST)).body().path("id").asText();
        assertThat(call(hostA, PAIR_AC, null, "POST", "cutovers/" + failing + "/phase/failed", null).status())
                .isEqualTo(403);
        assertThat(stage(failing)).isEqualTo("PLANNED");
        assertThat(call(hostA, PAIR_AB, null, "POST", "cutovers/" + failing + "/phase/failed", null).status())
                .as("hostB's libvirt hook: the incoming guest stopped").isEqualTo(200);
        assertThat(stage(failing)).isEqualTo("ROLLED_BACK");
    }

    @Test
    void aPeerNeitherResizesNorReleasesAClaimAnotherPeerHolds() throws Exception {
        startBoth(null, null);
        String id = call(hostA, HOST_A, null, "POST", "cutovers", JSON.readTree(REQUEST)).body().path("id").asText();
        assertThat(freeAtB()).as("hostA's cutover claimed 100 MiB at hostB").isEqualTo(924);

        JsonAnswer release = call(hostB, PAIR_BC, null, "DELETE", "claims/" + id, null);
        assertThat(release.status()).as("hostC releases hostA's claim: %s", release.text()).isEqualTo(403);
        assertThat(release.body().path("error").asText()).isEqualTo("forbidden");
        JsonAnswer resize = call(hostB, PAIR_BC, null, "POST", "claims",
                JSON.readTree("{\"id\": \"" + id + "\", \"memoryMiB\": 1}"));
        assertThat(resize.status()).as("hostC claims by hostA's claim's id: %s", resize.text()).isEqualTo(403);
        assertThat(freeAtB()).isEqualTo(924);

        assertThat(call(hostB, PAIR_BC, null, "POST", "claims", JSON.readTree("{\"id\": \"c-mine\", \"memoryMiB\": 24}"))
                .status()).as("a claim of hostC's own").isEqualTo(201);
        assertThat(call(hostB, PAIR_BC, null, "DELETE", "claims/c-mine", null).status()).isEqualTo(204);
        assertThat(call(hostA, HOST_A, null, "DELETE", "cutovers/" + id, null).status()).isEqualTo(200);
        assertThat(eventuallyFreeAtB(1024)).as("hostA's agent released its own claim").isTrue();
    }

    private long freeAtB() {
        return call(hostB, HOST_B, null, "GET", "health", null).body().path("memoryFreeMiB").asLong();
    }

    private boolean eventuallyFreeAtB(long mib) throws InterruptedException {
        for (int i = 0; i < 50 && freeAtB() != mib; i++) {
            Thread.sleep(100);
        }
        return freeAtB() == mib;
    }

    @Test
    void overTlsTheAgentsCallEachOtherAndRefuseWhoeverHasNoCertificateTheirCaSigned() throws Exception {
        LabPki ca = LabPki.authority(dir.resolve("ca"), "cutover-ca");
        TlsFiles tlsA = ca.issue("hostA", true);
        startBoth(tlsA, ca.issue("hostB", true));
        assertThat(hostA.getScheme()).isEqualTo("https");

        JsonAnswer created = call(hostA, HOST_A, tlsA, "POST", "cutovers", JSON.readTree(REQUEST));
        assertThat(created.status()).as("hostA claimed memory at hostB over mutual TLS: %s", created.text())
                .isEqualTo(201);

        TlsFiles noCertificate = new TlsFiles(null, null, ca.ca(), false);
        assertThatThrownBy(() -> call(hostA, HOST_A, noCertificate, "GET", "cutovers", null))
                .as("a caller without a certificate").isInstanceOf(HttpUnreachableException.class);
        LabPki other = LabPki.authority(dir.resolve("other"), "other-ca");
        TlsFiles stranger = other.issue("stranger", false);
        assertThatThrownBy(() -> call(hostA, HOST_A, new TlsFiles(stranger.cert(), stranger.key(), ca.ca(), false),
                "GET", "cutovers", null)).as("a certificate another CA signed").isInstanceOf(HttpUnreachableException.class);
        assertThatThrownBy(() -> call(hostA, HOST_A, null, "GET", "cutovers", null))
                .as("a caller who trusts only the JDK's CAs does not take hostA's certificate")
                .isInstanceOf(HttpUnreachableException.class);
        URI plain = URI.create(hostA.toString().replace("https:", "http:"));
        assertThatThrownBy(() -> call(plain, HOST_A, null, "GET", "cutovers", null))
                .as("plain HTTP on the TLS port").isInstanceOf(HttpUnreachableException.class);
        assertThat(call(hostA, HOST_A, tlsA, "GET", "cutovers", null).body().path("cutovers")).hasSize(1);

        TlsFiles hostC = ca.issue("hostC", false);
        JsonAnswer borrowed = call(hostB, PAIR_AB, hostC, "GET", "cutovers", null);
        assertThat(borrowed.status()).as("hostA's token over hostC's certificate: %s", borrowed.text()).isEqualTo(403);
        assertThat(borrowed.body().path("detail").asText()).contains("[hostC", "not hostA");
        assertThat(call(hostB, PAIR_BC, hostC, "GET", "cutovers", null).status()).as("hostC's own token")
                .isEqualTo(200);
    }

    /** hostB, then hostA with hostB (and a hostC that is not running) as its peers. */
    private void startBoth(TlsFiles tlsA, TlsFiles tlsB) throws Exception {
        hostB = listen("hostB", HOST_B, 1024, Map.of(), new AccessConfig(Map.of("hostA", PAIR_AB, "hostC", PAIR_BC), tlsB, true));
        hostA = listen("hostA", HOST_A, 0, Map.of("hostB", hostB, "hostC", URI.create("http://127.0.0.1:1")),
                new AccessConfig(Map.of("hostB", PAIR_AB, "hostC", PAIR_AC), tlsA, true));
    }

    private URI listen(String host, String token, long memory, Map<String, URI> peers, AccessConfig access)
            throws Exception {
        AgentConfig config = new AgentConfig(host, "127.0.0.1", 0, token, memory, peers);
        CutoverService service = new CutoverService(config, new MemoryClaims(memory),
                new PeerAgents(peers, token, access), StepFactory.none());
        int port = new AgentServer(vertx, service, token, host, null, null, access).listen("127.0.0.1", 0)
                .await(5, TimeUnit.SECONDS);
        return URI.create((access.tls() == null ? "http" : "https") + "://127.0.0.1:" + port + "/v1/");
    }

    private String stage(String id) {
        JsonNode cutover = call(hostA, HOST_A, null, "GET", "cutovers/" + id, null).body();
        return cutover.path("stage").asText();
    }

    private JsonAnswer call(URI agent, String token, TlsFiles tls, String method, String path, Object body) {
        JsonHttpClient client = JsonHttpClient.builder(agent).bearerToken(token).tls(tls).build();
        clients.add(client);
        return client.send(method, path, body);
    }
}
