package io.cutover.sdn.rest;

import io.cutover.sdn.Endpoint;
import io.cutover.sdn.Link;
import io.cutover.support.fuzz.Fuzzer;
import io.cutover.support.fuzz.JsonMutator;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The controller's request bodies read as its REST server reads them ({@link SdnRestServer#readBody}: Jackson and
 * the records' validation), in process, {@code fuzz.iterations} inputs each (see {@link Fuzzer}): a valid value or
 * an IllegalArgumentException, which the server answers with a 400. {@link SdnRestFuzzTest} sends fewer of them to
 * the real server.
 */
class SdnBodiesFuzzTest {
    @Test
    void endpoints() {
        fuzz("controller body Endpoint", Endpoint.class, "switchName", "switch", """
                {"id":5,"name":"vm1","network":1,"mac":"02:00:C6:12:00:64","addresses":["198.18.0.100","2001:db8::64"],
                 "switch":"0x00a0","port":"vm1"}""");
    }

    @Test
    void links() {
        fuzz("controller body Link[]", Link[].class, null, null, "[{\"switchA\":\"00000000000000a0\",\"portA\":\"up\","
                + "\"switchB\":\"00000000000000b0\",\"portB\":\"up\"}, {\"switchA\":\"0xb0\",\"portA\":\"down\","
                + "\"switchB\":\"0xc0\",\"portB\":\"up\"}]");
    }

    private static void fuzz(String name, Class<?> type, String gone, String replacement, String seed) {
        Fuzzer.Result result = Fuzzer.of(name).seeds(List.of(seed.getBytes(StandardCharsets.UTF_8)))
                .mutations(JsonMutator::new).refusesWith(IllegalArgumentException.class)
                .run(input -> {
                    Object value = SdnRestServer.readBody(new String(input, StandardCharsets.UTF_8), type, gone, replacement);
                    assertThat(value).isNotNull();
                    if (value instanceof Object[] items) {
                        assertThat(items).doesNotContainNull();
                    }
                });
        assertThat(result.accepted()).as("some mutated bodies are still valid").isPositive();
    }
}
