package io.cutover.migration.guest;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class GuestSpecTest {

    @Test
    void parsesTheCommandLineFormAndReadsItsOwnDescriptorBack() {
        GuestSpec s = GuestSpec.parse("synthetic:size=1g,workload=hotset,hot=5%,rate=50000");
        assertThat(s.sizeBytes()).isEqualTo(1L << 30);
        assertThat(s.pageSize()).isEqualTo(4096);
        assertThat(s.workload()).isEqualTo(Workload.HOTSET);
        assertThat(s.hotPages()).isEqualTo(Math.round(0.05 * (1L << 30)) / 4096);
        assertThat(s.rate()).isEqualTo(50_000);
        assertThat(GuestSpec.parse(s.toString())).isEqualTo(s);

        GuestSpec d = GuestSpec.parse("synthetic:size=64m,workload=diabolical");
        assertThat(d.regionPages()).as("the 256 MiB region is capped at the memory").isEqualTo((64L << 20) / 4096);
        assertThat(d.rate()).isEqualTo(GuestSpec.DEFAULT_DIABOLICAL_RATE);
        assertThat(GuestSpec.parse("synthetic:").sizeBytes()).isEqualTo(64L << 20);
    }

    @Test
    void rejectsBadDescriptorsNamingTheKey() {
        assertThatIllegalArgumentException().isThrownBy(() -> GuestSpec.parse("qemu:foo")).withMessageContaining("synthetic:");
        assertThatIllegalArgumentException().isThrownBy(() -> GuestSpec.parse("synthetic:size=lots"))
                .withMessageContaining("size");
        assertThatIllegalArgumentException().isThrownBy(() -> GuestSpec.parse("synthetic:workload=sometimes"))
                .withMessageContaining("workload must be");
        assertThatIllegalArgumentException().isThrownBy(() -> GuestSpec.parse("synthetic:colour=blue"))
                .withMessageContaining("unknown key 'colour'");
        assertThatIllegalArgumentException().isThrownBy(() -> GuestSpec.parse("synthetic:page=3000"))
                .withMessageContaining("power of two");
        assertThatIllegalArgumentException().isThrownBy(() -> GuestSpec.parse("synthetic:fill=150%"))
                .withMessageContaining("fill");
        assertThatIllegalArgumentException().isThrownBy(() -> GuestSpec.parse("synthetic:size=1m,hot=2m"))
                .withMessageContaining("hot set");
        assertThatIllegalArgumentException().isThrownBy(() -> GuestSpec.parse("synthetic:size"))
                .withMessageContaining("key=value");
    }

    @Test
    void aGuestLogsItsWritesPausesForGoodAndThrottles() throws Exception {
        try (SyntheticGuest g = SyntheticGuest.create(GuestSpec.parse("synthetic:size=4m,workload=uniform,rate=100000"))) {
            assertThat(g.isRunning()).as("a new guest is paused").isFalse();
            g.resume();
            Thread.sleep(50);
            g.pause();
            long[] bitmap = new long[(int) ((g.pageCount() + 63) / 64)];
            g.collectDirty(bitmap);
            long dirty = java.util.Arrays.stream(bitmap).map(Long::bitCount).sum();
            assertThat(dirty).isPositive();
            long writes = g.writes();
            Thread.sleep(50);
            assertThat(g.writes()).as("no write while paused").isEqualTo(writes);
            long[] again = new long[bitmap.length];
            g.collectDirty(again);
            assertThat(again).as("collecting clears the log").containsOnly(0L);
            assertThatIllegalArgumentException().isThrownBy(() -> g.throttle(100));
            g.throttle(99);
            assertThat(g.throttlePercent()).isEqualTo(99);
            byte[] state = g.saveState();
            try (SyntheticGuest other = SyntheticGuest.reserve(g.spec())) {
                other.loadState(state);
                assertThat(other.writes()).isEqualTo(writes);
                assertThatIllegalArgumentException().isThrownBy(() -> other.loadState(new byte[3]));
            }
        }
    }
}
