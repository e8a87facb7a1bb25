package io.cutover.support;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A daemon's metrics on a port of their own, scraped over real HTTP on 127.0.0.1. */
class MetricsServerTest {
    private static final String TOKEN = "metrics-token-0123456789";
    /** HTTP/1.1 as Prometheus scrapes (the JDK's client may hang on its h2c upgrade under load). */
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private HttpResponse<String> get(int port, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void withoutATokenItServesPrometheusTextOnLoopbackAndNothingElse() throws Exception {
        try (Metrics metrics = Metrics.of("migration");
             MetricsServer server = MetricsServer.start(metrics, new HostPort("127.0.0.1", 0), null)) {
            metrics.registry().counter("cutover.test.things").increment(3);
            HttpResponse<String> scrape = get(server.port(), "/metrics", null);
            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t)
                    .startsWith("text/plain; version=0.0.4"));
            assertThat(scrape.body()).contains("cutover_test_things_total{daemon=\"migration\"} 3.0")
                    .contains("jvm_memory_used_bytes");
            assertThat(get(server.port(), "/v1/anything", null).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void withATokenAScrapeWithoutItIsRefused() throws Exception {
        try (Metrics metrics = Metrics.of("migration");
             MetricsServer server = MetricsServer.start(metrics, new HostPort("127.0.0.1", 0), TOKEN)) {
            assertThat(get(server.port(), "/metrics", null).statusCode()).isEqualTo(401);
            HttpResponse<String> wrong = get(server.port(), "/metrics", TOKEN + "x");
            assertThat(wrong.statusCode()).isEqualTo(401);
            assertThat(wrong.body()).doesNotContain("jvm_");
            assertThat(get(server.port(), "/metrics", TOKEN).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void itDoesNotListenBeyondLoopbackWithoutATokenNorWithAShortOne() {
        try (Metrics metrics = Metrics.of("migration")) {
            assertThatThrownBy(() -> MetricsServer.start(metrics, new HostPort("0.0.0.0", 0), null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("open to the network");
            assertThatThrownBy(() -> MetricsServer.start(metrics, new HostPort("127.0.0.1", 0), "short"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 16");
        }
    }
}
