package io.cutover.sdn;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/** {@link SdnController#putEndpoints} on a real controller with no switch connected. */
class PutEndpointsTest {
    private static final Dpid A = Dpid.of(0xa0);
    private static final Dpid B = Dpid.of(0xb0);
    SdnController sdn;

    @BeforeEach
    void start() {
        sdn = SdnController.start(ControllerOptions.builder().port(0).build());
    }

    @AfterEach
    void stop() {
        sdn.close();
    }

    @Test
    void addsThemAllAndReplacesOnesOfTheSameName() {
        sdn.putEndpoint(endpoint(1, "vm1", "02:00:00:00:00:01", A)).toCompletableFuture().join();
        sdn.putEndpoints(List.of(endpoint(1, "vm1", "02:00:00:00:00:01", B),
                endpoint(2, "vm2", "02:00:00:00:00:02", A))).toCompletableFuture().join();
        assertThat(sdn.endpoints()).extracting(Endpoint::name, Endpoint::switchId)
                .containsExactlyInAnyOrder(tuple("vm1", B), tuple("vm2", A));
    }

    @Test
    void refusesThemAllWhenOneClashes() {
        sdn.putEndpoint(endpoint(1, "vm1", "02:00:00:00:00:01", A)).toCompletableFuture().join();
        assertThatThrownBy(() -> sdn.putEndpoints(List.of(endpoint(2, "vm2", "02:00:00:00:00:02", A),
                endpoint(3, "vm3", "02:00:00:00:00:01", A))).toCompletableFuture().join())
                .cause().isInstanceOf(IllegalArgumentException.class).hasMessage("endpoint vm3 has the MAC of vm1, on a switch joined to its own by links");
        assertThatThrownBy(() -> sdn.putEndpoints(List.of(endpoint(2, "vm2", "02:00:00:00:00:02", A),
                endpoint(2, "vm3", "02:00:00:00:00:03", A))).toCompletableFuture().join())
                .cause().hasMessage("endpoint vm3 has the id of vm2");
        assertThatThrownBy(() -> sdn.putEndpoints(List.of(endpoint(2, "vm2", "02:00:00:00:00:02", A),
                endpoint(3, "vm2", "02:00:00:00:00:03", A))).toCompletableFuture().join())
                .cause().hasMessage("endpoint vm2 is listed twice");
        assertThat(sdn.endpoints()).extracting(Endpoint::name).containsExactly("vm1");
    }

    @Test
    void aMacMayRepeatOnlyWhereNoLinksJoinTheSwitches() {
        Dpid c = Dpid.of(0xc0);
        sdn.setLinks(List.of(new Link(A, "to-c", c, "to-a"))).toCompletableFuture().join();
        sdn.putEndpoint(endpoint(1, "rtrA", "02:00:5e:00:01:01", A)).toCompletableFuture().join();

        sdn.putEndpoint(endpoint(2, "rtrB", "02:00:5e:00:01:01", B)).toCompletableFuture().join();
        assertThatThrownBy(() -> sdn.putEndpoint(endpoint(3, "rtrC", "02:00:5e:00:01:01", c))
                .toCompletableFuture().join())
                .cause().hasMessage("endpoint rtrC has the MAC of rtrA, on a switch joined to its own by links");
        assertThat(sdn.endpoints()).extracting(Endpoint::name).containsExactlyInAnyOrder("rtrA", "rtrB");
        assertThatThrownBy(() -> sdn.setLinks(List.of(new Link(A, "to-c", c, "to-a"), new Link(c, "to-b", B, "to-c")))
                .toCompletableFuture().join())
                .cause().hasMessageContainingAll("these links would join endpoints", "rtrA", "rtrB",
                        "which have one MAC, in one layer-2 segment");
    }

    @Test
    void aMoveIntoASegmentWhereItsMacIsTakenIsRefused() {
        sdn.putEndpoints(List.of(endpoint(1, "rtrA", "02:00:5e:00:01:01", A),
                endpoint(2, "rtrB", "02:00:5e:00:01:01", B))).toCompletableFuture().join();
        assertThatThrownBy(() -> sdn.prepare("rtrA", B, "rtrA").toCompletableFuture().join())
                .cause().hasMessage("endpoint rtrA has the MAC of rtrB, on a switch joined to its own by links");
    }

    private static Endpoint endpoint(int id, String name, String mac, Dpid dpid) {
        return new Endpoint(id, name, 1, mac, List.of(), dpid, name);
    }
}
