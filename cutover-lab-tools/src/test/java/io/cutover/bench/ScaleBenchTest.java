package io.cutover.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScaleBenchTest {
    private static final String METRICS = """
            # HELP cutover_sdn_store_saves_total the model's writes to the store
            # TYPE cutover_sdn_store_saves_total counter
            cutover_sdn_store_saves_total 412.0
            cutover_sdn_store_saves_total_other 7.0
            cutover_sdn_store_documents_total{service="sdn"} 1236.0
            """;

    @Test
    void theStoreCountersAreReadFromTheControllersPrometheusText() {
        assertThat(ScaleBench.counter(METRICS, "cutover_sdn_store_saves_total")).isEqualTo(412);
        assertThat(ScaleBench.counter(METRICS, "cutover_sdn_store_documents_total")).isEqualTo(1236);
    }

    @Test
    void aCounterTheControllerDoesNotReportIsAnErrorNamingIt() {
        assertThatThrownBy(() -> ScaleBench.counter(METRICS, "cutover_sdn_store_bytes_total"))
                .hasMessageContaining("cutover_sdn_store_bytes_total");
    }
}
