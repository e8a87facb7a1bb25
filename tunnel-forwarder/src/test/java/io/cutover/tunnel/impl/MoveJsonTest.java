package io.cutover.tunnel.impl;

import io.cutover.tunnel.MoveSpec;
import io.cutover.tunnel.Role;
import io.cutover.tunnel.TunnelMode;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MoveJsonTest {
    private static final String MOVE = """
            {"id":"vm1-move","vni":100,"role":"source","vmMac":"02:00:C6:12:00:64","vmAddresses":["198.18.0.100","2001:2::100"],
             "peer":"198.19.0.2:4789","iface":"eth0","key":"AAAAAAAAAAAAAAAAAAAAAA==",
             "hold":{"packets":10,"bytes":5000},"drain":{"idle":"300ms","hardMax":"5m","dnsTtl":"30s"}}""";

    @Test
    void readsAndWritesAMove() throws Exception {
        MoveSpec spec = MoveJson.read(MoveJson.MAPPER.readTree(MOVE), "request");
        assertThat(spec.role()).isEqualTo(Role.SOURCE);
        assertThat(spec.mode()).isEqualTo(TunnelMode.L2);
        assertThat(spec.vmMac()).isEqualTo("02:00:c6:12:00:64");
        assertThat(spec.peer().getPort()).isEqualTo(4789);
        assertThat(spec.authenticated()).isTrue();
        assertThat(spec.drain().idle()).isEqualTo(Duration.ofMillis(300));
        assertThat(spec.drain().dnsTtl()).isEqualTo(Duration.ofSeconds(30));
        assertThat(spec.hold().packets()).isEqualTo(10);
        var json = MoveJson.write(spec);
        assertThat(json.toString()).doesNotContain("AAAAAAAA").contains("\"authenticated\":true");
    }

    @Test
    void reverseTunnellingRoundTripsAndIsCheckedOnRead() throws Exception {
        String l3 = "{\"id\":\"m\",\"vni\":7,\"role\":\"destination\",\"mode\":\"L3\",\"vmMac\":\"02:00:c6:12:00:64\","
                + "\"vmAddresses\":[\"198.18.1.100\"],\"peer\":\"198.19.0.1\",\"iface\":\"eth0\",\"reverse\":true,"
                + "\"insecurePlain\":true}";
        MoveSpec spec = MoveJson.read(MoveJson.MAPPER.readTree(l3), "request");
        assertThat(spec.reverse()).isTrue();
        assertThat(MoveJson.read(MoveJson.write(spec), "again").reverse()).isTrue();
        assertThat(spec.otherEnd(spec.peer(), "eth0").reverse()).isTrue();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MoveJson.read(MoveJson.MAPPER.readTree(
                l3.replace("\"reverse\":true", "\"reverse\":\"yes\"")), "request")).hasMessageContaining("reverse");
    }

    /** Found by {@code MoveBodiesFuzzTest}: this address held the request over 2 s, resolved as a host name. */
    @Test
    void anAddressThatIsNoLiteralIsRefusedWithoutAskingAResolver() {
        long start = System.nanoTime();
        for (String address : new String[]{"11557058045973178572", "1.2.3.999"}) {
            assertThatThrownBy(() -> MoveJson.read(MoveJson.MAPPER.readTree(MOVE.replace("198.18.0.100", address)), "request"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is no IP address");
            assertThatThrownBy(() -> MoveJson.address(address, "request: vmAddresses"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("request: vmAddresses");
        }
        assertThat(System.nanoTime() - start).isLessThan(Duration.ofMillis(500).toNanos());
    }

    @Test
    void namesTheFieldThatIsWrong() throws Exception {
        assertThatThrownBy(() -> MoveJson.read(MoveJson.MAPPER.readTree(MOVE.replace("\"vni\":100", "\"vni\":0")), "tunnel.yaml"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tunnel.yaml").hasMessageContaining("vni");
        assertThatThrownBy(() -> MoveJson.read(MoveJson.MAPPER.readTree(MOVE.replace("300ms", "soon")), "tunnel.yaml"))
                .hasMessageContaining("drain.idle");
        assertThatThrownBy(() -> MoveJson.read(MoveJson.MAPPER.readTree(MOVE.replace("198.19.0.2", "example.com")), "r"))
                .hasMessageContaining("peer");
        assertThatThrownBy(() -> MoveJson.read(MoveJson.MAPPER.readTree(MOVE.replace("\"role\":\"source\",", "")), "r"))
                .hasMessageContaining("missing 'role'");
        assertThatThrownBy(() -> MoveJson.read(MoveJson.MAPPER.readTree(MOVE.replace("source", "middle")), "r"))
                .hasMessageContaining("role");
    }

    @Test
    void readsADnsChangeAndNamesTheFieldThatIsWrong() throws Exception {
        var dns = MoveJson.dnsChange(MoveJson.MAPPER.readTree("""
                {"originalTtl": "300s", "loweredAt": "2026-12-04T10:00:00Z", "loweredTtl": "5s",
                 "switchedAt": "2026-12-04T10:01:00Z"}"""), "request: dns");
        assertThat(dns.expiry()).contains(java.time.Instant.parse("2026-12-04T10:05:00Z"));
        assertThat(MoveJson.dnsChange(MoveJson.write(dns), "again")).isEqualTo(dns);
        assertThatThrownBy(() -> MoveJson.dnsChange(MoveJson.MAPPER.readTree("{\"loweredTtl\": \"soon\", "
                + "\"switchedAt\": \"2026-12-04T10:01:00Z\"}"), "request: dns")).hasMessageContaining("request: dns.loweredTtl");
        assertThatThrownBy(() -> MoveJson.dnsChange(MoveJson.MAPPER.readTree("{\"loweredTtl\": \"5s\", "
                + "\"switchedAt\": \"yesterday\"}"), "request: dns")).hasMessageContaining("request: dns.switchedAt");
        assertThatThrownBy(() -> MoveJson.dnsChange(MoveJson.MAPPER.readTree("{\"loweredTtl\": \"5s\"}"),
                "request: dns")).hasMessageContaining("request: dns: loweredTtl and switchedAt go together");
        assertThatThrownBy(() -> MoveJson.dnsChange(MoveJson.MAPPER.readTree("{\"ttl\": \"5s\"}"), "request: dns"))
                .hasMessageContaining("request: dns.ttl: unknown");
        assertThatThrownBy(() -> MoveJson.dnsChange(MoveJson.MAPPER.readTree("[]"), "request: dns"))
                .hasMessageContaining("must be an object");
    }

    @Test
    void durations() {
        assertThat(MoveJson.duration("5s", null, "x")).isEqualTo(Duration.ofSeconds(5));
        assertThat(MoveJson.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(MoveJson.format(Duration.ofSeconds(5))).isEqualTo("5s");
    }
}
