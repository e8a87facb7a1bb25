package io.cutover.support.fuzz;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FuzzerTest {
    private static final List<byte[]> SEEDS = List.of(new byte[]{0, 4, 'a', 'b', 'c', 'd'}, new byte[]{0, 0});

    /** A length-prefixed string, as a careful parser reads it. */
    private static String careful(byte[] in) {
        if (in.length < 2) {
            throw new IllegalArgumentException("truncated length");
        }
        int length = (in[0] & 0xff) << 8 | in[1] & 0xff;
        if (in.length - 2 != length) {
            throw new IllegalArgumentException("length " + length + " for " + (in.length - 2) + " bytes");
        }
        return new String(in, 2, length);
    }

    @Test
    void aCarefulParserPassesAndSomeMutationsStillParse() {
        Fuzzer.Result result = Fuzzer.of("careful").seeds(SEEDS).refusesWith(IllegalArgumentException.class).inputs(2_000)
                .run(FuzzerTest::careful);
        assertThat(result.accepted()).as("mutations that keep the length right still parse").isPositive();
        assertThat(result.refused()).isPositive();
    }

    @Test
    void anUntypedExceptionFailsNamingTheSeedAndTheInput() {
        assertThatThrownBy(() -> Fuzzer.of("trusting").seeds(SEEDS).refusesWith(IllegalArgumentException.class)
                .inputs(2_000).run(in -> new String(in, 2, (in[0] & 0xff) << 8 | in[1] & 0xff)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("trusting: input").hasMessageContaining("-Dfuzz.seed=")
                .hasMessageContaining("threw java.lang.");
    }

    @Test
    void anInputThatNeverEndsFailsAfterTheTimeout() {
        assertThatThrownBy(() -> Fuzzer.of("looping").seeds(SEEDS).inputs(2_000).run(in -> {
            if (in.length > 6) {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.onSpinWait();
                }
            }
        })).isInstanceOf(AssertionError.class).hasMessageContaining("still running after");
    }

    @Test
    void allocatingWhatALengthFieldSaysFails() {
        assertThatThrownBy(() -> Fuzzer.of("allocating").seeds(SEEDS).refusesWith(IllegalArgumentException.class)
                .inputs(2_000).run(in -> {
                    if (in.length >= 4) {
                        byte[] buffer = new byte[(in[2] & 0xff) << 16 | (in[3] & 0xff) << 8];
                        Arrays.fill(buffer, (byte) 1);
                    }
                })).isInstanceOf(AssertionError.class).hasMessageContaining("allocated");
    }

    @Test
    void theSameSeedGivesTheSameInputs() {
        Mutator a = new Mutator(new SplittableRandom(7));
        Mutator b = new Mutator(new SplittableRandom(7));
        for (int i = 0; i < 100; i++) {
            assertThat(a.mutate(SEEDS.get(0), SEEDS)).isEqualTo(b.mutate(SEEDS.get(0), SEEDS));
        }
    }
}
