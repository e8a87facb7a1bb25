package io.cutover.migration.impl;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BandwidthEstimateTest {
    private static final long MB = 1_000_000;
    private static final long SECOND = 1_000_000_000L;

    @Test
    void roundsPacedBelowTheCapMeasureTheirPaceAndAreNotCounted() {
        BandwidthEstimate estimate = new BandwidthEstimate(0);
        estimate.sample(400 * MB, SECOND, 0);
        estimate.sample(20 * MB, SECOND, 20 * MB);
        assertThat(estimate.bytesPerSecond()).isEqualTo(400e6);
    }

    @Test
    void theLowestOfTheLastSamplesAtTheStopAndCopyPaceNeverAboveTheCap() {
        BandwidthEstimate estimate = new BandwidthEstimate(300 * MB);
        estimate.sample(900 * MB, SECOND, 0);
        assertThat(estimate.bytesPerSecond()).as("capped").isEqualTo(300e6);
        estimate.sample(200 * MB, SECOND, 300 * MB);
        assertThat(estimate.bytesPerSecond()).isEqualTo(200e6);
        estimate.sample(MB, SECOND / 1000, 300 * MB);
        assertThat(estimate.bytesPerSecond()).as("a short sample says more about the buffers").isEqualTo(200e6);
        estimate.sample(250 * MB, SECOND, 300 * MB);
        estimate.sample(260 * MB, SECOND, 300 * MB);
        estimate.sample(270 * MB, SECOND, 300 * MB);
        assertThat(estimate.bytesPerSecond()).as("the oldest sample left").isEqualTo(250e6);
    }

    @Test
    void aShortSampleIsTakenWhileThereIsNoOther() {
        BandwidthEstimate estimate = new BandwidthEstimate(0);
        estimate.sample(MB, SECOND / 100, 0);
        assertThat(estimate.bytesPerSecond()).isEqualTo(100e6);
    }
}
