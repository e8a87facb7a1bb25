package io.cutover.arp.impl;

import io.cutover.arp.AddressNotAllowedException;
import io.cutover.arp.AllowList;
import io.cutover.arp.Announcement;
import io.cutover.arp.Announcer;
import io.cutover.arp.Announcing;
import io.cutover.arp.MacAddress;
import io.cutover.arp.ProbeResult;
import io.cutover.arp.ReadinessGate;
import io.cutover.arp.Schedule;

import java.net.Inet4Address;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The {@link Announcer} over a {@link FrameSink}: Pcap4J on an interface, a {@link io.cutover.arp.FrameSender} (an SDN
 * controller's packet-out), or a recorder in unit tests.
 */
public final class PcapAnnouncer implements Announcer {
    private final String iface;
    private final FrameSink sink;
    private final AllowList allowList;
    private final ScheduledExecutorService timer;
    private final ExecutorService prober;
    /** How many announcements keep their built frames for the next call. */
    static final int FRAME_CACHE_SIZE = 64;

    private final Set<Announcing> running = ConcurrentHashMap.newKeySet();
    private final Map<Announcement, FrameSet> frameCache = new ConcurrentHashMap<>();

    public PcapAnnouncer(String iface, FrameSink sink, AllowList allowList) {
        this.iface = Objects.requireNonNull(iface, "iface");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.allowList = Objects.requireNonNull(allowList, "allowList");
        ThreadFactory plain = daemon("arp-announcer-" + iface);
        ScheduledThreadPoolExecutor rounds = new ScheduledThreadPoolExecutor(1, runnable -> plain.newThread(() -> {
            RealtimePriority.tryRaise();
            runnable.run();
        }));
        rounds.setRemoveOnCancelPolicy(true);
        rounds.prestartAllCoreThreads();
        this.timer = rounds;
        this.prober = Executors.newSingleThreadExecutor(daemon("arp-prober-" + iface));
    }

    /** Opens {@code iface} with Pcap4J in the calling thread's network namespace. */
    public static PcapAnnouncer open(String iface, AllowList allowList) {
        Objects.requireNonNull(allowList, "allowList");
        return new PcapAnnouncer(iface, PcapFrameSink.open(iface), allowList);
    }

    /** An announcer that hands its frames to {@code sender} and hears nothing. */
    public static PcapAnnouncer through(String name, io.cutover.arp.FrameSender sender, AllowList allowList) {
        Objects.requireNonNull(sender, "sender");
        return new PcapAnnouncer(name, new FrameSink() {
            @Override
            public void send(byte[] frame) {
                sender.send(frame);
            }

            @Override
            public byte[] receive(long timeoutNanos) {
                java.util.concurrent.locks.LockSupport.parkNanos(timeoutNanos);
                return null;
            }

            @Override
            public void close() {
            }
        }, allowList);
    }

    @Override
    public Announcing start(Announcement announcement, Schedule schedule, ReadinessGate gate) {
        allowList.check(announcement);
        ScheduledAnnouncing announcing = new ScheduledAnnouncing(announcement, frames(announcement), schedule, sink, timer);
        running.add(announcing);
        announcing.done().whenComplete((report, error) -> running.remove(announcing));
        return announcing.begin(gate);
    }

    /** The frames of {@code announcement}, built on its first use and reused by later calls. */
    private FrameSet frames(Announcement announcement) {
        FrameSet frames = frameCache.get(announcement);
        if (frames == null) {
            if (frameCache.size() >= FRAME_CACHE_SIZE) {
                frameCache.clear();
            }
            frames = frameCache.computeIfAbsent(announcement, FrameSet::of);
        }
        return frames;
    }

    @Override
    public CompletionStage<ProbeResult> probe(Inet4Address address, MacAddress ours, Duration wait) {
        if (!allowList.allows(address)) {
            throw new AddressNotAllowedException(List.of(address));
        }
        if (wait.isNegative() || wait.isZero()) {
            throw new IllegalArgumentException("the probe wait must be above zero, was " + wait);
        }
        return CompletableFuture.supplyAsync(() -> ArpProber.probe(sink, address, ours, 0, wait), prober);
    }

    @Override
    public String iface() {
        return iface;
    }

    @Override
    public void close() {
        running.forEach(Announcing::cancel);
        timer.shutdownNow();
        prober.shutdownNow();
        try {
            timer.awaitTermination(1, TimeUnit.SECONDS);
            prober.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sink.close();
    }

    private static ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
