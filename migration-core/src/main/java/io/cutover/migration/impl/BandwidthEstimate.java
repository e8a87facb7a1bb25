package io.cutover.migration.impl;

import java.util.ArrayDeque;

/**
 * The bandwidth the switchover decision counts on: the rate the stop-and-copy will send at. The stop-and-copy runs
 * at the bandwidth cap, or unpaced without one, so only bytes sent at that pace measure it. A round that dynamic rate
 * limiting paced below the cap measures its own pace (about the dirty rate), not the path: counted, it would make the
 * expected downtime about one round's length, and a small working set would never converge. Such rounds give no
 * sample; the first round's first bytes go at the stop-and-copy's pace as a probe instead.
 *
 * <p>The estimate is the lowest of the last {@value #SAMPLES} samples of at least {@value #MIN_SAMPLE_BYTES} bytes (an
 * optimistic estimate overruns the downtime limit; a shorter sample says more about the buffers than about the path,
 * and is taken only while there is no other), and never above the cap.
 */
final class BandwidthEstimate {
    /** A sample shorter than this says more about the buffers than about the path. */
    static final long MIN_SAMPLE_BYTES = 16L << 20;
    /** Samples the estimate keeps: it is the lowest of them. */
    static final int SAMPLES = 3;

    private final long cap;
    private final ArrayDeque<Double> samples = new ArrayDeque<>();
    private double bytesPerSecond;

    /** @param cap the stop-and-copy's pace in bytes/s, 0 for unpaced */
    BandwidthEstimate(long cap) {
        this.cap = cap;
    }

    /**
     * Counts {@code bytes} that reached the socket in {@code nanos}, sent at {@code rate} bytes/s (0: unpaced);
     * ignored unless that is the stop-and-copy's pace.
     */
    void sample(long bytes, long nanos, long rate) {
        if (!atStopAndCopyPace(rate) || bytes < MIN_SAMPLE_BYTES && bytesPerSecond > 0) {
            return;
        }
        samples.addLast(Math.max(bytes, 1) * 1e9 / Math.max(nanos, 1));
        if (samples.size() > SAMPLES) {
            samples.removeFirst();
        }
        double lowest = samples.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        bytesPerSecond = cap > 0 ? Math.min(lowest, cap) : lowest;
    }

    /** Whether bytes sent at {@code rate} (0: unpaced) measure the stop-and-copy. */
    boolean atStopAndCopyPace(long rate) {
        return cap == 0 ? rate == 0 : rate == 0 || rate >= cap;
    }

    /** Bytes per second, 0 before the first sample. */
    double bytesPerSecond() {
        return bytesPerSecond;
    }
}
