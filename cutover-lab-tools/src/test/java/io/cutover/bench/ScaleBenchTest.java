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

    @Test
    void aCutMoveIsHalfAppliedUnlessItEndedCommittedCleanedOrRolledBack() {
        ScaleBench.Moves moves = new ScaleBench.Moves(3, 1.0, new double[0], new double[0], new double[0],
                new double[0], java.util.List.of(), java.util.List.of(new ScaleBench.CutMove(1, "e1", "COMMITTED"),
                new ScaleBench.CutMove(2, "e2", "ROLLED_BACK"), new ScaleBench.CutMove(3, "e3", "CLEANED"),
                new ScaleBench.CutMove(4, "e4", "REDIRECTED"),
                new ScaleBench.CutMove(5, "e5", "unknown: the controller does not answer")));
        assertThat(moves.halfApplied()).isEqualTo(2);
    }

    @Test
    void theControllersJvmOptionsAreTheVariablesWordsAndNoneWhenItIsUnsetOrBlank() {
        assertThat(ScaleBench.jvmOptions(" -Xmx2g  -XX:StartFlightRecording=filename=/tmp/jfr/ ")).containsExactly(
                "-Xmx2g", "-XX:StartFlightRecording=filename=/tmp/jfr/");
        assertThat(ScaleBench.jvmOptions(null)).isEmpty();
        assertThat(ScaleBench.jvmOptions("  ")).isEmpty();
    }
}
