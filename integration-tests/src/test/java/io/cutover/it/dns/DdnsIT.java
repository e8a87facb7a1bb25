package io.cutover.it.dns;

import io.cutover.ddns.ConflictException;
import io.cutover.ddns.DdnsOptions;
import io.cutover.ddns.DnsTimeoutException;
import io.cutover.ddns.DnsUpdater;
import io.cutover.ddns.NotOwnerException;
import io.cutover.ddns.RecordState;
import io.cutover.ddns.RrsetChange;
import io.cutover.ddns.TsigAlgorithm;
import io.cutover.ddns.TsigKey;
import io.cutover.ddns.TsigRejectedException;
import io.cutover.ddns.TtlLowering;
import io.cutover.ddns.UpdateResult;
import io.cutover.it.LabExtension;
import io.cutover.lab.Lab;
import io.cutover.support.Netns;
import io.cutover.lab.Topology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The updater against the lab's real BIND 9: every outcome is checked with dig, independently of the updater. */
class DdnsIT {
    @RegisterExtension
    static final LabExtension LAB = LabExtension.of(Topology.LAN);

    @TempDir
    Path journal;

    private static Lab lab() {
        return LAB.lab();
    }

    private static String fresh(String prefix) {
        return prefix + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 24)) + "." + Topology.ZONE;
    }

    private DdnsOptions.Builder options() {
        return DdnsOptions.builder(new InetSocketAddress(lab().dnsServer(), 53), TsigKey.read(lab().tsigKeyFile()))
                .journalDir(journal)
                .timeout(Duration.ofMillis(500))
                .verifyTimeout(Duration.ofSeconds(10));
    }

    /** Runs {@code work} with an updater opened inside the lab's client namespace. */
    private <T> T withUpdater(DdnsOptions options, Function<DnsUpdater, T> work) {
        try (Netns ns = lab().netns("client")) {
            return ns.call(() -> {
                try (DnsUpdater dns = DnsUpdater.open(options)) {
                    return work.apply(dns);
                }
            });
        }
    }

    private static List<String> dig(String name, String type) {
        String out = lab().exec("client", "dig", "+short", "+norecurse", "@" + lab().dnsServer(), name, type).orThrow().stdout();
        return Arrays.stream(out.strip().split("\n")).filter(s -> !s.isBlank()).sorted().toList();
    }

    private static long digTtl(String name, String type) {
        String out = lab().exec("client", "dig", "+noall", "+answer", "+norecurse", "@" + lab().dnsServer(), name, type)
                .orThrow().stdout().strip();
        return Long.parseLong(out.split("\\s+")[1]);
    }

    private static long serial() {
        String out = lab().exec("client", "dig", "+short", "@" + lab().dnsServer(), Topology.ZONE, "SOA").orThrow().stdout();
        return Long.parseLong(out.strip().split("\\s+")[2]);
    }

    private static void nsupdate(String script) {
        lab().exec("client", "sh", "-c", "printf 'server " + lab().dnsServer() + "\\n" + script + "' | nsupdate -k " + lab().tsigKeyFile()).orThrow();
    }

    private static <T> T join(java.util.concurrent.CompletionStage<T> stage) {
        return stage.toCompletableFuture().join();
    }

    private static InetAddress ip(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static RrsetChange create(String name, String address) {
        return new RrsetChange(name, address.contains(":") ? "AAAA" : "A", Duration.ofSeconds(300), List.of(),
                List.of(address));
    }

    @Test
    void switchesTheVmAddressAndVerifiesItOnTheAuthoritativeServer() {
        String vm = "vm1." + Topology.ZONE;
        String old = lab().port("vm1").ipv4Address();
        long before = serial();
        UpdateResult result = withUpdater(options().build(),
                dns -> join(dns.switchAddress(vm, ip(old), ip("198.18.0.200"))));
        assertThat(dig(vm, "A")).containsExactly("198.18.0.200");
        assertThat(digTtl(vm, "A")).isEqualTo(300);
        assertThat(result.alreadyApplied()).isFalse();
        assertThat(result.serial()).isGreaterThan(before);
        assertThat(result.verifiedOn()).containsExactly(lab().dnsServer() + "#53");
        assertThat(result.zone()).isEqualTo(Topology.ZONE);
        // and back, leaving the lab as it was
        withUpdater(options().build(), dns -> join(dns.switchAddress(vm, ip("198.18.0.200"), ip(old))));
        assertThat(dig(vm, "A")).containsExactly(old);
    }

    @Test
    void aRecordChangedByAThirdPartyIsLeftAloneAndTheConflictSaysWhatTheServerHolds() {
        String name = fresh("cas");
        withUpdater(options().build(), dns -> join(dns.apply(List.of(create(name, "198.18.0.101")))));
        nsupdate("update delete " + name + " A\\nupdate add " + name + " 300 A 198.18.0.77\\nsend\\n");
        long before = serial();
        assertThatThrownBy(() -> withUpdater(options().build(),
                dns -> join(dns.switchAddress(name, ip("198.18.0.101"), ip("198.18.0.102")))))
                .isInstanceOf(CompletionException.class)
                .cause().isInstanceOfSatisfying(ConflictException.class, e -> {
                    assertThat(e.rcodeName()).isEqualTo("NXRRSET");
                    assertThat(e.zone()).isEqualTo(Topology.ZONE);
                    assertThat(e.name()).isEqualTo(name);
                    assertThat(e.held()).containsExactly("A 300 198.18.0.77");
                });
        assertThat(dig(name, "A")).containsExactly("198.18.0.77");
        assertThat(serial()).isEqualTo(before);
    }

    @Test
    void aWrongKeyIsRefusedWithBadKeyAndAWrongSecretWithBadSig() {
        TsigKey real = TsigKey.read(lab().tsigKeyFile());
        String name = fresh("key");
        TsigKey unknown = new TsigKey("not-the-lab-key", TsigAlgorithm.HMAC_SHA256, real.secret());
        byte[] wrongSecret = real.secret();
        wrongSecret[0] ^= 1;
        TsigKey forged = new TsigKey(real.name(), TsigAlgorithm.HMAC_SHA256, wrongSecret);
        for (TsigKey key : List.of(unknown, forged)) {
            DdnsOptions options = DdnsOptions.builder(new InetSocketAddress(lab().dnsServer(), 53), key)
                    .journalDir(journal).build();
            assertThatThrownBy(() -> withUpdater(options, dns -> join(dns.apply(List.of(create(name, "198.18.0.9"))))))
                    .cause().isInstanceOfSatisfying(TsigRejectedException.class, e -> {
                        assertThat(e.rcodeName()).isEqualTo(key == unknown ? "BADKEY" : "BADSIG");
                        assertThat(e.zone()).isEqualTo(Topology.ZONE);
                    });
            assertThat(withUpdater(options, DnsUpdater::pending)).isEmpty();
        }
        assertThat(dig(name, "A")).isEmpty();
    }

    @Test
    void aKeyTheServerKnowsButLetsUpdateNothingIsNotAuthorisedNotABadSignature() {
        String name = fresh("ungranted");
        DdnsOptions options = DdnsOptions.builder(new InetSocketAddress(lab().dnsServer(), 53),
                TsigKey.read(lab().ungrantedTsigKeyFile())).journalDir(journal).build();
        assertThatThrownBy(() -> withUpdater(options, dns -> join(dns.apply(List.of(create(name, "198.18.0.9"))))))
                .cause().isInstanceOfSatisfying(io.cutover.ddns.UpdateRefusedException.class, e -> {
                    assertThat(e.rcodeName()).isEqualTo("REFUSED");
                    assertThat(e.getMessage()).startsWith("not authorised: the server knows key "
                            + Topology.UNGRANTED_KEY_NAME);
                });
        assertThat(withUpdater(options, DnsUpdater::pending)).isEmpty();
        assertThat(dig(name, "A")).isEmpty();
    }

    @Test
    void anUpdateQueuedWhileTheServerIsDownIsAppliedExactlyOnceAfterItComesBack() throws Exception {
        String name = fresh("down");
        withUpdater(options().build(), dns -> join(dns.apply(List.of(create(name, "198.18.0.31")))));
        long before = serial();
        DdnsOptions patient = options().maxAttempts(30).timeout(Duration.ofMillis(300))
                .backoff(Duration.ofMillis(100), Duration.ofMillis(500)).build();
        try (Netns ns = lab().netns("client")) {
            DnsUpdater dns = ns.call(() -> DnsUpdater.open(patient));
            try {
                lab().stopDns();
                CompletableFuture<UpdateResult> update = ns.call(() ->
                        dns.switchAddress(name, ip("198.18.0.31"), ip("198.18.0.32")).toCompletableFuture());
                Thread.sleep(1500);
                assertThat(update).isNotDone();
                assertThat(dns.pending()).hasSize(1);
                lab().startDns();
                UpdateResult result = update.get(60, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(result.verifiedOn()).hasSize(1);
                assertThat(dns.pending()).isEmpty();
            } finally {
                if (!lab().dnsRunning()) {
                    lab().startDns();
                }
                dns.close();
            }
        }
        assertThat(dig(name, "A")).containsExactly("198.18.0.32");
        assertThat(serial()).isEqualTo(before + 1);
    }

    @Test
    void aServerThatStaysDownGivesATypedTimeoutAndTheUpdateStaysQueuedForReplay() {
        String name = fresh("replay");
        withUpdater(options().build(), dns -> join(dns.apply(List.of(create(name, "198.18.0.41")))));
        DdnsOptions impatient = options().maxAttempts(2).timeout(Duration.ofMillis(200))
                .backoff(Duration.ofMillis(50), Duration.ofMillis(100)).build();
        lab().stopDns();
        try {
            assertThatThrownBy(() -> withUpdater(impatient,
                    dns -> join(dns.switchAddress(name, ip("198.18.0.41"), ip("198.18.0.42")))))
                    .cause().isInstanceOf(DnsTimeoutException.class);
        } finally {
            lab().startDns();
        }
        List<UpdateResult> replayed = withUpdater(options().build(), dns -> {
            assertThat(dns.pending()).hasSize(1);
            List<UpdateResult> results = join(dns.replay());
            assertThat(dns.pending()).isEmpty();
            return results;
        });
        assertThat(replayed).hasSize(1);
        assertThat(dig(name, "A")).containsExactly("198.18.0.42");
        // a second replay of the same (already applied) update changes nothing
        long serial = serial();
        assertThat(withUpdater(options().build(), DnsUpdater::pending)).isEmpty();
        assertThat(serial()).isEqualTo(serial);
    }

    @Test
    void lowersTheTtlRemembersTheOldOneAndRestoresIt() {
        String name = fresh("ttl");
        withUpdater(options().build(), dns -> join(dns.apply(List.of(create(name, "198.18.0.51"),
                create(name, "2001:2::51")))));
        Instant before = Instant.now();
        TtlLowering lowered = withUpdater(options().build(), dns -> join(dns.lowerTtl(name, Duration.ofSeconds(5))));
        assertThat(lowered.oldTtl()).isEqualTo(Duration.ofSeconds(300));
        assertThat(lowered.readyAt()).isAfterOrEqualTo(before.plusSeconds(300));
        assertThat(digTtl(name, "A")).isEqualTo(5);
        assertThat(digTtl(name, "AAAA")).isEqualTo(5);
        // lowering again keeps the first remembered TTL; the memory survives the process (journal)
        withUpdater(options().build(), dns -> join(dns.lowerTtl(name, Duration.ofSeconds(3))));
        assertThat(digTtl(name, "A")).isEqualTo(3);
        withUpdater(options().build(), dns -> join(dns.switchAddress(name, ip("198.18.0.51"), ip("198.18.0.52"))));
        assertThat(digTtl(name, "A")).isEqualTo(3);
        withUpdater(options().build(), dns -> join(dns.restoreTtl(name)));
        assertThat(digTtl(name, "A")).isEqualTo(300);
        assertThat(digTtl(name, "AAAA")).isEqualTo(300);
        assertThat(dig(name, "A")).containsExactly("198.18.0.52");
    }

    @Test
    void switchesAnAaaaRecord() {
        String vm = "vm1." + Topology.ZONE;
        String old = lab().port("vm1").ipv6Address();
        withUpdater(options().build(), dns -> join(dns.switchAddress(vm, ip(old), ip("2001:2::200"))));
        assertThat(dig(vm, "AAAA")).containsExactly("2001:2::200");
        withUpdater(options().build(), dns -> join(dns.switchAddress(vm, ip("2001:2::200"), ip(old))));
        assertThat(dig(vm, "AAAA")).containsExactly(old);
    }

    @Test
    void switchesABatchOfManyNamesEachInItsOwnUpdateAndAllInOne() {
        int count = 100;
        List<String> names = new ArrayList<>();
        List<RrsetChange> creations = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String name = fresh("batch" + i);
            names.add(name);
            creations.add(create(name, "198.18.10." + (i + 1)));
        }
        withUpdater(options().build(), dns -> join(dns.apply(creations)));
        List<UpdateResult> results = withUpdater(options().build(), dns -> {
            List<CompletableFuture<UpdateResult>> all = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                all.add(dns.apply(List.of(RrsetChange.switchAddress(names.get(i), ip("198.18.10." + (i + 1)),
                        ip("198.18.11." + (i + 1)), Duration.ofSeconds(300)))).toCompletableFuture());
            }
            return all.stream().map(CompletableFuture::join).toList();
        });
        assertThat(results).hasSize(count).allSatisfy(r -> assertThat(r.verifiedOn()).hasSize(1));
        for (int i = 0; i < count; i += 17) {
            assertThat(dig(names.get(i), "A")).containsExactly("198.18.11." + (i + 1));
        }
    }

    @Test
    void ownershipTxtProtectsRecordsOfSomeoneElse() {
        String mine = fresh("own");
        String theirs = fresh("theirs");
        withUpdater(options().build(), dns -> join(dns.apply(List.of(create(mine, "198.18.0.61"), create(theirs, "198.18.0.62")))));
        DdnsOptions owned = options().owner("agent-a").build();
        withUpdater(owned, dns -> join(dns.claim(mine)));
        nsupdate("update add " + theirs + " 300 TXT \"heritage=cutover,cutover/owner=agent-b\"\\nsend\\n");
        withUpdater(owned, dns -> join(dns.switchAddress(mine, ip("198.18.0.61"), ip("198.18.0.63"))));
        assertThat(dig(mine, "A")).containsExactly("198.18.0.63");
        assertThatThrownBy(() -> withUpdater(owned, dns -> join(dns.switchAddress(theirs, ip("198.18.0.62"), ip("198.18.0.64")))))
                .cause().isInstanceOfSatisfying(NotOwnerException.class,
                        e -> assertThat(e.held()).singleElement().asString().contains("owner=agent-b"));
        assertThat(dig(theirs, "A")).containsExactly("198.18.0.62");
        RecordState state = withUpdater(owned, dns -> join(dns.show(mine)));
        assertThat(state.owner()).singleElement().asString().contains("owner=agent-a");
        assertThat(state.rrsets()).contains("A 300 198.18.0.63");
    }

    @Test
    void aBatchTravelsInFewMessagesAndAConflictOnOneNameHoldsBackNoOther() {
        int count = 10;
        List<String> names = new ArrayList<>();
        List<RrsetChange> creations = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            names.add(fresh("each" + i));
            creations.add(create(names.get(i), "198.18.12." + (i + 1)));
        }
        withUpdater(options().build(), dns -> join(dns.apply(creations)));
        nsupdate("update delete " + names.get(3) + " A\\nupdate add " + names.get(3) + " 300 A 198.18.0.99\\nsend\\n");
        long before = serial();
        List<CompletableFuture<UpdateResult>> results = withUpdater(options().maxBatch(25).build(), dns -> {
            List<RrsetChange> switches = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                switches.add(RrsetChange.switchAddress(names.get(i), ip("198.18.12." + (i + 1)), ip("198.18.13." + (i + 1)),
                        Duration.ofSeconds(300)));
            }
            List<CompletableFuture<UpdateResult>> all = dns.applyEach(switches).stream()
                    .map(java.util.concurrent.CompletionStage::toCompletableFuture).toList();
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).exceptionally(e -> null).join();
            assertThat(dns.pending()).isEmpty();
            return all;
        });
        for (int i = 0; i < count; i++) {
            if (i == 3) {
                assertThat(results.get(i)).isCompletedExceptionally();
                assertThatThrownBy(results.get(i)::join).cause().isInstanceOf(ConflictException.class);
                assertThat(dig(names.get(i), "A")).containsExactly("198.18.0.99");
            } else {
                assertThat(results.get(i).join().verifiedOn()).hasSize(1);
                assertThat(dig(names.get(i), "A")).containsExactly("198.18.13." + (i + 1));
            }
        }
        // one batch message that failed its prerequisites, then nine single updates
        assertThat(serial()).isEqualTo(before + count - 1);
    }

    @Test
    void theCutoverListenerLowersTheTtlSwitchesAtActivationAndRestoresAtCompletion() {
        String name = fresh("move");
        withUpdater(options().build(), dns -> join(dns.apply(List.of(create(name, "198.18.0.71")))));
        withUpdater(options().build(), dns -> {
            io.cutover.ddns.DnsCutoverListener listener = new io.cutover.ddns.DnsCutoverListener(dns, name,
                    ip("198.18.0.71"), ip("198.18.1.71"), Duration.ofSeconds(5));
            join(listener.onEvent(io.cutover.api.CutoverEvent.now("m1", io.cutover.api.CutoverStage.PLANNED)));
            assertThat(digTtl(name, "A")).isEqualTo(5);
            assertThat(dig(name, "A")).containsExactly("198.18.0.71");
            assertThat(listener.lowering().oldTtl()).isEqualTo(Duration.ofSeconds(300));
            join(listener.onEvent(io.cutover.api.CutoverEvent.now("m1", io.cutover.api.CutoverStage.SWITCHOVER)));
            assertThat(dig(name, "A")).containsExactly("198.18.0.71");
            join(listener.onEvent(io.cutover.api.CutoverEvent.now("m1", io.cutover.api.CutoverStage.ACTIVATED)));
            assertThat(dig(name, "A")).containsExactly("198.18.1.71");
            assertThat(digTtl(name, "A")).isEqualTo(5);
            join(listener.onEvent(io.cutover.api.CutoverEvent.now("m1", io.cutover.api.CutoverStage.COMPLETED)));
            return null;
        });
        assertThat(digTtl(name, "A")).isEqualTo(300);
        assertThat(dig(name, "A")).containsExactly("198.18.1.71");
    }

    @Test
    void movesThePtrRecordInTheReverseZoneOnlyIfItPointsToTheName() {
        String name = fresh("ptr");
        RrsetChange ptr = new RrsetChange("91.0.18.198.in-addr.arpa.", "PTR", Duration.ofSeconds(300), List.of(), List.of(name));
        withUpdater(options().build(), dns -> join(dns.apply(List.of(ptr))));
        List<UpdateResult> moved = withUpdater(options().build(),
                dns -> join(dns.switchPtr(name, ip("198.18.0.91"), ip("198.18.0.92"), Duration.ofSeconds(300))));
        assertThat(moved).singleElement().satisfies(r -> assertThat(r.zone()).isEqualTo(Topology.REVERSE_ZONE));
        assertThat(dig("91.0.18.198.in-addr.arpa.", "PTR")).isEmpty();
        assertThat(dig("92.0.18.198.in-addr.arpa.", "PTR")).containsExactly(name);
        // a PTR that points elsewhere is left alone
        assertThatThrownBy(() -> withUpdater(options().build(),
                dns -> join(dns.switchPtr("someone-else." + Topology.ZONE, ip("198.18.0.92"), ip("198.18.0.93"),
                        Duration.ofSeconds(300))))).cause().isInstanceOf(ConflictException.class);
        assertThat(dig("92.0.18.198.in-addr.arpa.", "PTR")).containsExactly(name);
    }
}
