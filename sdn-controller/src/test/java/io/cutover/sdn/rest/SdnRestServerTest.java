package io.cutover.sdn.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.sdn.ControllerOptions;
import io.cutover.sdn.SdnController;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The REST API on a real controller and a real HTTP server, on loopback (no switch connected). */
class SdnRestServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VM = """
            {"id":5,"name":"vm1","network":1,"mac":"02:00:C6:12:00:64","addresses":["198.18.0.100"],
             "switch":"0x00a0","port":"vm1"}""";

    @TempDir
    Path state;
    SdnController sdn;
    SdnRestServer rest;
    HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        sdn = SdnController.start(ControllerOptions.builder().port(0).stateDir(state).build());
        rest = SdnRestServer.start(sdn, "127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        rest.close();
        sdn.close();
    }

    private HttpResponse<String> call(String method, String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rest.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("content-type", "application/json").build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void endpointsAreCreatedListedAndJournaled() throws Exception {
        HttpResponse<String> created = call("POST", "/v1/endpoints", VM);
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(JSON.readTree(created.body()).get("mac").asText()).isEqualTo("02:00:c6:12:00:64");
        assertThat(JSON.readTree(created.body()).get("switch").asText()).isEqualTo("00000000000000a0");
        JsonNode list = JSON.readTree(call("GET", "/v1/endpoints", null).body());
        assertThat(list).hasSize(1);
        assertThat(call("GET", "/v1/endpoints/vm1", null).statusCode()).isEqualTo(200);
        assertThat(call("GET", "/v1/switches", null).body()).isEqualTo("[]");
        assertThat(call("GET", "/v1/openapi.yaml", null).body()).contains("/v1/moves/{id}/commit");
        sdn.close();
        sdn = SdnController.start(ControllerOptions.builder().port(0).stateDir(state).build());
        assertThat(sdn.endpoints()).hasSize(1);
    }

    @Test
    void anArrayOfEndpointsIsAddedAllOrNone() throws Exception {
        String vm2 = VM.replace("\"id\":5", "\"id\":6").replace("vm1", "vm2").replace("00:64", "00:65");
        HttpResponse<String> created = call("POST", "/v1/endpoints", "[" + VM + "," + vm2 + "]");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(JSON.readTree(created.body())).hasSize(2);
        assertThat(sdn.endpoints()).extracting(io.cutover.sdn.Endpoint::name).containsExactlyInAnyOrder("vm1", "vm2");
        String vm3SameId = vm2.replace("vm2", "vm3").replace("00:65", "00:66");
        assertError(call("POST", "/v1/endpoints", "[" + vm3SameId + "]"), 400, "endpoint vm3 has the id of vm2");
        assertError(call("POST", "/v1/endpoints", "[" + VM + ",null]"), 400, "holds a null at [1]");
        assertThat(sdn.endpoints()).hasSize(2);
    }

    @Test
    void everyErrorIsOneObjectOfErrorAndDetail() throws Exception {
        rest.close();
        String token = "sdn-token-0123456789";
        rest = SdnRestServer.start(sdn, "127.0.0.1", 0, token);
        HttpResponse<String> noToken = call("GET", "/v1/endpoints", null);
        assertLayout(noToken, 401, "unauthorized", "missing bearer token");
        assertThat(noToken.headers().firstValue("WWW-Authenticate")).contains("Bearer");
        assertLayout(send("POST", "/v1/endpoints", "{not json", token), 400, "bad request", "bad JSON body");
        assertLayout(send("GET", "/v1/endpoints/nosuch", null, token), 404, "not found", "no endpoint nosuch");
        assertLayout(send("GET", "/v1/nowhere", null, token), 404, "not found", "GET /v1/nowhere");
        assertLayout(send("POST", "/v1/endpoints/nosuch/probe", null, token), 404, "not found", "no endpoint nosuch");
        assertLayout(send("POST", "/v1/endpoints/nosuch/probe", "{\"timeoutMs\": \"soon\"}", token), 400,
                "bad request", "timeoutMs must be a whole number of milliseconds");
        assertError(call("POST", "/v1/endpoints/nosuch/probe", null), 401, "missing bearer token");
    }

    @Test
    void withATokenEveryCallButTheOpenApiDocumentNeedsItAndARefusedOneChangesNothing() throws Exception {
        rest.close();
        String token = "sdn-token-0123456789";
        rest = SdnRestServer.start(sdn, "127.0.0.1", 0, token);
        assertError(call("POST", "/v1/endpoints", VM), 401, "missing bearer token");
        assertError(send("POST", "/v1/endpoints", VM, "wrong-token-0123456789"), 401, "wrong bearer token");
        assertError(call("GET", "/v1/endpoints", null), 401, "missing bearer token");
        assertThat(sdn.endpoints()).as("nothing changed for the refused calls").isEmpty();
        assertThat(call("GET", "/v1/openapi.yaml", null).statusCode()).isEqualTo(200);
        assertThat(send("POST", "/v1/endpoints", VM, token).statusCode()).isEqualTo(201);
        assertThat(sdn.endpoints()).hasSize(1);
        assertError(call("GET", "/metrics", null), 401, "missing bearer token");
        HttpResponse<String> metrics = send("GET", "/metrics", null, token);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("content-type")).hasValueSatisfying(type -> assertThat(type)
                .startsWith("text/plain; version=0.0.4"));
        assertThat(metrics.body()).as("the controller's meters and the JVM's, tagged with the daemon")
                .contains("cutover_sdn_flow_mods_total{daemon=\"sdn\"}", "cutover_sdn_moves{",
                        "jvm_memory_used_bytes{");
    }

    @Test
    void aTokenlessApiListensOnLoopbackOnly() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SdnRestServer.start(sdn, "0.0.0.0", 0))
                .isInstanceOf(io.cutover.sdn.SdnException.class).hasMessageContaining("needs a bearer token");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SdnRestServer.start(sdn, "127.0.0.1", 0, "short"))
                .hasMessageContaining("at least 16 characters");
    }

    private HttpResponse<String> send(String method, String path, String body, String token) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rest.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("content-type", "application/json").header("Authorization", "Bearer " + token).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void errorsAreJsonWithTheRightStatus() throws Exception {
        assertError(call("POST", "/v1/endpoints", "{not json"), 400, "bad JSON");
        assertError(call("POST", "/v1/endpoints", VM.replace("02:00:C6:12:00:64", "zz")), 400, "not a MAC address");
        assertError(call("GET", "/v1/endpoints/nobody", null), 404, "no endpoint nobody");
        assertError(call("POST", "/v1/moves/77/commit", null), 404, "no move 77");
        assertError(call("POST", "/v1/moves/x/commit", null), 400, "not a number");
        assertError(call("POST", "/v1/moves", "{\"endpoint\":\"vm1\"}"), 400, "toSwitch");
        assertThat(call("POST", "/v1/endpoints", VM).statusCode()).isEqualTo(201);
        assertError(call("POST", "/v1/moves", "{\"endpoint\":\"vm1\",\"toSwitch\":\"br-b\",\"toPort\":\"vm1\"}"), 400,
                "'br-b' is not a datapath id");
        assertError(call("POST", "/v1/moves", "{\"endpoint\":\"vm1\",\"toSwitch\":\"00:00:00:00:00:00:00:b0\","
                + "\"toPort\":\"vm1\"}"), 503, "00000000000000b0: not connected");
        assertError(call("POST", "/v1/endpoints", VM.replace("\"switch\":\"0x00a0\"", "\"switchName\":\"br-a\"")), 400,
                "'switchName' is gone");
        assertError(call("POST", "/v1/endpoints", VM.replace("0x00a0", "br-a")), 400, "'br-a' is not a datapath id");
        assertError(call("PUT", "/v1/links", "[{\"switchA\":\"br-a\",\"portA\":\"up\",\"switchB\":\"00000000000000b0\","
                + "\"portB\":\"up\"}]"), 400, "'br-a' is not a datapath id");
        // found by SdnRestFuzzTest: a null link was a 500 (a NullPointerException in setLinks)
        assertError(call("PUT", "/v1/links", "[null]"), 400, "holds a null at [0], not a Link");
        assertError(call("GET", "/v1/switches/br-a/ports", null), 404, "no switch br-a");
        assertError(call("GET", "/v1/switches/0x00a0/flows", null), 404, "no switch 00000000000000a0");
        assertError(call("GET", "/v1/nothing", null), 404, "/v1/nothing");
    }

    @Test
    void everyRefusedRequestIsLoggedOnOneLine() throws Exception {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                .getLogger(io.cutover.support.ErrorAnswer.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
                new ch.qos.logback.core.read.ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        try {
            call("POST", "/v1/endpoints", "null");
            call("PUT", "/v1/links", "[" + "{},".repeat(400_000) + "{}]");
            assertThat(lines.list).extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                    .satisfiesExactly(
                            line -> assertThat(line).startsWith("refused POST /v1/endpoints from 127.0.0.1:")
                                    .endsWith(": 400 bad request: the request's JSON body is null, not Endpoint"),
                            line -> assertThat(line).startsWith("refused PUT /v1/links from 127.0.0.1:")
                                    .endsWith(": 413 request too large: status 413"));
        } finally {
            logger.detachAppender(lines);
        }
    }

    @Test
    void linksThatMakeALoopAreRefusedNamingTheLoop() throws Exception {
        String ab = "{\"switchA\":\"0xa0\",\"portA\":\"a-to-b\",\"switchB\":\"0xb0\",\"portB\":\"b-to-a\"}";
        String bc = "{\"switchA\":\"0xb0\",\"portA\":\"b-to-c\",\"switchB\":\"0xc0\",\"portB\":\"c-to-b\"}";
        String ca = "{\"switchA\":\"0xc0\",\"portA\":\"c-to-a\",\"switchB\":\"0xa0\",\"portB\":\"a-to-c\"}";
        assertThat(call("PUT", "/v1/links", "[" + ab + "," + bc + "]").statusCode()).isEqualTo(200);
        assertError(call("PUT", "/v1/links", "[" + ab + "," + bc + "," + ca + "]"), 400,
                "these links make a loop (00000000000000c0 -> 00000000000000b0 -> 00000000000000a0 -> "
                        + "00000000000000c0, closed by the link 00000000000000c0 c-to-a to 00000000000000a0 a-to-c)");
        assertError(call("PUT", "/v1/links", "[" + ab + "," + ab.replace("a-to-b", "a-to-b2") + "]"), 400,
                "make a loop");
        assertThat(sdn.links()).as("the refused loop changed nothing").hasSize(2);
    }

    @Test
    void twoNetworksMayShareAMacButNotAPort() throws Exception {
        assertThat(call("POST", "/v1/endpoints", VM).statusCode()).isEqualTo(201);
        String clone = VM.replace("\"id\":5", "\"id\":6").replace("vm1", "clone").replace("\"network\":1",
                "\"network\":2");
        assertThat(call("POST", "/v1/endpoints", clone).statusCode()).as("another network: the same MAC is fine")
                .isEqualTo(201);
        assertError(call("POST", "/v1/endpoints", clone.replace("\"id\":6", "\"id\":7")
                        .replace("\"name\":\"clone\"", "\"name\":\"twin\"")), 400, "has the MAC of clone");
        assertError(call("POST", "/v1/endpoints", VM.replace("\"id\":5", "\"id\":8").replace("\"name\":\"vm1\"",
                        "\"name\":\"other\"").replace("02:00:C6:12:00:64", "02:00:00:00:00:08")
                .replace("\"network\":1", "\"network\":3")), 400, "a port belongs to exactly one network");
    }

    @Test
    void networksAreCreatedListedReadDeletedAndJournaled() throws Exception {
        assertThat(call("GET", "/v1/networks", null).body()).isEqualTo("[]");
        assertThat(call("GET", "/v1/openapi.yaml", null).body()).contains("/v1/networks:", "/v1/networks/{id}:");
        HttpResponse<String> created = call("POST", "/v1/networks", "{\"id\":2,\"vni\":5002,\"name\":\"tenant-b\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(created.body()).isEqualTo("{\"id\":2,\"vni\":5002,\"name\":\"tenant-b\"}");
        assertThat(call("POST", "/v1/networks", "{\"id\":1,\"vni\":5001,\"name\":\"tenant-a\"}").statusCode())
                .isEqualTo(201);
        HttpResponse<String> again = call("POST", "/v1/networks", "{\"id\":2,\"vni\":5002,\"name\":\"tenant-b\"}");
        assertThat(again.statusCode()).as("the same network again: nothing to create, no error").isEqualTo(200);
        JsonNode list = JSON.readTree(call("GET", "/v1/networks", null).body());
        assertThat(list).hasSize(2);
        assertThat(list.get(0).get("id").asInt()).as("by id").isEqualTo(1);
        assertThat(JSON.readTree(call("GET", "/v1/networks/2", null).body()).get("vni").asInt()).isEqualTo(5002);
        assertThat(sdn.vni(2)).isEqualTo(5002);
        assertThat(sdn.vni(9)).as("not defined: its id").isEqualTo(9);

        sdn.close();
        sdn = SdnController.start(ControllerOptions.builder().port(0).stateDir(state).build());
        rest.close();
        rest = SdnRestServer.start(sdn, "127.0.0.1", 0);
        assertThat(sdn.networks()).extracting(io.cutover.sdn.Network::name).containsExactly("tenant-a", "tenant-b");

        HttpResponse<String> deleted = call("DELETE", "/v1/networks/2", null);
        assertThat(deleted.statusCode()).isEqualTo(200);
        assertThat(deleted.body()).isEqualTo("{\"removed\":2}");
        assertError(call("GET", "/v1/networks/2", null), 404, "no network 2");
        assertError(call("DELETE", "/v1/networks/2", null), 404, "no network 2");
        sdn.close();
        sdn = SdnController.start(ControllerOptions.builder().port(0).stateDir(state).build());
        assertThat(sdn.networks()).extracting(io.cutover.sdn.Network::id).containsExactly(1);
    }

    @Test
    void aNetworkThatClashesIsAConflictAndChangesNothing() throws Exception {
        assertThat(call("POST", "/v1/networks", "{\"id\":1,\"vni\":5001,\"name\":\"tenant-a\"}").statusCode())
                .isEqualTo(201);
        assertError(call("POST", "/v1/networks", "{\"id\":1,\"vni\":6001,\"name\":\"tenant-a\"}"), 409,
                "network 1 is defined with vni 5001 and name tenant-a: delete it first to change it");
        assertError(call("POST", "/v1/networks", "{\"id\":1,\"vni\":5001,\"name\":\"other\"}"), 409,
                "network 1 is defined with vni 5001");
        assertError(call("POST", "/v1/networks", "{\"id\":2,\"vni\":5001,\"name\":\"tenant-b\"}"), 409,
                "vni 5001 is carried by network 1 (tenant-a)");
        assertThat(sdn.networks()).containsExactly(new io.cutover.sdn.Network(1, 5001, "tenant-a"));

        assertThat(call("POST", "/v1/endpoints", VM).statusCode()).isEqualTo(201);
        assertError(call("DELETE", "/v1/networks/1", null), 409,
                "network 1 (tenant-a) still has 1 endpoint: vm1; remove them or put them in another network first");
        assertThat(call("DELETE", "/v1/endpoints/vm1", null).statusCode()).isEqualTo(200);
        assertThat(call("DELETE", "/v1/networks/1", null).statusCode()).isEqualTo(200);
    }

    @Test
    void badNetworksAreBadRequests() throws Exception {
        assertError(call("POST", "/v1/networks", "{\"id\":0,\"vni\":5,\"name\":\"a\"}"), 400,
                "network id 0 is outside 1..65535");
        assertError(call("POST", "/v1/networks", "{\"id\":3,\"vni\":16777216,\"name\":\"a\"}"), 400,
                "network 3: vni 16777216 is outside 1..16777215");
        assertError(call("POST", "/v1/networks", "{\"id\":3,\"name\":\"a\"}"), 400, "network 3: vni 0 is outside");
        assertError(call("POST", "/v1/networks", "{\"id\":3,\"vni\":3}"), 400, "network 3: name is missing");
        assertError(call("POST", "/v1/networks", "null"), 400, "null");
        assertError(call("GET", "/v1/networks/blue", null), 400, "network id 'blue' is not a number");
        assertError(call("DELETE", "/v1/networks/blue", null), 400, "network id 'blue' is not a number");
        assertThat(sdn.networks()).isEmpty();
    }

    @Test
    void withoutNetworksAnyNetworkIsImplicitOnceOneIsDefinedAnEndpointMustNameADefinedOne() throws Exception {
        String other = VM.replace("\"id\":5", "\"id\":6").replace("vm1", "vm2").replace("\"network\":1",
                "\"network\":7").replace("02:00:C6:12:00:64", "02:00:00:00:00:06");
        assertThat(call("POST", "/v1/endpoints", other).statusCode()).as("no network defined: 7 is implicit")
                .isEqualTo(201);
        assertThat(sdn.vni(7)).isEqualTo(7);
        assertError(call("POST", "/v1/networks", "{\"id\":1,\"vni\":7,\"name\":\"tenant-a\"}"), 409,
                "vni 7 is carried by network 7, which endpoints use without its being defined");
        assertThat(call("POST", "/v1/networks", "{\"id\":1,\"vni\":5001,\"name\":\"tenant-a\"}").statusCode())
                .isEqualTo(201);

        assertThat(call("POST", "/v1/endpoints", VM).statusCode()).as("network 1 is defined").isEqualTo(201);
        assertError(call("POST", "/v1/endpoints", other.replace("vm2", "vm3").replace("\"id\":6", "\"id\":8")),
                400, "endpoint vm3 names network 7, which is not defined (1 network is defined: GET /v1/networks "
                        + "lists them, POST /v1/networks defines one)");
        assertThat(sdn.endpoint("vm3")).as("refused: nothing changed").isEmpty();
        assertError(call("POST", "/v1/endpoints", other), 400, "endpoint vm2 names network 7, which is not defined");
        assertThat(sdn.endpoint("vm2")).as("kept where it was put before networks were defined")
                .hasValueSatisfying(e -> assertThat(e.network()).isEqualTo(7));

        assertThat(call("POST", "/v1/networks", "{\"id\":7,\"vni\":5007,\"name\":\"tenant-g\"}").statusCode())
                .isEqualTo(201);
        assertThat(call("POST", "/v1/endpoints", other).statusCode()).isEqualTo(201);
        assertThat(sdn.vni(7)).isEqualTo(5007);
    }

    @Test
    void nullsInsteadOfObjectsAreBadRequestsNotServerErrors() throws Exception {
        assertError(call("PUT", "/v1/links", "[null]"), 400, "holds a null at [0], not a Link");
        assertError(call("PUT", "/v1/links", "null"), 400, "null");
        assertError(call("POST", "/v1/endpoints", "null"), 400, "null");
        assertError(call("POST", "/v1/moves", "null"), 400, "endpoint");
        assertThat(sdn.links()).as("nothing set by the refused calls").isEmpty();
    }

    private static void assertError(HttpResponse<String> response, int status, String detail) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("error").asText()).isNotBlank();
        assertThat(body.get("detail").asText()).contains(detail);
    }

    /** The one error layout ({@link io.cutover.support.ErrorAnswer}): exactly {@code error} and {@code detail}, as JSON. */
    private static void assertLayout(HttpResponse<String> response, int status, String error, String detail)
            throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        JsonNode body = JSON.readTree(response.body());
        java.util.List<String> fields = new java.util.ArrayList<>();
        body.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("error", "detail");
        assertThat(body.get("error").asText()).isEqualTo(error);
        assertThat(body.get("detail").asText()).contains(detail);
    }
}
