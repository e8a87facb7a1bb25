package io.cutover.migration.guest;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A synthetic guest's description, as written on the command line and carried to the destination:
 * {@code synthetic:size=1g,workload=hotset,hot=5%,rate=50000}.
 *
 * <ul>
 *   <li>{@code size} memory (k/m/g suffixes), default {@value #DEFAULT_SIZE}; {@code page} page size,
 *       default 4k</li>
 *   <li>{@code workload} idle, uniform, hotset or diabolical, default idle</li>
 *   <li>{@code rate} page writes per second, default {@value #DEFAULT_RATE} ({@value #DEFAULT_DIABOLICAL_RATE}
 *       for diabolical)</li>
 *   <li>{@code hot} the hot set, a size or a percentage of memory, default {@value #DEFAULT_HOT}</li>
 *   <li>{@code region} the diabolical sweep, default {@value #DEFAULT_REGION} (at most the memory)</li>
 *   <li>{@code fill} the share of pages holding data rather than zeros at start, default
 *       {@value #DEFAULT_FILL}; {@code seed} for the data, default 1</li>
 * </ul>
 *
 * @param sizeBytes   memory
 * @param pageSize    bytes per page
 * @param workload    how the guest writes
 * @param hotPages    hot set, pages
 * @param regionPages diabolical region, pages
 * @param rate        page writes per second
 * @param fill        share of non-zero pages at start, 0 to 1
 * @param seed        seed of the content and of the workload
 */
public record GuestSpec(long sizeBytes, int pageSize, Workload workload, long hotPages, long regionPages, long rate,
                        double fill, long seed) {
    public static final String PREFIX = "synthetic:";
    public static final String DEFAULT_SIZE = "64m";
    public static final long DEFAULT_RATE = 50_000;
    public static final long DEFAULT_DIABOLICAL_RATE = 1_000_000;
    public static final String DEFAULT_HOT = "5%";
    public static final String DEFAULT_REGION = "256m";
    public static final String DEFAULT_FILL = "50%";

    public GuestSpec {
        if (Integer.bitCount(pageSize) != 1 || pageSize < 512 || pageSize > 65536) {
            throw new IllegalArgumentException("page must be a power of two from 512 to 64k, was " + pageSize);
        }
        if (sizeBytes < pageSize || sizeBytes % pageSize != 0) {
            throw new IllegalArgumentException("size must be a positive multiple of the page size, was " + sizeBytes);
        }
        long pages = sizeBytes / pageSize;
        if (hotPages < 1 || hotPages > pages || regionPages < 1 || regionPages > pages) {
            throw new IllegalArgumentException("hot set and region must be 1 to " + pages + " pages");
        }
        if (rate < 0 || rate > 100_000_000) {
            throw new IllegalArgumentException("rate must be 0 to 100000000 pages/s, was " + rate);
        }
        if (!(fill >= 0 && fill <= 1)) {
            throw new IllegalArgumentException("fill must be 0% to 100%, was " + fill);
        }
    }

    /**
     * Parses a descriptor.
     *
     * @throws IllegalArgumentException naming the key that is wrong
     */
    public static GuestSpec parse(String descriptor) {
        if (descriptor == null || !descriptor.startsWith(PREFIX)) {
            throw new IllegalArgumentException("guest must be synthetic:key=value,... , was " + descriptor);
        }
        Map<String, String> keys = new LinkedHashMap<>();
        String body = descriptor.substring(PREFIX.length());
        if (!body.isBlank()) {
            for (String pair : body.split(",")) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("guest: expected key=value, got '" + pair + "'");
                }
                keys.put(pair.substring(0, eq).trim().toLowerCase(Locale.ROOT), pair.substring(eq + 1).trim());
            }
        }
        for (String key : keys.keySet()) {
            if (!java.util.Set.of("size", "page", "workload", "rate", "hot", "region", "fill", "seed").contains(key)) {
                throw new IllegalArgumentException("guest: unknown key '" + key + "'");
            }
        }
        long size = bytes("size", keys.getOrDefault("size", DEFAULT_SIZE));
        long page = bytes("page", keys.getOrDefault("page", "4k"));
        if (page > 65536) {
            throw new IllegalArgumentException("guest: page too large: " + page);
        }
        Workload workload;
        try {
            workload = Workload.valueOf(keys.getOrDefault("workload", "idle").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("guest: workload must be idle, uniform, hotset or diabolical, was '"
                    + keys.get("workload") + "'");
        }
        long pages = Math.max(1, size / Math.max(1, page));
        long rate = number("rate", keys.getOrDefault("rate",
                String.valueOf(workload == Workload.DIABOLICAL ? DEFAULT_DIABOLICAL_RATE : DEFAULT_RATE)));
        long hot = share("hot", keys.getOrDefault("hot", DEFAULT_HOT), size) / Math.max(1, page);
        long region = Math.min(bytes("region", keys.getOrDefault("region", DEFAULT_REGION)) / Math.max(1, page), pages);
        double fill = percent("fill", keys.getOrDefault("fill", DEFAULT_FILL));
        long seed = number("seed", keys.getOrDefault("seed", "1"));
        return new GuestSpec(size, (int) page, workload, Math.max(1, hot), Math.max(1, region), rate, fill, seed);
    }

    /** The canonical descriptor, which {@link #parse} reads back to an equal spec. */
    @Override
    public String toString() {
        return PREFIX + "size=" + sizeBytes + ",page=" + pageSize + ",workload="
                + workload.name().toLowerCase(Locale.ROOT) + ",rate=" + rate + ",hot=" + hotPages * pageSize
                + ",region=" + regionPages * pageSize + ",fill=" + fill * 100 + "%,seed=" + seed;
    }

    /** {@code 1g}, {@code 64m}, {@code 4k} or a number of bytes. */
    public static long bytes(String key, String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        if (v.endsWith("ib")) {
            v = v.substring(0, v.length() - 2);
        } else if (v.endsWith("b")) {
            v = v.substring(0, v.length() - 1);
        }
        if (!v.isEmpty()) {
            switch (v.charAt(v.length() - 1)) {
                case 'k' -> unit = 1L << 10;
                case 'm' -> unit = 1L << 20;
                case 'g' -> unit = 1L << 30;
                case 't' -> unit = 1L << 40;
                default -> unit = 1;
            }
            if (unit != 1) {
                v = v.substring(0, v.length() - 1);
            }
        }
        long n = number(key, v);
        if (n <= 0 || n > (1L << 50) / unit) {
            throw new IllegalArgumentException(key + ": size out of range: " + value);
        }
        return n * unit;
    }

    private static long share(String key, String value, long of) {
        return value.trim().endsWith("%") ? Math.round(percent(key, value) * of) : bytes(key, value);
    }

    private static double percent(String key, String value) {
        String v = value.trim();
        try {
            double p = v.endsWith("%") ? Double.parseDouble(v.substring(0, v.length() - 1)) / 100 : Double.parseDouble(v);
            if (!(p >= 0 && p <= 1)) {
                throw new IllegalArgumentException(key + ": must be 0% to 100%, was " + value);
            }
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": not a percentage: " + value);
        }
    }

    private static long number(String key, String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": not a number: '" + value + "'");
        }
    }
}
