package io.cutover.lab.impl;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LabLayoutTest {

    @Test
    void namesNamespacesAndDirectoriesAfterTheLab() {
        LabLayout layout = new LabLayout("lab-1a2b3c");
        assertThat(layout.namespace("client")).isEqualTo("lab-1a2b3c-client");
        assertThat(layout.dir()).isEqualTo(LabLayout.LABS_ROOT.resolve("lab-1a2b3c"));
        assertThat(layout.ovsDir().startsWith(layout.dir())).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Lab", "1lab", "lab/../etc", "lab name", "a-name-that-is-far-too-long"})
    void rejectsNamesThatCouldEscapeOrClash(String name) {
        assertThatThrownBy(() -> new LabLayout(name))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad lab name");
    }
}
