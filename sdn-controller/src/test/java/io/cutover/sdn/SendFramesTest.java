package io.cutover.sdn;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link SdnController#sendFrames}: who may be spoken for, checked before any switch is asked. */
class SendFramesTest {
    private static final Dpid A = Dpid.of(0xa0);
    private static final String VM_MAC = "02:00:c6:12:00:64";
    SdnController sdn;

    @BeforeEach
    void start() {
        sdn = SdnController.start(ControllerOptions.builder().port(0).build());
        sdn.putEndpoint(new Endpoint(1, "vm1", 1, VM_MAC, List.of(), A, "vm1")).toCompletableFuture().join();
    }

    @AfterEach
    void stop() {
        sdn.close();
    }

    /** A broadcast frame from {@code source}, {@code length} bytes. */
    private static byte[] frame(String source, int length) {
        byte[] frame = new byte[length];
        System.arraycopy(HexFormat.of().parseHex("ffffffffffff"), 0, frame, 0, 6);
        System.arraycopy(HexFormat.ofDelimiter(":").parseHex(source), 0, frame, 6, 6);
        return frame;
    }

    @Test
    void onlyFramesFromTheEndpointsOwnMacAreSentForIt() {
        assertThatThrownBy(() -> sdn.sendFrames("vm1", List.of(frame(VM_MAC, 60), frame("02:00:00:00:00:01", 60)))
                .toCompletableFuture().join())
                .cause().isInstanceOf(IllegalArgumentException.class)
                .hasMessage("frames[1]: its source MAC 02:00:00:00:00:01 is not endpoint vm1's " + VM_MAC);
    }

    @Test
    void noneTooManyOrMisshapenFramesAreRefused() {
        assertThatThrownBy(() -> sdn.sendFrames("vm1", List.of()).toCompletableFuture().join())
                .cause().hasMessage("frames: expected 1 to 64 frames, got 0");
        assertThatThrownBy(() -> sdn.sendFrames("vm1", java.util.Collections.nCopies(65, frame(VM_MAC, 60)))
                .toCompletableFuture().join()).cause().hasMessage("frames: expected 1 to 64 frames, got 65");
        assertThatThrownBy(() -> sdn.sendFrames("vm1", List.of(new byte[13])).toCompletableFuture().join())
                .cause().hasMessage("frames[0]: an Ethernet frame is 14 to 1522 bytes, this one 13");
        assertThatThrownBy(() -> sdn.sendFrames("vm1", List.of(frame(VM_MAC, 1523))).toCompletableFuture().join())
                .cause().hasMessage("frames[0]: an Ethernet frame is 14 to 1522 bytes, this one 1523");
    }

    @Test
    void anUnknownEndpointOrASwitchNotConnectedIsAnError() {
        assertThatThrownBy(() -> sdn.sendFrames("vm9", List.of(frame(VM_MAC, 60))).toCompletableFuture().join())
                .cause().isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> sdn.sendFrames("vm1", List.of(frame(VM_MAC, 60))).toCompletableFuture().join())
                .cause().isInstanceOf(SwitchUnavailableException.class);
    }
}
