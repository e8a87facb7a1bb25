package io.cutover.sdn;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NetworkTest {
    @Test
    void theLimitsAreTheCookiesNetworkFieldAndVxlansTwentyFourBits() {
        assertThat(new Network(1, 1, "a").id()).isEqualTo(1);
        assertThat(new Network(Cookie.MAX_NETWORK, Network.MAX_VNI, "b").vni()).isEqualTo(16_777_215);
    }

    @Test
    void anIdOutsideTheCookiesRangeIsRefusedNamingTheRange() {
        assertThatThrownBy(() -> new Network(0, 5, "a")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("network id 0 is outside 1..65535");
        assertThatThrownBy(() -> new Network(65_536, 5, "a")).hasMessage("network id 65536 is outside 1..65535");
    }

    @Test
    void aVniOutsideTwentyFourBitsOrZeroIsRefused() {
        assertThatThrownBy(() -> new Network(7, 0, "a")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("network 7: vni 0 is outside 1..16777215");
        assertThatThrownBy(() -> new Network(7, 1 << 24, "a")).hasMessage("network 7: vni 16777216 is outside 1..16777215");
        assertThatThrownBy(() -> new Network(7, -1, "a")).hasMessageContaining("vni -1");
    }

    @Test
    void aBlankOrMissingNameIsRefused() {
        assertThatThrownBy(() -> new Network(7, 70, " ")).hasMessage("network 7: name is missing");
        assertThatThrownBy(() -> new Network(7, 70, null)).hasMessage("network 7: name is missing");
    }

    @Test
    void itsJsonIsItsThreeFields() throws Exception {
        ObjectMapper json = new ObjectMapper();
        Network network = new Network(2, 5002, "tenant-b");
        assertThat(json.writeValueAsString(network)).isEqualTo("{\"id\":2,\"vni\":5002,\"name\":\"tenant-b\"}");
        assertThat(json.readValue("{\"id\":2,\"vni\":5002,\"name\":\"tenant-b\"}", Network.class)).isEqualTo(network);
    }
}
