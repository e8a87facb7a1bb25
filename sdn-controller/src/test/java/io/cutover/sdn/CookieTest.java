package io.cutover.sdn;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CookieTest {
    @Test
    void fieldsRoundTrip() {
        long cookie = Cookie.of(0xFFFF, 0xABCDEF, 0x1234);
        assertThat(Cookie.isOurs(cookie)).isTrue();
        assertThat(Cookie.network(cookie)).isEqualTo(0xFFFF);
        assertThat(Cookie.endpoint(cookie)).isEqualTo(0xABCDEF);
        assertThat(Cookie.generation(cookie)).isEqualTo(0x1234);
        assertThat(Cookie.format(Cookie.of(1, 5, 0))).isEqualTo("0xc700010000050000");
    }

    @Test
    void foreignCookiesAreNotOurs() {
        assertThat(Cookie.isOurs(0)).isFalse();
        assertThat(Cookie.isOurs(0x1234)).isFalse();
        assertThat(Cookie.isOurs(0xC600000000000000L)).isFalse();
    }

    @Test
    void outOfRangeFieldsAreRejected() {
        assertThatThrownBy(() -> Cookie.of(0x10000, 1, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("network");
        assertThatThrownBy(() -> Cookie.of(1, -1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Cookie.of(1, 1, 0x10000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Cookie.of(1, 1, Cookie.ANY_PLACE)).as("no move's generation")
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void flowsAwayFromTheEndpointsSwitchCarryNoMovesGeneration() {
        long elsewhere = Cookie.anyPlace(3, 42);
        assertThat(Cookie.network(elsewhere)).isEqualTo(3);
        assertThat(Cookie.endpoint(elsewhere)).isEqualTo(42);
        assertThat(Cookie.generation(elsewhere)).isEqualTo(Cookie.ANY_PLACE);
        for (int generation : new int[] {0, 1, Cookie.MAX_GENERATION}) {
            assertThat(elsewhere).isNotEqualTo(Cookie.of(3, 42, generation));
        }
    }
}
