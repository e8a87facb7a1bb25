package io.cutover.support;

import org.junit.jupiter.api.Test;

import java.net.Inet6Address;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IpLiteralTest {
    @Test
    void readsIpv4AndIpv6Literals() {
        assertThat(IpLiteral.parse("198.18.0.100").getHostAddress()).isEqualTo("198.18.0.100");
        assertThat(IpLiteral.parse(" 0.0.0.0 ").getHostAddress()).isEqualTo("0.0.0.0");
        assertThat(IpLiteral.parse("2001:db8::64")).isInstanceOf(Inet6Address.class);
        assertThat(IpLiteral.parse("::1").isLoopbackAddress()).isTrue();
    }

    /**
     * Found by the tunnel API's fuzz test: a move's address {@code 11557058045973178572} held the request for over 2 s
     * while {@code InetAddress.getByName} asked the resolver for it as a host name; so did {@code 1.2.3.999}.
     */
    @Test
    void refusesWhatGetByNameWouldResolveAsAName() {
        for (String text : new String[]{"11557058045973178572", "1.2.3.999", "1.2.3", "010.1.1.1", "localhost",
                "example.org", "", "1:2", "::zz", "1.2.3.4.5"}) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> IpLiteral.parse(text)).as(text).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is not an IP address");
            assertThat(System.nanoTime() - start).as(text + " is refused without asking a resolver").isLessThan(500_000_000L);
        }
        assertThatThrownBy(() -> IpLiteral.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
