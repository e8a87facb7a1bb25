package io.cutover.it;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads a scrape in Prometheus's text format, as a test needs it: the sum of one metric's samples. */
public final class PrometheusText {
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s+(\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private PrometheusText() {
    }

    /**
     * The sum of the samples of {@code name} in {@code scrape} whose labels include {@code labels}; 0 when there are
     * none (a meter registered only once something happened).
     */
    public static double sum(String scrape, String name, Map<String, String> labels) {
        double sum = 0;
        for (String line : scrape.split("\n")) {
            Matcher sample = SAMPLE.matcher(line);
            if (line.startsWith("#") || !sample.find() || !sample.group(1).equals(name)) {
                continue;
            }
            Matcher label = LABEL.matcher(sample.group(3) == null ? "" : sample.group(3));
            int matched = 0;
            while (label.find()) {
                if (label.group(2).equals(labels.get(label.group(1)))) {
                    matched++;
                }
            }
            if (matched == labels.size()) {
                sum += Double.parseDouble(sample.group(4));
            }
        }
        return sum;
    }
}
