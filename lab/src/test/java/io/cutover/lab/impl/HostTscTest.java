package io.cutover.lab.impl;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HostTscTest {

    @Test
    void readsTheFirstCpusClockInKilohertz() {
        String cpuinfo = "processor\t: 0\nmodel name\t: Some CPU\ncpu MHz\t\t: 2096.0374\n\nprocessor\t: 1\n"
                + "cpu MHz\t\t: 1800.000\n";

        assertThat(HostTsc.parse(cpuinfo)).hasValue(2_096_037);
    }

    @Test
    void noClockNoValue() {
        assertThat(HostTsc.parse("processor\t: 0\nfeatures\t: fp asimd\n")).isEmpty();
    }
}
