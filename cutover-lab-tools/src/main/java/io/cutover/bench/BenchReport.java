package io.cutover.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The output of one benchmark: a readable table of rows, the figures as JSON in
 * {@code target/bench/NAME.json}, and a last line {@code BENCH NAME key=value ...}.
 *
 * <pre>{@code
 * BenchReport report = new BenchReport("dns");
 * report.row("cutover", "updates/s", 2500.0);
 * report.row("nsupdate", "updates/s", 900.0);
 * report.key("updates_per_s", 2500.0).key("nsupdate_per_s", 900.0).key("ratio", 2.78);
 * report.print(System.out);
 * }</pre>
 */
public final class BenchReport {
    /** Where the JSON reports go, relative to the working directory. */
    public static final Path OUTPUT_DIR = Path.of("target", "bench");

    private final String name;
    private final List<String[]> rows = new ArrayList<>();
    private final Map<String, Object> keys = new LinkedHashMap<>();
    private final Map<String, Object> details = new LinkedHashMap<>();

    public BenchReport(String name) {
        this.name = name;
    }

    /** A row of the table: what was measured, its unit, its value. */
    public BenchReport row(String what, String unit, double value) {
        rows.add(new String[] {what, format(value), unit});
        return this;
    }

    /** A figure of the BENCH line (and of the JSON report). */
    public BenchReport key(String key, Object value) {
        keys.put(key, value);
        return this;
    }

    /** Extra data for the JSON report only (raw samples, parameters). */
    public BenchReport detail(String key, Object value) {
        details.put(key, value);
        return this;
    }

    /** Prints the table, writes the JSON report, and prints the BENCH line last. */
    public void print(PrintStream out) {
        int width = rows.stream().mapToInt(r -> r[0].length()).max().orElse(10);
        out.println();
        out.printf("%-" + width + "s  %14s  %s%n", "measure (" + name + ")", "value", "unit");
        for (String[] row : rows) {
            out.printf("%-" + width + "s  %14s  %s%n", row[0], row[1], row[2]);
        }
        Path file = writeJson();
        out.println("report: " + file);
        StringBuilder line = new StringBuilder("BENCH ").append(name);
        keys.forEach((k, v) -> line.append(' ').append(k).append('=')
                .append(v instanceof Double d ? format(d) : String.valueOf(v)));
        out.println(line);
    }

    private Path writeJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", name);
        json.put("results", keys);
        json.put("details", details);
        try {
            Files.createDirectories(OUTPUT_DIR);
            Path file = OUTPUT_DIR.resolve(name + ".json");
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), json);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the benchmark report: " + e.getMessage(), e);
        }
    }

    /**
     * The {@code p}-th percentile (0 to 100) of {@code values}, by nearest rank; {@code values} need not be
     * sorted and is left as it is. NaN when there are no values.
     */
    public static double percentile(double[] values, double p) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(p / 100 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    static String format(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e12) {
            return String.valueOf((long) value);
        }
        return String.format(Locale.ROOT, Math.abs(value) >= 100 ? "%.1f" : "%.3f", value);
    }
}
