package io.cutover.demo;

/**
 * What a client probing the VM saw.
 *
 * @param sent        probes sent
 * @param answered    probes whose echo came back
 * @param lost        probes never answered
 * @param delayed     probes answered later than the delay threshold
 * @param gapMillis   the longest time without any echo arriving (last echo before → first after)
 * @param maxRttMillis the slowest echo
 * @param lostRanges   the sequence numbers of the lost probes, as ranges such as {@code 1200-1388} (the first 20)
 */
public record UdpProbeResult(long sent, long answered, long lost, long delayed, double gapMillis, double maxRttMillis,
                             java.util.List<String> lostRanges) {
}
