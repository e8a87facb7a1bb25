package io.cutover.sdn;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DpidTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void readsTheFormsOpenVSwitchAndOperatorsWriteAndWritesSixteenHexDigits() {
        Dpid expected = Dpid.of(0x0000a2b3c4d5e6f7L);
        for (String form : List.of("0000a2b3c4d5e6f7", "0000A2B3C4D5E6F7", " 0000a2b3c4d5e6f7\n",
                "\"0000a2b3c4d5e6f7\"", "0xa2b3c4d5e6f7", "0X0000A2B3C4D5E6F7", "00:00:a2:b3:c4:d5:e6:f7")) {
            assertThat(Dpid.parse(form)).as(form).isEqualTo(expected);
        }
        assertThat(expected).hasToString("0000a2b3c4d5e6f7");
        assertThat(Dpid.parse("0x1")).hasToString("0000000000000001");
        assertThat(Dpid.parse("ffffffffffffffff").value()).isEqualTo(-1L);
        assertThat(Dpid.parse("ffffffffffffffff")).isGreaterThan(Dpid.of(1));
    }

    @Test
    void refusesBridgeNamesAndMalformedIdsWithAMessageThatSaysWhatIsExpected() {
        for (String bad : List.of("br-int", "", "0x", "0x10000000000000000", "a2b3c4d5e6f7", "0000a2b3c4d5e6f7a",
                "0000a2b3c4d5e6fg", "00:00:a2:b3:c4:d5:e6", "00-00-a2-b3-c4-d5-e6-f7")) {
            assertThatThrownBy(() -> Dpid.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is not a datapath id").hasMessageContaining("16 hex digits");
        }
        assertThatThrownBy(() -> Dpid.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void isAStringInJson() throws Exception {
        Endpoint vm = new Endpoint(5, "vm1", 1, "02:00:c6:12:00:64", List.of(), Dpid.parse("0xa1"), "vm1");
        String json = JSON.writeValueAsString(vm);
        assertThat(json).contains("\"switch\":\"00000000000000a1\"").doesNotContain("switchId");
        assertThat(JSON.readValue(json.replace("00000000000000a1", "0xA1"), Endpoint.class)).isEqualTo(vm);
        Link link = new Link(Dpid.of(1), "up", Dpid.of(2), "down");
        assertThat(JSON.readValue(JSON.writeValueAsString(link), Link.class)).isEqualTo(link);
    }
}
