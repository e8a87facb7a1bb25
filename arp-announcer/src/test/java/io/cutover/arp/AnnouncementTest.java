package io.cutover.arp;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AnnouncementTest {
    private static final MacAddress MAC = MacAddress.parse("02:00:c6:12:00:64");

    private static InetAddress ip(String text) throws Exception {
        return InetAddress.getByName(text);
    }

    @Test
    void eachFormCountsTheAddressesItCarries() throws Exception {
        Announcement a = Announcement.of(MAC, List.of(ip("198.18.0.100"), ip("198.18.0.101"), ip("2001:2::100"), ip("198.18.0.100")));
        assertThat(a.addresses()).hasSize(3);
        assertThat(a.frameCount()).isEqualTo(3);
        assertThat(a.withForms(EnumSet.allOf(AnnounceForm.class)).frameCount()).isEqualTo(2 + 2 + 1 + 1);
        assertThat(a.withForms(Set.of(AnnounceForm.RARP)).frameCount()).isEqualTo(1);
        assertThat(a.withVlan(10).vlan()).isEqualTo(10);
        assertThat(a.ipv4()).hasSize(2);
        assertThat(a.ipv6()).hasSize(1);
    }

    @Test
    void refusesWhatNoVmOwnsAndEmptyAnnouncements() throws Exception {
        for (String bad : new String[] {"224.0.0.1", "127.0.0.1", "0.0.0.0", "169.254.1.1", "255.255.255.255", "ff02::1", "::1", "::"}) {
            assertThatThrownBy(() -> Announcement.of(MAC, List.of(ip(bad)))).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot be a VM's address");
        }
        Announcement v6only = Announcement.of(MAC, List.of(ip("2001:2::100")));
        assertThatThrownBy(() -> v6only.withForms(Set.of(AnnounceForm.REQUEST)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nothing to announce");
        assertThatThrownBy(() -> v6only.withForms(Set.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> v6only.withVlan(4095)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("VLAN");
        assertThatThrownBy(() -> v6only.withVlan(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Announcement.of(MAC, List.of(), Set.of(AnnounceForm.RARP)).frameCount()).isEqualTo(1);
    }

    @Test
    void formsParse() {
        assertThat(AnnounceForm.parse("request")).containsExactly(AnnounceForm.REQUEST);
        assertThat(AnnounceForm.parse("rarp, NA")).containsExactlyInAnyOrder(AnnounceForm.RARP, AnnounceForm.NA);
        assertThat(AnnounceForm.parse("all")).hasSize(4);
        assertThatThrownBy(() -> AnnounceForm.parse("garp")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'garp'");
    }

    @Test
    void macAddressesParseAndRefuseNonUnicast() {
        assertThat(MacAddress.parse("02-00-C6-12-00-64")).isEqualTo(MAC);
        assertThat(MAC.toString()).isEqualTo("02:00:c6:12:00:64");
        for (String bad : new String[] {"", "02:00:c6:12:00", "02:00:c6:12:00:6", "02:00:c6:12:00:zz", "ff:ff:ff:ff:ff:ff",
                "01:00:5e:00:00:01", "00:00:00:00:00:00", "02:00:c6:12:00:64:00", "0200c6120064"}) {
            assertThatThrownBy(() -> MacAddress.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("MAC address");
        }
    }

    @Test
    void allowListRefusesTheWholeAnnouncement() throws Exception {
        AllowList allow = AllowList.of(List.of(ip("198.18.0.100")));
        Announcement a = Announcement.of(MAC, List.of(ip("198.18.0.100"), ip("198.18.0.1")));
        assertThatThrownBy(() -> allow.check(a)).isInstanceOf(AddressNotAllowedException.class)
                .hasMessageContaining("198.18.0.1").satisfies(e ->
                        assertThat(((AddressNotAllowedException) e).refused()).containsExactly(ip("198.18.0.1")));
        allow.check(Announcement.of(MAC, List.of(ip("198.18.0.100"))));
        assertThatThrownBy(() -> AllowList.of(List.of())).isInstanceOf(IllegalArgumentException.class);
        AllowList.none().check(Announcement.of(MAC, List.of(), Set.of(AnnounceForm.RARP)));
        assertThatThrownBy(() -> AllowList.none().check(Announcement.of(MAC, List.of(ip("198.18.0.100")))))
                .isInstanceOf(AddressNotAllowedException.class);
    }
}
