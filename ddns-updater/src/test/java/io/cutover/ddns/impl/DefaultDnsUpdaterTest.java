package io.cutover.ddns.impl;

import io.cutover.ddns.ConflictException;
import io.cutover.ddns.DdnsOptions;
import io.cutover.ddns.DnsTimeoutException;
import io.cutover.ddns.DnsUpdater;
import io.cutover.ddns.RrsetChange;
import io.cutover.ddns.TsigAlgorithm;
import io.cutover.ddns.TsigKey;
import io.cutover.ddns.TsigRejectedException;
import io.cutover.ddns.UpdateRefusedException;
import io.cutover.ddns.UpdateResult;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TSIGRecord;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The updater's decisions (error mapping, retries, the journal) against a scripted server on loopback. */
class DefaultDnsUpdaterTest {
    private static final TsigKey KEY = new TsigKey("k", TsigAlgorithm.HMAC_SHA256, new byte[32]);
    private static final TSIG SIGNER = UpdateMessages.signer(KEY);
    private static final RrsetChange CHANGE = new RrsetChange("vm1.z.test.", "A", Duration.ofSeconds(60),
            List.of("198.18.0.1"), List.of("198.18.0.2"));

    @TempDir
    Path journal;

    /** An answer to {@code request} with {@code rcode}, signed when {@code sign}; A queries get {@code address}. */
    private static byte[] answer(Message request, int rcode, boolean sign, int tsigError) {
        Message response = new Message(request.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setOpcode(request.getHeader().getOpcode());
        response.getHeader().setRcode(rcode);
        response.addRecord(request.getQuestion(), Section.QUESTION);
        if (request.getHeader().getOpcode() == Opcode.QUERY && request.getQuestion().getType() == org.xbill.DNS.Type.A) {
            try {
                response.addRecord(new ARecord(request.getQuestion().getName(), DClass.IN, 60,
                        InetAddress.getByName("198.18.0.9")), Section.ANSWER);
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
        if (request.getHeader().getOpcode() == Opcode.QUERY && request.getQuestion().getType() == org.xbill.DNS.Type.SOA) {
            try {
                Name zone = request.getQuestion().getName();
                response.addRecord(new org.xbill.DNS.SOARecord(zone, DClass.IN, 60, Name.fromString("ns1.z.test."),
                        Name.fromString("h.z.test."), 7, 3600, 600, 86400, 60), Section.ANSWER);
            } catch (org.xbill.DNS.TextParseException e) {
                throw new IllegalStateException(e);
            }
        }
        if (request.getTSIG() != null && (sign || tsigError != Rcode.NOERROR)) {
            if (tsigError != Rcode.NOERROR) {
                TSIGRecord q = request.getTSIG();
                response.addRecord(new TSIGRecord(q.getName(), DClass.ANY, 0, q.getAlgorithm(), Instant.now(),
                        Duration.ofSeconds(300), new byte[0], request.getHeader().getID(), tsigError, null), Section.ADDITIONAL);
            } else {
                SIGNER.apply(response, request.getTSIG());
            }
        }
        return response.toWire();
    }

    private DnsUpdater open(FakeDnsServer server, int attempts) {
        return open(server, attempts, new SimpleMeterRegistry());
    }

    private DnsUpdater open(FakeDnsServer server, int attempts, MeterRegistry meters) {
        return DnsUpdater.open(DdnsOptions.builder(server.address(), KEY).zone("z.test.").verify(false)
                .journalDir(journal).timeout(Duration.ofMillis(100)).maxAttempts(attempts)
                .backoff(Duration.ofMillis(10), Duration.ofMillis(40)).build(), meters);
    }

    /** Applies {@link #CHANGE} once against a server answering UPDATEs with {@code rcode} (and TSIG error). */
    private void applyOnce(MeterRegistry meters, int rcode, int tsigError) throws Exception {
        try (FakeDnsServer server = new FakeDnsServer((request, tcp) -> answer(request,
                request.getHeader().getOpcode() == Opcode.UPDATE ? rcode : Rcode.NOERROR, tsigError == Rcode.NOERROR,
                request.getHeader().getOpcode() == Opcode.UPDATE ? tsigError : Rcode.NOERROR));
             DnsUpdater dns = open(server, 2, meters)) {
            try {
                dns.apply(List.of(CHANGE)).toCompletableFuture().join();
            } catch (CompletionException expected) {
                // the outcome is what the meters say
            }
        }
    }

    private static double updates(MeterRegistry meters, String outcome, String rcode) {
        return meters.get("cutover.dns.updates").tag("outcome", outcome).tag("rcode", rcode).counter().count();
    }

    @Test
    void eachUpdateIsMeteredByOutcomeAndRcodeWithItsLatency() throws Exception {
        MeterRegistry meters = new SimpleMeterRegistry();
        applyOnce(meters, Rcode.NOERROR, Rcode.NOERROR);
        assertThat(updates(meters, "applied", "NOERROR")).isEqualTo(1);
        applyOnce(meters, Rcode.REFUSED, Rcode.NOERROR);
        assertThat(updates(meters, "refused", "REFUSED")).isEqualTo(1);
        applyOnce(meters, Rcode.NOTAUTH, Rcode.BADKEY);
        assertThat(updates(meters, "refused", "BADKEY")).isEqualTo(1);
        applyOnce(meters, Rcode.NXRRSET, Rcode.NOERROR);
        assertThat(updates(meters, "prerequisite_failed", "NXRRSET")).isEqualTo(1);
        assertThat(updates(meters, "applied", "NOERROR")).as("nothing counted twice").isEqualTo(1);
        assertThat(updates(meters, "unanswered", "none")).isZero();
        Timer latency = meters.get("cutover.dns.update").timer();
        assertThat(latency.count()).isEqualTo(4);
        assertThat(latency.totalTime(TimeUnit.NANOSECONDS)).isPositive();
    }

    @Test
    void anUnansweredUpdateIsMeteredAndCountsAsPendingUntilAReplayDeliversIt() throws Exception {
        MeterRegistry meters = new SimpleMeterRegistry();
        AtomicInteger updates = new AtomicInteger();
        try (FakeDnsServer server = new FakeDnsServer((request, tcp) -> updates.incrementAndGet() <= 2 ? null
                : answer(request, Rcode.NOERROR, true, Rcode.NOERROR));
             DnsUpdater dns = open(server, 2, meters)) {
            assertThat(meters.get("cutover.dns.pending.updates").gauge().value()).isZero();
            assertThatThrownBy(() -> dns.apply(List.of(CHANGE)).toCompletableFuture().join())
                    .cause().isInstanceOf(DnsTimeoutException.class);
            assertThat(updates(meters, "unanswered", "none")).isEqualTo(1);
            assertThat(meters.get("cutover.dns.pending.updates").gauge().value()).isEqualTo(1);

            dns.replay().toCompletableFuture().join();
            assertThat(updates(meters, "applied", "NOERROR")).isEqualTo(1);
            assertThat(meters.get("cutover.dns.pending.updates").gauge().value()).isZero();
        }
    }

    private Throwable failureOf(BiFunction<Message, Boolean, byte[]> handler) throws Exception {
        try (FakeDnsServer server = new FakeDnsServer(handler); DnsUpdater dns = open(server, 3)) {
            try {
                dns.apply(List.of(CHANGE)).toCompletableFuture().join();
                throw new AssertionError("the update did not fail");
            } catch (CompletionException e) {
                return e.getCause();
            }
        }
    }

    @Test
    void refusedAndNotAuthBecomeTypedErrorsCarryingZoneNameAndRcode() throws Exception {
        Throwable refused = failureOf((request, tcp) -> answer(request, Rcode.REFUSED, false, Rcode.NOERROR));
        assertThat(refused).isInstanceOfSatisfying(UpdateRefusedException.class, e -> {
            assertThat(e.rcodeName()).isEqualTo("REFUSED");
            assertThat(e.zone()).isEqualTo("z.test.");
            assertThat(e.name()).isEqualTo("vm1.z.test.");
        });
        Throwable badKey = failureOf((request, tcp) -> answer(request, Rcode.NOTAUTH, false, Rcode.BADKEY));
        assertThat(badKey).isInstanceOfSatisfying(TsigRejectedException.class, e -> assertThat(e.rcodeName()).isEqualTo("BADKEY"));
        Throwable unsignedOk = failureOf((request, tcp) -> answer(request, Rcode.NOERROR, false, Rcode.NOERROR));
        assertThat(unsignedOk).isInstanceOf(TsigRejectedException.class).hasMessageContaining("not signed");
        try (DnsUpdater dns = DnsUpdater.open(DdnsOptions.builder(new java.net.InetSocketAddress("127.0.0.1", 9), KEY)
                .journalDir(journal).build())) {
            assertThat(dns.pending()).as("a final failure leaves nothing queued").isEmpty();
        }
    }

    @Test
    void aFailedPrerequisiteIsAConflictSayingWhatTheServerHolds() throws Exception {
        Throwable conflict = failureOf((request, tcp) -> answer(request,
                request.getHeader().getOpcode() == Opcode.UPDATE ? Rcode.NXRRSET : Rcode.NOERROR, true, Rcode.NOERROR));
        assertThat(conflict).isInstanceOfSatisfying(ConflictException.class, e -> {
            assertThat(e.rcodeName()).isEqualTo("NXRRSET");
            assertThat(e.held()).containsExactly("A 60 198.18.0.9");
        });
    }

    @Test
    void serverFailuresAndSilenceAreRetriedWithBackoff() throws Exception {
        AtomicInteger updates = new AtomicInteger();
        try (FakeDnsServer server = new FakeDnsServer((request, tcp) -> switch (updates.incrementAndGet()) {
            case 1 -> null;
            case 2 -> answer(request, Rcode.SERVFAIL, true, Rcode.NOERROR);
            default -> answer(request, Rcode.NOERROR, true, Rcode.NOERROR);
        }); DnsUpdater dns = open(server, 5)) {
            UpdateResult result = dns.apply(List.of(CHANGE)).toCompletableFuture().join();
            assertThat(result.alreadyApplied()).isFalse();
            assertThat(updates).hasValue(3);
            assertThat(dns.pending()).isEmpty();
        }
    }

    @Test
    void aSilentServerGivesATimeoutAndTheUpdateStaysQueued() throws Exception {
        try (FakeDnsServer server = new FakeDnsServer((request, tcp) -> null)) {
            try (DnsUpdater dns = open(server, 2)) {
                assertThatThrownBy(() -> dns.apply(List.of(CHANGE)).toCompletableFuture().join())
                        .cause().isInstanceOfSatisfying(DnsTimeoutException.class, e -> {
                            assertThat(e.rcode()).isEqualTo(-1);
                            assertThat(e.getMessage()).contains("2 attempts");
                        });
                assertThat(dns.pending()).hasSize(1);
            }
            try (DnsUpdater dns = open(server, 2)) {
                assertThat(dns.pending()).singleElement().satisfies(p -> assertThat(p.changes()).containsExactly(CHANGE));
            }
        }
    }

    @Test
    void dryRunShowsTheSignedMessageAndSendsNothing() throws Exception {
        try (FakeDnsServer server = new FakeDnsServer((request, tcp) -> null); DnsUpdater dns = open(server, 1)) {
            String text = dns.dryRun(List.of(CHANGE));
            assertThat(text).contains("UPDATE").contains("198.18.0.1").contains("198.18.0.2").contains("TSIG")
                    .contains("hmac-sha256");
            assertThat(server.udpRequests).hasValue(0);
            assertThat(dns.pending()).isEmpty();
        }
        assertThat(Name.fromString("z.test.")).isNotNull();
    }

    @Test
    void aServerThatNeverServesTheUpdateIsAVerificationTimeoutSayingWhatItServes() throws Exception {
        try (FakeDnsServer server = new FakeDnsServer((request, tcp) -> answer(request, Rcode.NOERROR, true, Rcode.NOERROR));
             DnsUpdater dns = DnsUpdater.open(DdnsOptions.builder(server.address(), KEY).zone("z.test.")
                     .verifyServers(List.of(server.address())).verifyTimeout(Duration.ofMillis(1000))
                     .verifyInterval(Duration.ofMillis(20)).journalDir(journal).timeout(Duration.ofMillis(200)).build())) {
            assertThatThrownBy(() -> dns.apply(List.of(CHANGE)).toCompletableFuture().join())
                    .cause().isInstanceOfSatisfying(io.cutover.ddns.VerificationTimeoutException.class, e -> {
                        assertThat(e.getMessage()).contains("serial 7").contains("A 60 198.18.0.9").contains("1000 ms");
                        assertThat(e.zone()).isEqualTo("z.test.");
                    });
            assertThat(dns.pending()).as("the server did answer the update").isEmpty();
            assertThat(server.udpRequests.get()).as("the update, then at least two rounds of checks").isGreaterThanOrEqualTo(5);
        }
    }
}
