package io.cutover.lab.impl;

import io.cutover.lab.GuestImageException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GuestImageInputsTest {
    private static final KernelPackage KERNEL = new KernelPackage("linux-image-6.1.0-57-cloud-amd64", "6.1.192-3");
    private static final GuestImageInputs INPUTS = new GuestImageInputs(KERNEL, GuestImageInputs.MODULES,
            "1:1.35.0-4", bytes("#!/bin/busybox sh\n"), bytes("int main(void) { return 0; }\n"));

    @Test
    void theSameInputsNameTheSameImage() {
        GuestImageInputs again = new GuestImageInputs(KERNEL, List.copyOf(GuestImageInputs.MODULES), "1:1.35.0-4",
                bytes("#!/bin/busybox sh\n"), bytes("int main(void) { return 0; }\n"));

        assertThat(again.id()).isEqualTo(INPUTS.id()).hasSize(16).matches("[0-9a-f]{16}");
    }

    @Test
    void anyInputThatChangesNamesAnotherImage() {
        List<GuestImageInputs> changed = List.of(
                new GuestImageInputs(new KernelPackage(KERNEL.name(), "6.1.193-1"), INPUTS.modules(),
                        INPUTS.busyboxVersion(), INPUTS.init(), INPUTS.echoSource()),
                new GuestImageInputs(KERNEL, INPUTS.modules().subList(0, 8), INPUTS.busyboxVersion(), INPUTS.init(),
                        INPUTS.echoSource()),
                new GuestImageInputs(KERNEL, INPUTS.modules(), "1:1.36.1-1", INPUTS.init(), INPUTS.echoSource()),
                new GuestImageInputs(KERNEL, INPUTS.modules(), INPUTS.busyboxVersion(), bytes("#!/bin/busybox sh\n\n"),
                        INPUTS.echoSource()),
                new GuestImageInputs(KERNEL, INPUTS.modules(), INPUTS.busyboxVersion(), INPUTS.init(),
                        bytes("int main(void) { return 1; }\n")));

        assertThat(changed).extracting(GuestImageInputs::id).doesNotContain(INPUTS.id()).doesNotHaveDuplicates();
    }

    @Test
    void theManifestSaysWhatTheImageIsMadeOf() {
        assertThat(INPUTS.manifest()).contains("kernel: linux-image-6.1.0-57-cloud-amd64 6.1.192-3\n",
                "modules: virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_mmio"
                        + " failover net_failover virtio_net\n",
                "busybox-static: 1:1.35.0-4\n", "init sha256: ", "echo.c sha256: ");
    }

    @Test
    void aMissingProgramIsNamedWithItsPackage() {
        assertThatThrownBy(() -> GuestImageBuilder.require("cutover-no-such-program", "cutover-no-such-package"))
                .isInstanceOf(GuestImageException.class)
                .hasMessageContaining("'cutover-no-such-program' not found")
                .hasMessageContaining("install the Debian package cutover-no-such-package");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
