package io.cutover.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.sdn.ControllerOptions;
import io.cutover.sdn.Cookie;
import io.cutover.sdn.Dpid;
import io.cutover.sdn.Endpoint;
import io.cutover.sdn.FlowView;
import io.cutover.sdn.Link;
import io.cutover.sdn.SdnController;
import io.cutover.sdn.rest.SdnRestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;

import static io.cutover.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code sdn get} against a real controller and its REST API on loopback (no switch connected). */
class SdnGetCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Dpid BR_A = Dpid.parse("00000000000000a0");
    private static final Dpid BR_TOR = Dpid.parse("00000000000000f0");

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
        sdn.putEndpoint(new Endpoint(5, "vm1", 1, "02:00:c6:12:00:64", List.of("198.18.0.100"), BR_A, "vm1"))
                .toCompletableFuture().join();
        sdn.setLinks(List.of(new Link(BR_TOR, "tor-to-a", BR_A, "a-to-tor"))).toCompletableFuture().join();
    }

    @AfterEach
    void stop() {
        server.close();
        sdn.close();
    }

    @Test
    void everyListingPrintsTheControllersJsonWithJson() throws Exception {
        for (String resource : List.of("switches", "endpoints", "links", "moves")) {
            Cli.Run run = run("sdn", "get", resource, "--rest", rest, "--json");
            assertThat(run.code()).as(resource + ": " + run.err()).isZero();
            assertThat(JSON.readTree(run.out()).isArray()).as(resource).isTrue();
        }
        JsonNode endpoints = JSON.readTree(run("sdn", "get", "endpoints", "--rest", rest, "--json").out());
        assertThat(endpoints.get(0).path("switch").asText()).isEqualTo("00000000000000a0");
        JsonNode one = JSON.readTree(run("sdn", "get", "endpoints/vm1", "--rest", rest, "--json").out());
        assertThat(one.path("mac").asText()).isEqualTo("02:00:c6:12:00:64");
    }

    @Test
    void listingsAreTablesWithHeadersByDefault() {
        Cli.Run endpoints = run("sdn", "get", "endpoints", "--rest", rest);
        assertThat(endpoints.code()).as(endpoints.err()).isZero();
        assertThat(endpoints.out()).startsWith("NAME  ID  NETWORK  MAC                SWITCH            PORT  ADDRESSES\n")
                .contains("vm1   5   1        02:00:c6:12:00:64  00000000000000a0  vm1   198.18.0.100");
        assertThat(run("sdn", "get", "links", "--rest", rest).out())
                .isEqualTo("SWITCH A          PORT A    SWITCH B          PORT B\n"
                        + "00000000000000f0  tor-to-a  00000000000000a0  a-to-tor\n");
        assertThat(run("sdn", "get", "moves", "--rest", rest).out()).isEqualTo("ID  ENDPOINT  STATE  FROM  TO  FORWARDER\n");
    }

    @Test
    void aFlowsCookieIsPrintedInHexAsOvsOfctlShowsIt() {
        long cookie = Cookie.of(1, 5, 2);
        JsonNode flows = JSON.valueToTree(List.of(new FlowView(BR_A, 1, 100, cookie, "eth_dst=02:00:c6:12:00:64",
                "output:3")));
        StringWriter text = new StringWriter();
        SdnTables.flows(flows).print(new PrintWriter(text));
        assertThat(text.toString()).startsWith("SWITCH            TABLE  PRIORITY  COOKIE")
                .contains(" 0x" + Long.toHexString(cookie) + " ").contains("0xc7");
    }

    @Test
    void anUnknownEndpointIsAUsageErrorWithTheApisReason() {
        Cli.Run run = run("sdn", "get", "endpoints/nosuch", "--rest", rest);
        assertThat(run.code()).isEqualTo(ExitCode.USAGE);
        assertThat(run.err()).isEqualTo("cutover: 404 not found: no endpoint nosuch\n");
    }
}
