package io.cutover.ddns.impl;

import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DnsTransportTest {
    private static byte[] query(int id) {
        try {
            Message m = Message.newQuery(Record.newRecord(Name.fromString("vm1.vms.cutover.test."), Type.A, DClass.IN));
            m.getHeader().setID(id);
            return m.toWire();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] answer(Message request, boolean truncated) {
        Message response = new Message(request.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        if (truncated) {
            response.getHeader().setFlag(Flags.TC);
        }
        response.addRecord(request.getQuestion(), org.xbill.DNS.Section.QUESTION);
        return response.toWire();
    }

    @Test
    void aTruncatedUdpAnswerIsRetriedOverTcp() throws Exception {
        try (FakeDnsServer server = new FakeDnsServer((request, overTcp) -> answer(request, !overTcp));
             DnsTransport transport = DnsTransport.open()) {
            DnsTransport.Response response = transport.exchange(server.address(), DnsTransportTest::query,
                    Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
            assertThat(response.overTcp()).isTrue();
            assertThat(response.message().getHeader().getFlag(Flags.TC)).isFalse();
            assertThat(server.udpRequests).hasValue(1);
            assertThat(server.tcpRequests).hasValue(1);
        }
    }

    @Test
    void garbageAndAnswersWithTheWrongIdAreDroppedAndTheRealAnswerStillArrives() throws Exception {
        try (FakeDnsServer server = new FakeDnsServer((request, overTcp) -> {
            return answer(request, false);
        }); DnsTransport transport = DnsTransport.open()) {
            // a server that answers 3 garbage datagrams first
            try (FakeDnsServer noisy = new FakeDnsServer((request, overTcp) -> new byte[] {1, 2, 3})) {
                assertThatThrownBy(() -> transport.exchange(noisy.address(), DnsTransportTest::query,
                        Duration.ofMillis(200)).get(5, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class).cause().isInstanceOf(TimeoutException.class);
            }
            for (int i = 0; i < 50; i++) {
                assertThat(transport.exchange(server.address(), DnsTransportTest::query, Duration.ofSeconds(5))
                        .get(10, TimeUnit.SECONDS).overTcp()).isFalse();
            }
        }
    }

    @Test
    void aSilentServerTimesOut() throws Exception {
        try (FakeDnsServer server = new FakeDnsServer((request, overTcp) -> null);
             DnsTransport transport = DnsTransport.open()) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> transport.exchange(server.address(), DnsTransportTest::query, Duration.ofMillis(150))
                    .get(10, TimeUnit.SECONDS)).cause().isInstanceOf(TimeoutException.class)
                    .hasMessageContaining("no answer");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(140));
        }
    }

    @Test
    void aShortTimeoutAfterALongOneStillFiresOnTimeAndALateAnswerStillCounts() throws Exception {
        java.util.concurrent.atomic.AtomicInteger seen = new java.util.concurrent.atomic.AtomicInteger();
        try (FakeDnsServer server = new FakeDnsServer((request, overTcp) -> seen.incrementAndGet() == 3
                ? answer(request, false) : null);
             DnsTransport transport = DnsTransport.open()) {
            var slow = transport.exchange(server.address(), DnsTransportTest::query, Duration.ofSeconds(5));
            long start = System.nanoTime();
            assertThatThrownBy(() -> transport.exchange(server.address(), DnsTransportTest::query, Duration.ofMillis(100))
                    .get(2, TimeUnit.SECONDS)).cause().isInstanceOf(TimeoutException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(90), Duration.ofSeconds(2));
            assertThat(slow).isNotDone();
            assertThat(transport.exchange(server.address(), DnsTransportTest::query, Duration.ofMillis(100))
                    .get(2, TimeUnit.SECONDS).overTcp()).isFalse();
            assertThatThrownBy(() -> slow.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(TimeoutException.class)
                    .hasMessageContaining("within 5000 ms");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(4900));
        }
    }

    @Test
    void aThousandQueriesInFlightAreAllAnswered() throws Exception {
        try (FakeDnsServer server = new FakeDnsServer((request, overTcp) -> answer(request, false));
             DnsTransport transport = DnsTransport.open()) {
            var answers = new java.util.ArrayList<java.util.concurrent.CompletableFuture<DnsTransport.Response>>();
            for (int i = 0; i < 1000; i++) {
                answers.add(transport.exchange(server.address(), DnsTransportTest::query, Duration.ofSeconds(5)));
            }
            for (var answer : answers) {
                assertThat(answer.get(10, TimeUnit.SECONDS).overTcp()).isFalse();
            }
        }
    }
}
