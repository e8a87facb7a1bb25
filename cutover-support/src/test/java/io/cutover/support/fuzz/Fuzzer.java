package io.cutover.support.fuzz;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Runs one parser over random and mutated inputs and fails on the first input that makes it misbehave: an
 * exception other than the parser's typed ones (a {@code NullPointerException}, an {@code IndexOutOfBounds}, an
 * {@code OutOfMemoryError}), an input that takes longer than {@value #DEFAULT_INPUT_TIMEOUT_MILLIS} ms (a loop), or
 * one that allocates more than a fixed budget plus a little per input byte (a length field believed before it
 * was checked). The failure names the parser, the seed that replays the run, the input's number and its bytes.
 *
 * <p>{@code -Dfuzz.iterations=N} sets the inputs per parser (default {@value #DEFAULT_ITERATIONS}, the bounded run
 * of the normal suite); {@code -Dfuzz.seed=S} replays a run. A quarter of the inputs are random bytes, the rest
 * mutations of the valid seeds (see {@link Mutator}).
 */
public final class Fuzzer {
    /** Inputs per parser in the normal suite. */
    public static final int DEFAULT_ITERATIONS = 10_000;
    /** Longest one input may take. */
    public static final long DEFAULT_INPUT_TIMEOUT_MILLIS = 2_000;
    /** Heap one input may allocate whatever its length. */
    public static final long DEFAULT_FIXED_ALLOCATION = 1 << 20;
    /** Heap one input may allocate per byte of its own. */
    public static final int DEFAULT_ALLOCATION_PER_BYTE = 64;
    private static final int MAX_RANDOM_LENGTH = 2048;
    private static final int MAX_HEX_BYTES = 512;

    /** Breaks a valid input into an invalid or unusual one. */
    @FunctionalInterface
    public interface Mutations {
        byte[] mutate(byte[] valid, List<byte[]> others);
    }

    /** The parser under test: returns what it read, or throws one of its typed errors. */
    @FunctionalInterface
    public interface Target {
        void parse(byte[] input) throws Exception;
    }

    private final String parser;
    private final List<byte[]> seeds = new ArrayList<>();
    private final List<Class<? extends Throwable>> typed = new ArrayList<>();
    private long fixedAllocation = DEFAULT_FIXED_ALLOCATION;
    private int allocationPerByte = DEFAULT_ALLOCATION_PER_BYTE;
    private boolean checkAllocation = true;
    private int inputs = iterations();
    private Function<SplittableRandom, Mutations> mutations = Mutator::new;

    private Fuzzer(String parser) {
        this.parser = parser;
    }

    /** A fuzzer for the parser named {@code parser} (named in failures and in the log line). */
    public static Fuzzer of(String parser) {
        return new Fuzzer(parser);
    }

    /** Valid messages, as the project's own encoders write them, to mutate. */
    public Fuzzer seeds(List<byte[]> valid) {
        seeds.addAll(valid);
        return this;
    }

    /** The parser's typed errors: throwing one of these (or a subclass) is a refusal, not a failure. */
    @SafeVarargs
    public final Fuzzer refusesWith(Class<? extends Throwable>... errors) {
        typed.addAll(Arrays.asList(errors));
        return this;
    }

    /** How the valid seeds are broken: {@link Mutator} unless told (e.g. {@link JsonMutator} for JSON bodies). */
    public Fuzzer mutations(Function<SplittableRandom, Mutations> value) {
        this.mutations = value;
        return this;
    }

    /** The heap one input may allocate: {@code fixed} plus {@code perByte} per input byte. */
    public Fuzzer allocationLimit(long fixed, int perByte) {
        this.fixedAllocation = fixed;
        this.allocationPerByte = perByte;
        return this;
    }

    /** No allocation bound, for a target whose work happens on other threads (a server): say why at the caller. */
    public Fuzzer withoutAllocationLimit() {
        this.checkAllocation = false;
        return this;
    }

    /**
     * For a target that costs a round trip per input (a request to a server on loopback, about a millisecond):
     * runs {@link #iterations()} / {@code divisor} inputs, at least 100, so that the normal suite stays bounded.
     */
    public Fuzzer inputsDividedBy(int divisor) {
        this.inputs = Math.max(100, iterations() / divisor);
        return this;
    }

    /** Runs {@code count} inputs instead of {@link #iterations()} (for the fuzzer's own tests). */
    Fuzzer inputs(int count) {
        this.inputs = count;
        return this;
    }

    /** Inputs per parser: {@code -Dfuzz.iterations}, else {@value #DEFAULT_ITERATIONS}. */
    public static int iterations() {
        return Integer.getInteger("fuzz.iterations", DEFAULT_ITERATIONS);
    }

    /** The run's seed: {@code -Dfuzz.seed}, else a new one (printed, and named in any failure). */
    public static long seed() {
        String given = System.getProperty("fuzz.seed");
        return given == null || given.isBlank() ? System.nanoTime() ^ 0x5DEECE66DL : Long.parseLong(given.trim());
    }

    /**
     * Feeds {@link #iterations()} inputs to {@code target}, each on one worker thread under a watchdog.
     *
     * @return how the inputs ended
     * @throws AssertionError on the first input that misbehaves
     */
    public Result run(Target target) {
        if (seeds.isEmpty()) {
            throw new IllegalStateException(parser + ": no valid seeds to mutate");
        }
        long seed = seed();
        int iterations = inputs;
        System.out.printf("fuzz %s: %d inputs, seed %d (replay with -Dfuzz.seed=%d)%n", parser, iterations, seed, seed);
        Worker worker = new Worker(target, seed, iterations);
        Thread thread = new Thread(worker, "fuzz-" + parser);
        thread.setDaemon(true);
        thread.start();
        long timeoutNanos = DEFAULT_INPUT_TIMEOUT_MILLIS * 1_000_000L;
        try {
            while (thread.isAlive()) {
                thread.join(50);
                long started = worker.inputStarted;
                if (thread.isAlive() && started != 0 && System.nanoTime() - started > timeoutNanos) {
                    StackTraceElement[] where = thread.getStackTrace();
                    thread.interrupt();
                    AssertionError error = new AssertionError(describe(seed, worker.index, worker.input,
                            "still running after " + DEFAULT_INPUT_TIMEOUT_MILLIS + " ms"));
                    Throwable stack = new Throwable("where the parser was");
                    stack.setStackTrace(where);
                    error.addSuppressed(stack);
                    throw error;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(parser + ": interrupted", e);
        }
        if (worker.failure.get() != null) {
            throw worker.failure.get();
        }
        System.out.printf("fuzz %s: %s%n", parser, worker.result);
        return worker.result;
    }

    private String describe(long seed, int index, byte[] input, String what) {
        String hex = input == null ? "?" : HexFormat.of().formatHex(input, 0, Math.min(input.length, MAX_HEX_BYTES))
                + (input.length > MAX_HEX_BYTES ? "..." : "");
        return parser + ": input " + index + " of the run with seed " + seed + " (replay with -Dfuzz.seed=" + seed
                + ") " + what + "; the input (" + (input == null ? "?" : input.length) + " bytes): " + hex;
    }

    private boolean isTyped(Throwable t) {
        return typed.stream().anyMatch(c -> c.isInstance(t));
    }

    /** How a run's inputs ended: read, or refused with a typed error (by class). */
    public static final class Result {
        private int accepted;
        private final Map<String, Integer> refused = new LinkedHashMap<>();

        /** Inputs the parser read without an error. */
        public int accepted() {
            return accepted;
        }

        /** Inputs the parser refused with a typed error. */
        public int refused() {
            return refused.values().stream().mapToInt(Integer::intValue).sum();
        }

        @Override
        public String toString() {
            return accepted + " read, refused " + refused;
        }
    }

    private final class Worker implements Runnable {
        private final Target target;
        private final long seed;
        private final int iterations;
        private final Result result = new Result();
        private final AtomicReference<AssertionError> failure = new AtomicReference<>();
        private final com.sun.management.ThreadMXBean threads;
        volatile long inputStarted;
        volatile int index;
        volatile byte[] input;

        Worker(Target target, long seed, int iterations) {
            this.target = target;
            this.seed = seed;
            this.iterations = iterations;
            this.threads = ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
                    && t.isThreadAllocatedMemorySupported() && t.isThreadAllocatedMemoryEnabled() ? t : null;
        }

        @Override
        public void run() {
            try {
                for (byte[] valid : seeds) {
                    once(valid.clone());
                }
                SplittableRandom random = new SplittableRandom(seed);
                Mutations mutator = mutations.apply(random);
                Mutator bytes = new Mutator(random);
                for (int i = 0; i < iterations && !Thread.currentThread().isInterrupted(); i++) {
                    index = i;
                    byte[] next = random.nextInt(4) == 0 ? bytes.randomBytes(MAX_RANDOM_LENGTH)
                            : mutator.mutate(seeds.get(random.nextInt(seeds.size())), seeds);
                    input = next;
                    String problem = once(next.clone());
                    if (problem != null && checkAllocation && problem.startsWith("allocated")) {
                        problem = once(next.clone()); // the first time may have loaded classes
                    }
                    if (problem != null) {
                        failure.set(new AssertionError(describe(seed, i, next, problem)));
                        return;
                    }
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, new AssertionError(describe(seed, index, input, "broke the fuzzer"), t));
            } finally {
                inputStarted = 0;
            }
        }

        /** Runs one input; returns what went wrong, or null. */
        private String once(byte[] bytes) {
            long before = threads == null ? 0 : threads.getCurrentThreadAllocatedBytes();
            inputStarted = System.nanoTime();
            Throwable thrown = null;
            try {
                target.parse(bytes);
            } catch (Throwable t) {
                thrown = t;
            }
            inputStarted = 0;
            long allocated = threads == null ? 0 : threads.getCurrentThreadAllocatedBytes() - before;
            if (thrown != null && !isTyped(thrown)) {
                AssertionError error = new AssertionError(describe(seed, index, bytes, "threw " + thrown), thrown);
                failure.set(error);
                throw error;
            }
            if (checkAllocation && threads != null && allocated > fixedAllocation + (long) allocationPerByte * bytes.length) {
                return "allocated " + allocated + " bytes of heap (the limit is " + fixedAllocation + " + "
                        + allocationPerByte + " per input byte)";
            }
            if (thrown == null) {
                result.accepted++;
            } else {
                result.refused.merge(thrown.getClass().getSimpleName(), 1, Integer::sum);
            }
            return null;
        }
    }
}
