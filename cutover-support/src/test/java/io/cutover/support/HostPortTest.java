package io.cutover.support;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HostPortTest {

    @Test
    void readsHostsAndBracketedIpv6() {
        assertThat(HostPort.parse("--listen", "127.0.0.1:6653")).isEqualTo(new HostPort("127.0.0.1", 6653));
        assertThat(HostPort.parse("--listen", "[::1]:0")).isEqualTo(new HostPort("::1", 0));
        assertThat(HostPort.parseRemote("--to", "198.19.0.2:7070").socketAddress().getPort()).isEqualTo(7070);
    }

    @Test
    void aPlaceToConnectToNeedsARealPort() {
        assertThatThrownBy(() -> HostPort.parseRemote("--to", "198.19.0.2:0"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("--to: port out of range");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "host", ":80", "host:", "host:http", "host:65536", "host:-1"})
    void refusesAnythingElseNamingTheOption(String value) {
        assertThatThrownBy(() -> HostPort.parse("--listen", value))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("--listen");
    }
}
