package io.cutover.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BenchReportTest {

    @Test
    void percentileIsTheNearestRankOfUnsortedValuesAndLeavesThemAlone() {
        double[] values = {5, 1, 4, 2, 3, 10, 9, 8, 7, 6};
        assertThat(BenchReport.percentile(values, 50)).isEqualTo(5);
        assertThat(BenchReport.percentile(values, 99)).isEqualTo(10);
        assertThat(BenchReport.percentile(values, 0)).isEqualTo(1);
        assertThat(values[0]).isEqualTo(5);
        assertThat(BenchReport.percentile(new double[0], 50)).isNaN();
    }
}
