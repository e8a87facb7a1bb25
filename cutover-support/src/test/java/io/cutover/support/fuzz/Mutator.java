package io.cutover.support.fuzz;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Makes fuzz inputs from one seeded random source: random bytes, and valid messages broken the ways a hostile or
 * broken peer breaks them (bits flipped, bytes and 16/32/64-bit fields set to edge values, cut short, extended,
 * slices deleted, repeated or swapped in from another message). Fields near the start are hit more often: that is
 * where the headers and their length fields are. The same seed gives the same inputs.
 */
public final class Mutator implements Fuzzer.Mutations {
    /** How many header bytes get most of the field overwrites. */
    static final int HEADER_BYTES = 32;
    private static final long[] EDGES = {0, 1, 2, 7, 8, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000,
            0x7fff_ffffL, 0x8000_0000L, 0xffff_ffffL, Long.MAX_VALUE, Long.MIN_VALUE, -1, -2};
    private final SplittableRandom random;

    public Mutator(SplittableRandom random) {
        this.random = random;
    }

    /** Random bytes, mostly short (up to 64 bytes), sometimes up to {@code maxLength}. */
    public byte[] randomBytes(int maxLength) {
        int length = random.nextInt(4) == 0 ? random.nextInt(maxLength + 1) : random.nextInt(Math.min(64, maxLength) + 1);
        byte[] out = new byte[length];
        random.nextBytes(out);
        return out;
    }

    /** {@code valid} broken by one to four mutations; {@code others} are spliced in now and then. */
    @Override
    public byte[] mutate(byte[] valid, List<byte[]> others) {
        byte[] out = valid.clone();
        int rounds = 1 + random.nextInt(4);
        for (int i = 0; i < rounds; i++) {
            out = mutateOnce(out, others);
        }
        return out;
    }

    private byte[] mutateOnce(byte[] in, List<byte[]> others) {
        switch (random.nextInt(10)) {
            case 0 -> {
                return flipBits(in);
            }
            case 1 -> {
                return setByte(in);
            }
            case 2, 3 -> {
                return setField(in);
            }
            case 4 -> {
                return in.length == 0 ? in : Arrays.copyOf(in, random.nextInt(in.length));
            }
            case 5 -> {
                return extend(in);
            }
            case 6 -> {
                return deleteSlice(in);
            }
            case 7 -> {
                return repeat(in);
            }
            case 8 -> {
                return splice(in, others.get(random.nextInt(others.size())));
            }
            default -> {
                return setLength(in);
            }
        }
    }

    private byte[] flipBits(byte[] in) {
        if (in.length == 0) {
            return in;
        }
        int flips = 1 + random.nextInt(8);
        for (int i = 0; i < flips; i++) {
            int bit = random.nextInt(in.length * 8);
            in[bit / 8] ^= (byte) (1 << (bit % 8));
        }
        return in;
    }

    private byte[] setByte(byte[] in) {
        if (in.length > 0) {
            in[offset(in.length, 1)] = (byte) (random.nextBoolean() ? EDGES[random.nextInt(EDGES.length)] : random.nextInt());
        }
        return in;
    }

    /** An edge value, or the input's own length nudged, as a big-endian 16, 32 or 64-bit field. */
    private byte[] setField(byte[] in) {
        int width = 2 << random.nextInt(3);
        if (in.length < width) {
            return in;
        }
        long value = random.nextInt(3) == 0 ? in.length + random.nextInt(-8, 9) : EDGES[random.nextInt(EDGES.length)];
        writeBigEndian(in, offset(in.length, width), width, value);
        return in;
    }

    /** A 16 or 32-bit field in the header set to a length near the input's, its double or a byte off. */
    private byte[] setLength(byte[] in) {
        int width = random.nextBoolean() ? 2 : 4;
        if (in.length < width) {
            return in;
        }
        long value = switch (random.nextInt(4)) {
            case 0 -> in.length + 1;
            case 1 -> in.length - 1;
            case 2 -> in.length * 2L;
            default -> random.nextInt(0x10000);
        };
        writeBigEndian(in, random.nextInt(Math.min(in.length, HEADER_BYTES) - width + 1), width, value);
        return in;
    }

    private byte[] extend(byte[] in) {
        int more = random.nextInt(4) == 0 ? random.nextInt(4096) : 1 + random.nextInt(32);
        byte[] out = Arrays.copyOf(in, in.length + more);
        if (random.nextBoolean()) {
            byte[] tail = new byte[more];
            random.nextBytes(tail);
            System.arraycopy(tail, 0, out, in.length, more);
        }
        return out;
    }

    private byte[] deleteSlice(byte[] in) {
        if (in.length < 2) {
            return in;
        }
        int from = random.nextInt(in.length);
        int to = from + 1 + random.nextInt(in.length - from);
        byte[] out = new byte[in.length - (to - from)];
        System.arraycopy(in, 0, out, 0, from);
        System.arraycopy(in, to, out, from, in.length - to);
        return out;
    }

    /** The whole input twice or more, or one slice of it repeated in place. */
    private byte[] repeat(byte[] in) {
        if (in.length == 0 || in.length > 16_384) {
            return in;
        }
        if (random.nextBoolean()) {
            int times = 2 + random.nextInt(3);
            byte[] out = new byte[in.length * times];
            for (int i = 0; i < times; i++) {
                System.arraycopy(in, 0, out, i * in.length, in.length);
            }
            return out;
        }
        int from = random.nextInt(in.length);
        int length = 1 + random.nextInt(Math.min(64, in.length - from));
        byte[] out = new byte[in.length + length];
        System.arraycopy(in, 0, out, 0, from + length);
        System.arraycopy(in, from, out, from + length, in.length - from);
        return out;
    }

    /** A prefix of this input followed by a suffix of another. */
    private byte[] splice(byte[] in, byte[] other) {
        int head = in.length == 0 ? 0 : random.nextInt(in.length + 1);
        int tailFrom = other.length == 0 ? 0 : random.nextInt(other.length + 1);
        byte[] out = Arrays.copyOf(in, head + other.length - tailFrom);
        System.arraycopy(other, tailFrom, out, head, other.length - tailFrom);
        return out;
    }

    /** Mostly in the header, sometimes anywhere. */
    private int offset(int length, int width) {
        int span = random.nextInt(3) == 0 ? length : Math.min(length, HEADER_BYTES);
        return random.nextInt(Math.max(1, span - width + 1));
    }

    private static void writeBigEndian(byte[] out, int at, int width, long value) {
        for (int i = width - 1; i >= 0; i--) {
            out[at + i] = (byte) value;
            value >>>= 8;
        }
    }
}
