package io.cutover.migration;

import io.cutover.migration.guest.GuestSpec;
import io.cutover.support.Durations;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The migration's settings as text, by name: the one reader and validator of {@code cutover migrate send}'s options
 * and of an agent's cutover request's {@code migrator} section, so that a setting is spelled, read and checked the
 * same way whichever of them it comes through. A name is the agent's JSON key ({@code maxBandwidth}); the command
 * line's flag is the same name in kebab case ({@code --max-bandwidth}, see {@link #flag}).
 *
 * <p>Values are as written: durations like {@code 300ms} or {@code 5s}, sizes and rates in bytes (per second) with
 * k/m/g suffixes and {@code 0} for none where none makes sense, {@code true}/{@code false}, and the lower-case
 * names of the choices. Each setting is checked as it is set, against {@link MigrationOptions}'s own rules, so that
 * an error names the setting that broke a rule.
 */
public final class MigrationSettings {

    /** Every setting, in the order they are applied (a rule between two settings is reported on the later one). */
    private enum Setting {
        DOWNTIME("downtime", (b, v) -> b.downtimeLimit(Durations.parse(v))),
        DOWNTIME_STEPS("downtimeSteps", (b, v) -> b.downtimeSteps(integer(v))),
        DOWNTIME_STEP_DELAY("downtimeStepDelay", (b, v) -> b.downtimeStepDelay(Durations.parse(v))),
        MAX_BANDWIDTH("maxBandwidth", (b, v) -> b.maxBandwidth(sizeOrNone(v))),
        DYNAMIC_RATE("dynamicRate", (b, v) -> b.dynamicRate(bool(v))),
        RATE_MIN("rateMin", (b, v) -> b.minBandwidth(size(v))),
        RATE_STEP("rateStep", (b, v) -> b.rateStep(sizeOrNone(v))),
        AUTO_CONVERGE("autoConverge", (b, v) -> b.autoConverge(bool(v))),
        COMPRESS("compress", (b, v) -> b.compression(choice(Compression.class, v))),
        INTEGRITY("integrity", (b, v) -> b.integrity(choice(IntegrityCheck.class, v))),
        XBZRLE_CACHE("xbzrleCache", (b, v) -> b.xbzrleCache(sizeOrNone(v))),
        POST_COPY("postCopy", (b, v) -> b.postCopy(bool(v))),
        MAX_ROUNDS("maxRounds", (b, v) -> b.maxRounds(integer(v))),
        TIMEOUT("timeout", (b, v) -> b.completionTimeout(Durations.parse(v))),
        ON_TIMEOUT("onTimeout", (b, v) -> b.completionPolicy(choice(CompletionPolicy.class, v))),
        PROGRESS_TIMEOUT("progressTimeout", (b, v) -> b.progressTimeout(Durations.parse(v))),
        CHANNELS("channels", (b, v) -> b.channels(integer(v)));

        final String key;
        final BiConsumer<MigrationOptions.Builder, String> apply;

        Setting(String key, BiConsumer<MigrationOptions.Builder, String> apply) {
            this.key = key;
            this.apply = apply;
        }
    }

    /** Every setting's name, as the agent's JSON spells it. */
    public static final List<String> NAMES = Arrays.stream(Setting.values()).map(s -> s.key).toList();

    private MigrationSettings() {
    }

    /**
     * Reads {@code settings} (name to value; a name left out keeps its default) onto {@code base}.
     *
     * @param label how the caller spells a name in an error, such as {@link #flag} or {@code "migrator." + name}
     * @return {@code base}, its settings applied and valid
     * @throws IllegalArgumentException starting with the label of the setting that is wrong or unknown
     */
    public static MigrationOptions.Builder read(Map<String, String> settings, Function<String, String> label,
                                                MigrationOptions.Builder base) {
        for (String name : settings.keySet()) {
            if (!NAMES.contains(name)) {
                throw new IllegalArgumentException(label.apply(name) + ": no such migration setting");
            }
        }
        for (Setting setting : Setting.values()) {
            String value = settings.get(setting.key);
            if (value == null) {
                continue;
            }
            try {
                setting.apply.accept(base, value.strip());
                base.build();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(label.apply(setting.key) + ": " + e.getMessage(), e);
            }
        }
        return base;
    }

    /** {@link #read} onto the defaults. */
    public static MigrationOptions.Builder read(Map<String, String> settings, Function<String, String> label) {
        return read(settings, label, MigrationOptions.builder());
    }

    /** The command line's flag of setting {@code name}: {@code maxBandwidth} is {@code --max-bandwidth}. */
    public static String flag(String name) {
        return "--" + name.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    private static int integer(String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a whole number, not '" + v + "'");
        }
    }

    private static boolean bool(String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("expected true or false, not '" + v + "'");
        };
    }

    /** A size or rate in bytes with k/m/g suffixes, above zero. */
    private static long size(String v) {
        try {
            return GuestSpec.bytes("size", v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("expected bytes above zero with k/m/g suffixes such as 64m, not '" + v
                    + "'", e);
        }
    }

    /** {@link #size}, or 0 for none. */
    private static long sizeOrNone(String v) {
        return v.equals("0") ? 0 : size(v);
    }

    private static <E extends Enum<E>> E choice(Class<E> type, String v) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(v)) {
                return e;
            }
        }
        throw new IllegalArgumentException("expected one of " + Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")) + ", not '" + v + "'");
    }
}
