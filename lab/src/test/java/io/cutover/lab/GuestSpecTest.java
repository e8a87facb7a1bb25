package io.cutover.lab;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GuestSpecTest {

    @Test
    void defaultsAreDocumentedAndTheMacFollowsTheAddress() {
        GuestSpec spec = GuestSpec.builder("vm1", "198.18.0.100/24").build();

        assertThat(spec.mac()).isEqualTo(Topology.VM_MAC);
        assertThat(spec.memoryMiB()).isEqualTo(GuestSpec.DEFAULT_MEMORY_MIB);
        assertThat(spec.machine()).isEqualTo(GuestSpec.Machine.MICROVM);
        assertThat(spec.tap()).isEqualTo("tap-vm1");
        assertThat(spec.ipv4Address()).isEqualTo("198.18.0.100");
        assertThat(spec.incoming()).isFalse();
        assertThat(spec.gateway()).isEmpty();
        assertThat(spec.bridge()).isEmpty();
        assertThat(spec.dirty()).isEmpty();
        assertThat(spec.bootTimeout()).isEqualTo(GuestSpec.DEFAULT_BOOT_TIMEOUT);
    }

    @Test
    void aDestinationIsTheSameGuestWaitingForItsMigration() {
        GuestSpec source = GuestSpec.builder("vm1", "198.19.4.7/24").gateway("198.19.4.1").mac("02:AA:00:00:00:01")
                .memoryMiB(256).udpEcho(7).tcpEcho(7).tcpEcho(8).dirty(64, 10_000).machine(GuestSpec.Machine.PC)
                .qmpSocket(Path.of("/tmp/qmp.sock")).bridge("br0").build();

        GuestSpec destination = source.toBuilder().incoming(true).tap("tap-dst").build();

        assertThat(destination.incoming()).isTrue();
        assertThat(destination.tap()).isEqualTo("tap-dst");
        assertThat(destination).usingRecursiveComparison().ignoringFields("incoming", "tap").isEqualTo(source);
        assertThat(source.mac()).isEqualTo("02:aa:00:00:00:01");
        assertThat(source.tcpEchoPorts()).containsExactly(7, 8);
        assertThat(source.dirty()).contains(new GuestSpec.Dirty(64, 10_000));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.5/24", "198.20.0.1/24", "198.18.0.1", "198.18.0.1/8", "198.18.0.300/24",
            "198.18.0/24", "vm/24"})
    void anAddressOutsideTheLabRangeIsRefused(String address) {
        assertThatThrownBy(() -> GuestSpec.builder("vm1", address)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("198.18.0.0/15");
    }

    @Test
    void eachBadValueIsNamed() {
        GuestSpec.Builder builder = GuestSpec.builder("vm1", "198.18.0.100/24");

        assertThatThrownBy(() -> GuestSpec.builder("VM 1", "198.18.0.100/24")).hasMessageContaining("guest name");
        assertThatThrownBy(() -> builder.gateway("192.168.0.1")).hasMessageContaining("gateway");
        assertThatThrownBy(() -> builder.mac("03:00:00:00:00:01")).hasMessageContaining("unicast");
        assertThatThrownBy(() -> builder.mac("02:00:00:00:01")).hasMessageContaining("MAC");
        assertThatThrownBy(() -> builder.memoryMiB(32)).hasMessageContaining("memory");
        assertThatThrownBy(() -> builder.udpEcho(0)).hasMessageContaining("UDP echo port");
        assertThatThrownBy(() -> builder.tap("a-much-too-long-tap")).hasMessageContaining("tap");
        assertThatThrownBy(() -> builder.qmpSocket(Path.of("/tmp/a,b"))).hasMessageContaining("comma");
        assertThatThrownBy(() -> builder.dirty(0, 1)).hasMessageContaining("dirty");
        assertThatThrownBy(() -> builder.memoryMiB(128).dirty(120, 0).build()).hasMessageContaining("does not fit");
    }
}
