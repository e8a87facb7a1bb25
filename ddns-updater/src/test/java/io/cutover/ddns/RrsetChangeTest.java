package io.cutover.ddns;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RrsetChangeTest {
    @Test
    void normalisesNamesTypesAndRdata() throws Exception {
        RrsetChange change = new RrsetChange("vm1.vms.cutover.test", "aaaa", Duration.ofSeconds(60),
                List.of("2001:2:0:0::100"), List.of("2001:0002::0200", "2001:2::1"));
        assertThat(change.name()).isEqualTo("vm1.vms.cutover.test.");
        assertThat(change.type()).isEqualTo("AAAA");
        assertThat(change.expected()).containsExactly("2001:2:0:0:0:0:0:100");
        assertThat(change.desired()).containsExactly("2001:2:0:0:0:0:0:1", "2001:2:0:0:0:0:0:200");
        assertThat(RrsetChange.switchAddress("a.b.", InetAddress.getByName("198.18.0.1"), InetAddress.getByName("198.18.0.2"),
                RrsetChange.KEEP_TTL).type()).isEqualTo("A");
    }

    @Test
    void badInputIsIllegalArgument() throws Exception {
        assertThatThrownBy(() -> new RrsetChange("a.b.", "A", Duration.ofSeconds(1), List.of("300.1.1.1"), List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("300.1.1.1");
        assertThatThrownBy(() -> new RrsetChange("a.b.", "NOPE", Duration.ofSeconds(1), List.of(), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RrsetChange("a..b.", "A", Duration.ofSeconds(1), List.of(), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RrsetChange("a.b.", "A", Duration.ofSeconds(-5), List.of(), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RrsetChange.switchAddress("a.b.", InetAddress.getByName("198.18.0.1"),
                InetAddress.getByName("2001:2::1"), RrsetChange.KEEP_TTL)).isInstanceOf(IllegalArgumentException.class);
    }
}
