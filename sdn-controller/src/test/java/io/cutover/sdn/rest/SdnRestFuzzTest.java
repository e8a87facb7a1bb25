package io.cutover.sdn.rest;

import io.cutover.sdn.ControllerOptions;
import io.cutover.sdn.SdnController;
import io.cutover.support.fuzz.Fuzzer;
import io.cutover.support.fuzz.JsonMutator;
import io.cutover.support.fuzz.QuietLogs;
import io.cutover.support.fuzz.RestTarget;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The controller's request bodies (endpoints, links, moves, a move's redirect), fuzzed (see {@link Fuzzer},
 * {@link JsonMutator}) against a real controller and REST server on loopback, with no switch connected: every body
 * gets a success, a 4xx or the 503 of a switch that is not connected, in the one error layout; never a 500. A
 * request costs a round trip, so each endpoint gets a tenth of {@code fuzz.iterations}; the allocation bound is
 * off (the work is on the server's threads, and the body limit bounds it).
 */
class SdnRestFuzzTest {
    private static final String VM = """
            {"id":5,"name":"vm1","network":1,"mac":"02:00:C6:12:00:64","addresses":["198.18.0.100","2001:db8::64"],
             "switch":"0x00a0","port":"vm1"}""";

    @TempDir
    Path state;
    private SdnController sdn;
    private SdnRestServer rest;
    private QuietLogs quiet;

    @BeforeEach
    void start() {
        quiet = QuietLogs.of("io.vertx", "io.netty", "io.cutover");
        sdn = SdnController.start(ControllerOptions.builder().port(0).stateDir(state).build());
        rest = SdnRestServer.start(sdn, "127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        rest.close();
        sdn.close();
        quiet.close();
    }

    @Test
    void endpointBodies() {
        fuzz("POST", "/v1/endpoints", VM, VM.replace("\"switch\":\"0x00a0\"", "\"switchName\":\"br-a\""));
    }

    @Test
    void linkBodies() {
        fuzz("PUT", "/v1/links", "[{\"switchA\":\"00000000000000a0\",\"portA\":\"up\",\"switchB\":\"00000000000000b0\","
                + "\"portB\":\"up\"}]", "[]");
    }

    @Test
    void moveBodies() throws Exception {
        rest("POST", "/v1/endpoints").parse(VM.getBytes(StandardCharsets.UTF_8));
        fuzz("POST", "/v1/moves", "{\"endpoint\":\"vm1\",\"toSwitch\":\"00:00:00:00:00:00:00:b0\",\"toPort\":\"vm1\"}",
                "{\"endpoint\":\"vm1\",\"toSwitch\":\"0xb0\",\"toPort\":\"vm1\",\"mirrorTo\":\"fwd\"}");
        fuzz("POST", "/v1/moves/1/redirect", "{\"port\":\"fwd\"}");
    }

    private void fuzz(String method, String path, String... seeds) {
        RestTarget target = rest(method, path);
        Fuzzer.of("controller API " + method + " " + path)
                .seeds(Arrays.stream(seeds).map(s -> s.getBytes(StandardCharsets.UTF_8)).toList())
                .mutations(JsonMutator::new).inputsDividedBy(10).withoutAllocationLimit().run(target);
        assertThat(target.sent()).isPositive();
    }

    private RestTarget rest(String method, String path) {
        return new RestTarget(method, URI.create("http://127.0.0.1:" + rest.port() + path), null)
                .refusal(status -> status >= 400 && status < 500 || status == 503);
    }
}
