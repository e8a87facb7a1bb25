package io.cutover.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.sdn.ControllerOptions;
import io.cutover.sdn.Dpid;
import io.cutover.sdn.Endpoint;
import io.cutover.sdn.Network;
import io.cutover.sdn.SdnController;
import io.cutover.sdn.rest.SdnRestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.cutover.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code sdn networks} and {@code sdn network add|delete} against a real controller's REST API on loopback. */
class SdnNetworksCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path state;
    private SdnController sdn;
    private SdnRestServer server;
    private String rest;

    @BeforeEach
    void start() {
        sdn = SdnController.start(ControllerOptions.builder().port(0).stateDir(state).build());
        server = SdnRestServer.start(sdn, "127.0.0.1", 0);
        rest = "127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() {
        server.close();
        sdn.close();
    }

    @Test
    void networksAreAddedListedAsATableOrJsonAndDeleted() throws Exception {
        assertThat(run("sdn", "networks", "--rest", rest).out()).isEqualTo("ID  VNI  NAME\n");
        Cli.Run added = run("sdn", "network", "add", "--id", "2", "--vni", "5002", "--name", "tenant-b", "--rest", rest);
        assertThat(added.code()).as(added.err()).isZero();
        assertThat(added.out()).isEqualTo("network 2 added: vni 5002, name tenant-b\n");
        assertThat(run("sdn", "network", "add", "--id", "1", "--vni", "16777215", "--name", "tenant-a", "--rest", rest)
                .code()).isZero();
        Cli.Run again = run("sdn", "network", "add", "--id", "2", "--vni", "5002", "--name", "tenant-b", "--rest", rest);
        assertThat(again.code()).isZero();
        assertThat(again.out()).isEqualTo("network 2 already defined: vni 5002, name tenant-b\n");

        assertThat(run("sdn", "networks", "--rest", rest).out()).isEqualTo("""
                ID  VNI       NAME
                1   16777215  tenant-a
                2   5002      tenant-b
                """);
        JsonNode json = JSON.readTree(run("sdn", "networks", "--rest", rest, "--json").out());
        assertThat(json.isArray()).isTrue();
        assertThat(json.get(1).path("vni").asInt()).isEqualTo(5002);
        assertThat(run("sdn", "get", "networks/2", "--rest", rest).out()).isEqualTo("ID  VNI   NAME\n2   5002  tenant-b\n");

        Cli.Run deleted = run("sdn", "network", "delete", "2", "--rest", rest);
        assertThat(deleted.code()).as(deleted.err()).isZero();
        assertThat(deleted.out()).isEqualTo("network 2 deleted\n");
        assertThat(sdn.networks()).containsExactly(new Network(1, 16777215, "tenant-a"));
    }

    @Test
    void refusalsAreOneLineOnStderrAndExitTwo() {
        assertThat(run("sdn", "network", "add", "--id", "1", "--vni", "5001", "--name", "a", "--rest", rest).code())
                .isZero();
        Cli.Run conflict = run("sdn", "network", "add", "--id", "1", "--vni", "6001", "--name", "a", "--rest", rest);
        assertThat(conflict.code()).isEqualTo(ExitCode.USAGE);
        assertThat(conflict.err()).isEqualTo("cutover: 409 conflict: network 1 is defined with vni 5001 and name a: "
                + "delete it first to change it\n");
        assertThat(conflict.out()).isEmpty();

        Cli.Run badVni = run("sdn", "network", "add", "--id", "3", "--vni", "0", "--name", "c", "--rest", rest);
        assertThat(badVni.code()).isEqualTo(ExitCode.USAGE);
        assertThat(badVni.err()).isEqualTo("cutover: network 3: vni 0 is outside 1..16777215\n");

        Cli.Run missing = run("sdn", "network", "add", "--id", "3", "--name", "c", "--rest", rest);
        assertThat(missing.code()).isEqualTo(ExitCode.USAGE);
        assertThat(missing.err()).startsWith("cutover: Missing required option: '--vni=<vni>'");

        Cli.Run unknown = run("sdn", "network", "delete", "9", "--rest", rest);
        assertThat(unknown.code()).isEqualTo(ExitCode.USAGE);
        assertThat(unknown.err()).isEqualTo("cutover: 404 not found: no network 9\n");

        sdn.putEndpoint(new Endpoint(5, "vm1", 1, "02:00:c6:12:00:64", List.of(), Dpid.of(0xa0), "vm1"))
                .toCompletableFuture().join();
        Cli.Run inUse = run("sdn", "network", "delete", "1", "--rest", rest);
        assertThat(inUse.code()).isEqualTo(ExitCode.USAGE);
        assertThat(inUse.err()).startsWith("cutover: 409 conflict: network 1 (a) still has 1 endpoint: vm1");
    }

    @Test
    void anAbsentControllerIsAFailureNotAUsageError() throws Exception {
        int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        Cli.Run run = run("sdn", "networks", "--rest", "127.0.0.1:" + closed);
        assertThat(run.code()).isEqualTo(ExitCode.FAILED);
        assertThat(run.err()).startsWith("cutover: no controller answers at 127.0.0.1:" + closed);
    }

    @Test
    void theTokenFileIsSent() throws Exception {
        server.close();
        String token = "sdn-token-0123456789";
        server = SdnRestServer.start(sdn, "127.0.0.1", 0, token);
        rest = "127.0.0.1:" + server.port();
        Path tokenFile = Files.writeString(state.resolve("token"), token);
        assertThat(run("sdn", "networks", "--rest", rest).code()).as("no token: 401").isEqualTo(ExitCode.USAGE);
        Cli.Run run = run("sdn", "network", "add", "--id", "4", "--vni", "4", "--name", "d", "--rest", rest,
                "--token-file", tokenFile.toString());
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(sdn.networks()).extracting(Network::id).containsExactly(4);
    }
}
