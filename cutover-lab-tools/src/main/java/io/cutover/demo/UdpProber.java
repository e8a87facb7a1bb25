package io.cutover.demo;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends numbered UDP probes at a fixed rate to an echo service and records when each echo comes back: the
 * client's view of a cutover (lost, delayed, and the longest gap without an answer). Bounded in count.
 */
public final class UdpProber {
    /** An echo slower than this counts as delayed. */
    public static final Duration DEFAULT_DELAY_THRESHOLD = Duration.ofMillis(20);

    private final InetSocketAddress target;
    private final int rate;
    private final int count;
    private final long[] sentAt;
    private final long[] answeredAt;
    private volatile boolean stopRequested;
    /** Socket buffers large enough to ride out a few hundred milliseconds of a starved CPU. */
    static final int SOCKET_BUFFER_BYTES = 4 << 20;

    /**
     * @param target where the echo service listens
     * @param rate   probes per second (at most 10,000)
     * @param count  the most probes to send (at most 1,000,000); {@link #stop()} ends sooner
     */
    public UdpProber(InetSocketAddress target, int rate, int count) {
        if (rate < 1 || rate > 10_000 || count < 1 || count > 1_000_000) {
            throw new IllegalArgumentException("rate must be 1..10000/s and count 1..1000000");
        }
        this.target = target;
        this.rate = rate;
        this.count = count;
        this.sentAt = new long[count];
        this.answeredAt = new long[count];
    }

    /** Ends the sending: {@link #run} waits for the last echoes and returns. */
    public void stop() {
        stopRequested = true;
    }

    /**
     * Probes from the calling thread's namespace: sends probes until {@code count} have left or {@link #stop()}
     * is called, then waits up to {@code linger} for the last echoes.
     */
    public UdpProbeResult run(Duration linger) throws IOException {
        try (DatagramChannel channel = DatagramChannel.open()) {
            channel.setOption(java.net.StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER_BYTES);
            channel.connect(target);
            channel.configureBlocking(false);
            ByteBuffer out = ByteBuffer.allocateDirect(64);
            ByteBuffer in = ByteBuffer.allocateDirect(64);
            long interval = 1_000_000_000L / rate;
            long start = System.nanoTime();
            int next = 0;
            long end = Long.MAX_VALUE;
            while (System.nanoTime() < end) {
                long now = System.nanoTime();
                if (stopRequested && next < count && end == Long.MAX_VALUE) {
                    end = now + linger.toNanos();
                }
                if (next < count && !stopRequested && now - start >= (long) next * interval) {
                    out.clear();
                    out.putInt(next).putLong(now).flip();
                    sentAt[next] = now;
                    try {
                        channel.write(out);
                    } catch (java.net.PortUnreachableException unreachable) {
                        // an ICMP error from a stale path; the probe counts as sent and unanswered
                    }
                    next++;
                    if (next == count) {
                        end = System.nanoTime() + linger.toNanos();
                    }
                }
                drain(channel, in);
                LockSupport.parkNanos(20_000);
            }
            return result(next);
        }
    }

    private void drain(DatagramChannel channel, ByteBuffer in) throws IOException {
        while (true) {
            in.clear();
            int read;
            try {
                read = channel.read(in);
            } catch (java.net.PortUnreachableException unreachable) {
                continue;
            }
            if (read <= 0) {
                return;
            }
            in.flip();
            if (in.remaining() >= 4) {
                int seq = in.getInt();
                if (seq >= 0 && seq < count && answeredAt[seq] == 0) {
                    answeredAt[seq] = System.nanoTime();
                }
            }
        }
    }

    /** How many probes sent between the two {@link System#nanoTime()} instants were never answered (after {@link #run}). */
    public long lostBetween(long fromNanos, long toNanos) {
        long lost = 0;
        for (int i = 0; i < count && sentAt[i] != 0; i++) {
            if (answeredAt[i] == 0 && sentAt[i] >= fromNanos && sentAt[i] <= toNanos) {
                lost++;
            }
        }
        return lost;
    }

    /**
     * How much later than {@code resumedNanos} each answered probe sent between {@code fromNanos} and it was
     * answered, in milliseconds, sorted (after {@link #run}): the extra delay of what the cutover held while the guest
     * was stopped, counted from the moment the guest could answer.
     */
    public double[] heldDelaysMillis(long fromNanos, long resumedNanos) {
        return java.util.stream.IntStream.range(0, count)
                .filter(i -> sentAt[i] != 0 && answeredAt[i] != 0 && sentAt[i] >= fromNanos && sentAt[i] <= resumedNanos)
                .mapToDouble(i -> Math.max(0, answeredAt[i] - resumedNanos) / 1e6).sorted().toArray();
    }

    /** A run of consecutive lost probes: when its first and last were sent, and how many it holds. */
    public record LostRun(long fromNanos, long toNanos, int probes) {
    }

    /** The runs of lost probes, oldest first, at most {@code limit} (after {@link #run}). */
    public java.util.List<LostRun> lostRuns(int limit) {
        java.util.List<LostRun> runs = new java.util.ArrayList<>();
        int i = 0;
        while (i < count && sentAt[i] != 0 && runs.size() < limit) {
            if (answeredAt[i] != 0) {
                i++;
                continue;
            }
            int first = i;
            while (i < count && sentAt[i] != 0 && answeredAt[i] == 0) {
                i++;
            }
            runs.add(new LostRun(sentAt[first], sentAt[i - 1], i - first));
        }
        return runs;
    }

    /**
     * The client's network gap across a cutover (after {@link #run}): the longest time between two consecutive
     * echoes such that the silence overlaps {@code [fromNanos, toNanos]}, the guest's blackout. Silences
     * elsewhere (a starved CPU during pre-copy) do not count.
     *
     * @return the last echo before and the first echo after, as {@link System#nanoTime()} instants
     */
    public Gap gapAcross(long fromNanos, long toNanos) {
        // the end of the run closes a silence that no echo ended
        long[] arrivals = java.util.stream.LongStream.concat(
                java.util.Arrays.stream(answeredAt).filter(arrival -> arrival != 0),
                java.util.stream.LongStream.of(System.nanoTime())).sorted().toArray();
        Gap widest = null;
        for (int i = 1; i < arrivals.length; i++) {
            Gap silence = new Gap(arrivals[i - 1], arrivals[i]);
            if (silence.fromNanos() <= toNanos && silence.toNanos() >= fromNanos
                    && (widest == null || silence.millis() > widest.millis())) {
                widest = silence;
            }
        }
        return widest != null ? widest : new Gap(fromNanos, arrivals[arrivals.length - 1]);
    }

    /** A silence at the client, between two echoes. */
    public record Gap(long fromNanos, long toNanos) {
        public double millis() {
            return (toNanos - fromNanos) / 1e6;
        }
    }

    private UdpProbeResult result(int sent) {
        long answered = 0;
        long delayed = 0;
        long maxRtt = 0;
        long lastArrival = 0;
        long gap = 0;
        long[] arrivals = answeredAt.clone();
        java.util.Arrays.sort(arrivals);
        for (long arrival : arrivals) {
            if (arrival == 0) {
                continue;
            }
            if (lastArrival != 0) {
                gap = Math.max(gap, arrival - lastArrival);
            }
            lastArrival = arrival;
        }
        for (int i = 0; i < sent; i++) {
            if (answeredAt[i] != 0) {
                answered++;
                long rtt = answeredAt[i] - sentAt[i];
                maxRtt = Math.max(maxRtt, rtt);
                if (rtt > DEFAULT_DELAY_THRESHOLD.toNanos()) {
                    delayed++;
                }
            }
        }
        return new UdpProbeResult(sent, answered, sent - answered, delayed, gap / 1e6, maxRtt / 1e6, lostRanges(sent));
    }

    private java.util.List<String> lostRanges(int sent) {
        java.util.List<String> ranges = new java.util.ArrayList<>();
        int i = 0;
        while (i < sent && ranges.size() < 20) {
            if (answeredAt[i] != 0) {
                i++;
                continue;
            }
            int first = i;
            while (i < sent && answeredAt[i] == 0) {
                i++;
            }
            ranges.add(first == i - 1 ? String.valueOf(first) : first + "-" + (i - 1));
        }
        return ranges;
    }
}
