package io.cutover.tunnel.impl;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Wrapping32Test {

    @Test
    void countsFromTheFirstReadingOnAndThroughAWrap() {
        Wrapping32 drops = new Wrapping32();
        assertThat(drops.advance(0xFFFF_FFF0L)).isEqualTo(0xFFFF_FFF0L);
        assertThat(drops.advance(0xFFFF_FFFFL)).isEqualTo(0xFFFF_FFFFL);
        assertThat(drops.advance(0x10L)).as("wrapped: 0x11 more").isEqualTo(0x1_0000_0010L);
        assertThat(drops.advance(0x10L)).as("no change").isEqualTo(0x1_0000_0010L);
    }

    @Test
    void refusesAReadingThatIsNot32Bits() {
        assertThatThrownBy(() -> new Wrapping32().advance(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Wrapping32().advance(1L << 32)).isInstanceOf(IllegalArgumentException.class);
    }
}
