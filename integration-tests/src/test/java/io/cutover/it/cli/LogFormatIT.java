package io.cutover.it.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.it.Launcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The daemons' log lines as an operator's collector reads them: dated text by default, JSON on request. */
class LogFormatIT {
    private static final String STARTED = "OpenFlow 1.3 controller listening on";

    @Test
    void textLinesCarryTheDateAndJsonLinesAreObjectsWithTheFormattedMessage(@TempDir Path tmp) throws Exception {
        String text = firstLogLine(tmp.resolve("text.log"), null);
        assertThat(text).as("a dated line").matches("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}\\S* INFO .*")
                .contains(STARTED);

        JsonNode json = new ObjectMapper().readTree(firstLogLine(tmp.resolve("json.log"), "JSON"));
        assertThat(json.path("level").asText()).isEqualTo("INFO");
        assertThat(json.path("timestamp").isNumber()).isTrue();
        assertThat(json.path("loggerName").asText()).startsWith("io.cutover.sdn");
        assertThat(json.path("formattedMessage").asText()).startsWith(STARTED).contains("127.0.0.1").doesNotContain("{}");
    }

    @Test
    void theOptionChoosesJsonOverTheEnvironment(@TempDir Path tmp) throws Exception {
        JsonNode json = new ObjectMapper().readTree(firstLogLine(tmp.resolve("option.log"), "TEXT", "--log-format",
                "json"));
        assertThat(json.path("formattedMessage").asText()).startsWith(STARTED);
    }

    /**
     * Starts a controller on loopback with {@code CUTOVER_LOG_FORMAT=format} and {@code options} before its command,
     * returns its start-up log line, stops it.
     */
    private static String firstLogLine(Path log, String format, String... options) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of(options));
        args.addAll(List.of("sdn", "serve", "--listen", "127.0.0.1:0", "--rest", "127.0.0.1:0"));
        ProcessBuilder builder = new ProcessBuilder(Launcher.command(null, args.toArray(String[]::new)))
                .redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(new File("/dev/null"));
        if (format != null) {
            builder.environment().put("CUTOVER_LOG_FORMAT", format);
        }
        Process controller = builder.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                List<String> lines = Files.readAllLines(log);
                for (String line : lines) {
                    if (line.contains(STARTED)) {
                        return line;
                    }
                }
                Thread.sleep(100);
            }
            throw new AssertionError("no start-up line in 30 s: " + Files.readString(log));
        } finally {
            controller.destroy();
            controller.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
