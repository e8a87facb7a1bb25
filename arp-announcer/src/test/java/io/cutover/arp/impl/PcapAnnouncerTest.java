package io.cutover.arp.impl;

import io.cutover.arp.AddressNotAllowedException;
import io.cutover.arp.AllowList;
import io.cutover.arp.AnnounceForm;
import io.cutover.arp.AnnounceReport;
import io.cutover.arp.Announcement;
import io.cutover.arp.Announcing;
import io.cutover.arp.AnnouncingListener;
import io.cutover.arp.GateClosedException;
import io.cutover.arp.GateResult;
import io.cutover.arp.MacAddress;
import io.cutover.arp.ProbeResult;
import io.cutover.arp.ReadinessGate;
import io.cutover.arp.Schedule;
import io.cutover.api.CutoverEvent;
import io.cutover.api.CutoverStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The announcer's logic over a recording sink (the wire is proven by the integration tests). */
class PcapAnnouncerTest {
    private static final MacAddress MAC = MacAddress.parse("02:00:c6:12:00:64");
    private final RecordingSink sink = new RecordingSink();
    private final List<InetAddress> addresses = new ArrayList<>();
    private PcapAnnouncer announcer;

    private PcapAnnouncer announcer(String... allowed) throws Exception {
        for (String a : allowed) {
            addresses.add(InetAddress.getByName(a));
        }
        announcer = new PcapAnnouncer("eth0", sink, AllowList.of(addresses));
        return announcer;
    }

    @AfterEach
    void close() {
        if (announcer != null) {
            announcer.close();
        }
    }

    private static <T> T join(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void firstRoundLeavesInTheCallingThreadAndRoundsReuseTheSameBuffers() throws Exception {
        announcer("198.18.0.100", "198.18.0.101", "2001:2::100");
        Announcement announcement = Announcement.of(MAC, addresses).withForms(EnumSet.allOf(AnnounceForm.class));
        Schedule schedule = Schedule.qemu(3, Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofMillis(100));
        var done = announcer.announce(announcement, schedule);
        List<RecordingSink.Sent> firstRound = sink.sent();
        assertThat(firstRound).hasSize(announcement.frameCount());
        assertThat(firstRound).allSatisfy(s -> assertThat(s.thread()).isSameAs(Thread.currentThread()));

        AnnounceReport report = join(done);
        List<RecordingSink.Sent> sent = sink.sent();
        int perRound = announcement.frameCount();
        assertThat(sent).hasSize(3 * perRound);
        assertThat(report.framesSent()).isEqualTo(3L * perRound);
        assertThat(report.rounds()).isEqualTo(3);
        assertThat(report.gate().outcome()).isEqualTo(GateResult.Outcome.UNGATED);
        for (int i = 0; i < perRound; i++) {
            assertThat(sent.get(perRound + i).frame()).isSameAs(sent.get(i).frame());
            assertThat(sent.get(2 * perRound + i).frame()).isSameAs(sent.get(i).frame());
        }
        long second = report.roundNanos().get(1) - report.roundNanos().get(0);
        long third = report.roundNanos().get(2) - report.roundNanos().get(0);
        assertThat(second).isGreaterThanOrEqualTo(Duration.ofMillis(10).toNanos());
        assertThat(third).isGreaterThanOrEqualTo(Duration.ofMillis(30).toNanos());
    }

    @Test
    void laterCallsReuseTheFramesOfAnEqualAnnouncement() throws Exception {
        announcer("198.18.0.100");
        join(announcer.announce(Announcement.of(MAC, addresses), Schedule.once()));
        join(announcer.announce(Announcement.of(MAC, addresses), Schedule.once()));
        join(announcer.announce(Announcement.of(MAC, addresses).withVlan(3), Schedule.once()));
        List<RecordingSink.Sent> sent = sink.sent();
        assertThat(sent).hasSize(3);
        assertThat(sent.get(1).frame()).isSameAs(sent.get(0).frame());
        assertThat(sent.get(2).frame()).isNotSameAs(sent.get(0).frame()).hasSize(60);
    }

    @Test
    void addressesOffTheAllowListSendNothing() throws Exception {
        announcer("198.18.0.100");
        Announcement stray = Announcement.of(MAC, List.of(InetAddress.getByName("198.18.0.1")));
        assertThatThrownBy(() -> announcer.announce(stray, Schedule.once())).isInstanceOf(AddressNotAllowedException.class);
        assertThatThrownBy(() -> announcer.probe((Inet4Address) InetAddress.getByName("198.18.0.1"), MAC, Duration.ofMillis(10)))
                .isInstanceOf(AddressNotAllowedException.class);
        assertThat(sink.sent()).isEmpty();
    }

    @Test
    void nothingLeavesBeforeTheGateOpens() throws Exception {
        announcer("198.18.0.100");
        CompletableFuture<Void> commit = new CompletableFuture<>();
        Announcing announcing = announcer.start(Announcement.of(MAC, addresses), Schedule.once(),
                ReadinessGate.on(commit).withTimeout(Duration.ofSeconds(10)));
        Thread.sleep(50);
        assertThat(sink.sent()).isEmpty();
        commit.complete(null);
        assertThat(join(announcing.done()).gate().outcome()).isEqualTo(GateResult.Outcome.READY);
        assertThat(sink.sent()).hasSize(1);
    }

    @Test
    void cancelledBeforeTheGateSendsNothingEver() throws Exception {
        announcer("198.18.0.100");
        CompletableFuture<Void> commit = new CompletableFuture<>();
        Announcing announcing = announcer.start(Announcement.of(MAC, addresses), Schedule.qemu(), ReadinessGate.on(commit));
        announcing.cancel();
        commit.complete(null);
        assertThatThrownBy(() -> join(announcing.done())).hasCauseInstanceOf(GateClosedException.class);
        Thread.sleep(50);
        assertThat(sink.sent()).isEmpty();
    }

    @Test
    void cancelStopsLaterRounds() throws Exception {
        announcer("198.18.0.100");
        Announcing announcing = announcer.start(Announcement.of(MAC, addresses), Schedule.qemu(), ReadinessGate.open());
        announcing.cancel();
        AnnounceReport report = join(announcing.done());
        assertThat(report.rounds()).isEqualTo(1);
        Thread.sleep(100);
        assertThat(sink.sent()).hasSize(1);
    }

    @Test
    void listenerAnnouncesAtActivatedAfterTheGateAndCancelsOnRollback() throws Exception {
        announcer("198.18.0.100");
        CompletableFuture<Void> commit = new CompletableFuture<>();
        AnnouncingListener listener = new AnnouncingListener(announcer, Announcement.of(MAC, addresses),
                Schedule.qemu(2, Duration.ofMillis(10), Duration.ZERO, Duration.ofMillis(10)),
                () -> ReadinessGate.on(commit).withTimeout(Duration.ofSeconds(10)));
        for (CutoverStage stage : List.of(CutoverStage.PLANNED, CutoverStage.SWITCHOVER, CutoverStage.COMMITTED)) {
            assertThat(listener.onEvent(CutoverEvent.now("m1", stage)).toCompletableFuture()).isDone();
        }
        var activated = listener.onEvent(CutoverEvent.now("m1", CutoverStage.ACTIVATED)).toCompletableFuture();
        Thread.sleep(30);
        assertThat(activated).isNotDone();
        assertThat(sink.sent()).isEmpty();
        commit.complete(null);
        join(activated);
        assertThat(join(listener.current().done()).rounds()).isEqualTo(2);
        assertThat(sink.sent()).hasSize(2);

        CompletableFuture<Void> never = new CompletableFuture<>();
        AnnouncingListener rolledBack = new AnnouncingListener(announcer, Announcement.of(MAC, addresses), Schedule.qemu(),
                () -> ReadinessGate.on(never));
        var pending = rolledBack.onEvent(CutoverEvent.now("m2", CutoverStage.ACTIVATED)).toCompletableFuture();
        join(rolledBack.onEvent(CutoverEvent.now("m2", CutoverStage.ROLLED_BACK)));
        never.complete(null);
        assertThatThrownBy(() -> join(pending)).hasCauseInstanceOf(GateClosedException.class);
        assertThat(sink.sent()).hasSize(2);
    }

    @Test
    void probeReportsAnotherMacClaimingTheAddress() throws Exception {
        announcer("198.18.0.100");
        Inet4Address ip = (Inet4Address) addresses.get(0);
        MacAddress other = MacAddress.parse("02:00:00:00:00:99");
        byte[] claim = Frames.arp(AnnounceForm.REPLY, other, ip, 0);
        byte[] ownEcho = Frames.arpProbe(MAC, ip, 0);
        sink.toReceive.add(new byte[] {1, 2, 3});
        ProbeResult clear = join(announcer.probe(ip, MAC, Duration.ofMillis(20)));
        assertThat(clear.conflict()).isFalse();
        assertThat(sink.sent()).hasSize(1);

        RecordingSink claiming = new RecordingSink() {
            private int calls;

            @Override
            public synchronized byte[] receive(long timeoutNanos) {
                calls++;
                return calls == 1 ? null : calls == 2 ? ownEcho : claim;
            }
        };
        ProbeResult conflict = ArpProber.probe(claiming, ip, MAC, 0, Duration.ofSeconds(5));
        assertThat(conflict.conflict()).isTrue();
        assertThat(conflict.owner()).contains(other);
    }

    @Test
    void claimantParserSurvivesMalformedFrames() throws Exception {
        byte[] ip = InetAddress.getByName("198.18.0.100").getAddress();
        byte[] good = Frames.arp(AnnounceForm.REQUEST, MacAddress.parse("02:00:00:00:00:99"), (Inet4Address) InetAddress.getByName("198.18.0.100"), 0);
        assertThat(ArpProber.claimant(good, ip, MAC.bytes())).isPresent();
        for (int length = 0; length < good.length; length++) {
            byte[] truncated = java.util.Arrays.copyOf(good, length);
            assertThat(ArpProber.claimant(truncated, ip, MAC.bytes())).as("length " + length).isEqualTo(length >= 42
                    ? ArpProber.claimant(good, ip, MAC.bytes()) : java.util.Optional.empty());
        }
        java.util.Random random = new java.util.Random(5227);
        for (int i = 0; i < 10_000; i++) {
            byte[] noise = new byte[random.nextInt(100)];
            random.nextBytes(noise);
            ArpProber.claimant(noise, ip, MAC.bytes());
        }
        byte[] tagged = Frames.arp(AnnounceForm.REQUEST, MacAddress.parse("02:00:00:00:00:99"), (Inet4Address) InetAddress.getByName("198.18.0.100"), 7);
        assertThat(ArpProber.claimant(tagged, ip, MAC.bytes())).isPresent();
    }
}
