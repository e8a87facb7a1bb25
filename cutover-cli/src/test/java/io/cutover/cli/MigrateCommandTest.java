package io.cutover.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code migrate listen} and {@code migrate send} on loopback: the secret, a listener no stranger can end, and a send
 * that no silent destination can hold.
 */
class MigrateCommandTest {
    private static final Pattern LISTENING = Pattern.compile("listening on [0-9.]+:(\\d+)");

    @TempDir
    Path dir;


    @Test
    void listenOutlivesPortScansAndWrongSecretsAndCountsCompletedMigrations() throws Exception {
        Path secret = dir.resolve("migration.secret");
        Path wrong = Files.writeString(dir.resolve("wrong.secret"), "not-the-secret-0123456789\n");
        StringWriter out = new StringWriter();
        CommandLine listen = CutoverCommand.commandLine();
        listen.setOut(new PrintWriter(out, true));
        listen.setErr(new PrintWriter(new StringWriter(), true));
        CompletableFuture<Integer> listening = CompletableFuture.supplyAsync(() -> listen.execute("migrate", "listen",
                "--bind", "127.0.0.1", "--port", "0", "--count", "1", "--secret-file", secret.toString()));
        int port = port(out, listening);
        assertThat(Files.getPosixFilePermissions(secret)).containsOnly(PosixFilePermission.OWNER_READ,
                PosixFilePermission.OWNER_WRITE);

        for (int i = 0; i < 5; i++) {
            new Socket("127.0.0.1", port).close();
        }
        try (Socket garbage = new Socket("127.0.0.1", port)) {
            garbage.getOutputStream().write("GET / HTTP/1.1\r\n\r\n".getBytes());
            garbage.setSoTimeout(10_000);
            while (garbage.getInputStream().read() != -1) {
                // the refusal, then the close
            }
        }
        Cli.Run refused = Cli.run("migrate", "send", "--to", "127.0.0.1:" + port, "--guest", "synthetic:size=4m",
                "--warmup", "0s", "--quiet", "--secret-file", wrong.toString());
        assertThat(refused.code()).as(refused.err()).isEqualTo(ExitCode.FAILED);
        assertThat(refused.err()).contains("not expected here");
        Thread.sleep(200);
        assertThat(listening).as("the listener still listens: %s", out).isNotDone();

        Cli.Run sent = Cli.run("migrate", "send", "--to", "127.0.0.1:" + port, "--guest", "synthetic:size=4m",
                "--warmup", "0s", "--quiet", "--secret-file", secret.toString());
        assertThat(sent.code()).as(sent.err()).isZero();
        assertThat(listening.get(30, TimeUnit.SECONDS)).as("%s", out).isZero();
        assertThat(out.toString()).containsPattern("activated m-\\w+: \\d+ pages").doesNotContain("discarded");
    }

    @Test
    void listenServesItsMetricsWithTheTokenAndTheyCountWhatArrivedAndWhatWasRefused() throws Exception {
        Path secret = dir.resolve("migration.secret");
        String token = "metrics-token-0123456789";
        Path tokenFile = Files.writeString(dir.resolve("metrics.token"), token + "\n");
        StringWriter out = new StringWriter();
        CommandLine listen = CutoverCommand.commandLine();
        listen.setOut(new PrintWriter(out, true));
        listen.setErr(new PrintWriter(new StringWriter(), true));
        CompletableFuture<Integer> listening = CompletableFuture.supplyAsync(() -> listen.execute("migrate", "listen",
                "--bind", "127.0.0.1", "--port", "0", "--count", "2", "--secret-file", secret.toString(),
                "--metrics", "127.0.0.1:0", "--metrics-token-file", tokenFile.toString()));
        int port = port(out, listening);
        Matcher at = Pattern.compile("metrics on (http://127\\.0\\.0\\.1:\\d+/metrics)").matcher(out.toString());
        assertThat(at.find()).as("%s", out).isTrue();
        URI metrics = URI.create(at.group(1));
        assertThat(scrape(metrics, null).statusCode()).as("a scrape without the token").isEqualTo(401);
        String before = scrape(metrics, token).body();
        assertThat(sample(before, "cutover_migrations_total", "outcome=\"completed\"")).isZero();
        assertThat(before).contains("daemon=\"migration\"").contains("jvm_memory_used_bytes");

        try (Socket stranger = new Socket("127.0.0.1", port)) {
            stranger.getOutputStream().write("GET / HTTP/1.1\r\n\r\n".getBytes());
            stranger.setSoTimeout(10_000);
            while (stranger.getInputStream().read() != -1) {
                // the refusal, then the close
            }
        }
        Cli.Run sent = Cli.run("migrate", "send", "--to", "127.0.0.1:" + port, "--guest", "synthetic:size=4m",
                "--warmup", "0s", "--quiet", "--secret-file", secret.toString());
        assertThat(sent.code()).as(sent.err()).isZero();
        Matcher activated = Pattern.compile("activated m-\\w+: (\\d+) pages, (\\d+) bytes").matcher(out.toString());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!activated.reset(out.toString()).find()) {
            assertThat(System.nanoTime() - deadline).as("no activation: %s", out).isNegative();
            Thread.sleep(20);
        }
        String after = scrape(metrics, token).body();
        assertThat(sample(after, "cutover_migrations_total", "outcome=\"completed\"", "side=\"destination\""))
                .isEqualTo(1);
        assertThat(sample(after, "cutover_migrations_total", "outcome=\"aborted\"", "side=\"destination\""))
                .isZero();
        assertThat(sample(after, "cutover_migration_bytes_total", "direction=\"received\""))
                .isEqualTo(Double.parseDouble(activated.group(2)));
        assertThat(sample(after, "cutover_migration_pages_total", "direction=\"received\""))
                .isEqualTo(Double.parseDouble(activated.group(1)));
        double refused = after.lines().filter(line -> line.startsWith("cutover_migration_refused_total{"))
                .mapToDouble(MigrateCommandTest::value).sum();
        assertThat(refused).as("the stranger").isEqualTo(1);

        Cli.Run second = Cli.run("migrate", "send", "--to", "127.0.0.1:" + port, "--guest", "synthetic:size=4m",
                "--warmup", "0s", "--quiet", "--secret-file", secret.toString());
        assertThat(second.code()).as(second.err()).isZero();
        assertThat(listening.get(30, TimeUnit.SECONDS)).as("%s", out).isZero();
    }

    @Test
    void listenServesNoTokenlessMetricsBeyondLoopback() {
        Cli.Run open = Cli.run("migrate", "listen", "--bind", "127.0.0.1", "--port", "0", "--metrics", "0.0.0.0:0");
        assertThat(open.code()).isEqualTo(ExitCode.USAGE);
        assertThat(open.err()).contains("open to the network");
        Cli.Run alone = Cli.run("migrate", "listen", "--port", "0", "--metrics-token-file", "/nonexistent");
        assertThat(alone.code()).isEqualTo(ExitCode.USAGE);
        assertThat(alone.err()).contains("--metrics-token-file goes with --metrics");
        assertThat(Cli.run("migrate", "listen", "--help").out().replaceAll("\\s+", " "))
                .contains("--metrics=HOST:PORT", "--metrics-token-file=FILE", "Prometheus");
    }

    private static HttpResponse<String> scrape(URI metrics, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(10));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        // HTTP/1.1 as Prometheus scrapes (the JDK's client may hang on its h2c upgrade under load)
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The first sample of {@code name} whose labels include every one of {@code labels}. */
    private static double sample(String text, String name, String... labels) {
        return text.lines().filter(line -> line.startsWith(name + "{") && List.of(labels).stream().allMatch(line::contains))
                .mapToDouble(MigrateCommandTest::value).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " " + List.of(labels) + " in\n" + text));
    }

    private static double value(String sampleLine) {
        return Double.parseDouble(sampleLine.substring(sampleLine.lastIndexOf(' ') + 1));
    }

    @Test
    void withoutASecretFileListenPrintsANewSecretAndSendNeedsOne() throws Exception {
        StringWriter out = new StringWriter();
        CommandLine listen = CutoverCommand.commandLine();
        listen.setOut(new PrintWriter(out, true));
        CompletableFuture<Integer> listening = CompletableFuture.supplyAsync(() -> listen.execute("migrate", "listen",
                "--bind", "127.0.0.1", "--port", "0"));
        int port = port(out, listening);
        Matcher printed = Pattern.compile("secret ([0-9a-f]{64})").matcher(out.toString());
        assertThat(printed.find()).as("%s", out).isTrue();

        Cli.Run missing = Cli.run("migrate", "send", "--to", "127.0.0.1:" + port, "--guest", "synthetic:size=4m");
        assertThat(missing.code()).isEqualTo(ExitCode.USAGE);
        assertThat(missing.err()).contains("--secret-file");
        Cli.Run tooShort = Cli.run("migrate", "send", "--to", "127.0.0.1:" + port, "--guest", "synthetic:size=4m",
                "--secret-file", Files.writeString(dir.resolve("short"), "abc").toString());
        assertThat(tooShort.code()).isEqualTo(ExitCode.USAGE);
        assertThat(tooShort.err()).contains("at least 16 characters");

        Path file = Files.writeString(dir.resolve("printed.secret"), printed.group(1));
        Cli.Run sent = Cli.run("migrate", "send", "--to", "127.0.0.1:" + port, "--guest", "synthetic:size=4m",
                "--warmup", "0s", "--quiet", "--secret-file", file.toString());
        assertThat(sent.code()).as(sent.err()).isZero();
        assertThat(listening.get(30, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void sendGivesUpOnADestinationThatTakesNoBytesAtTheProgressTimeout() throws Exception {
        Path secret = Files.writeString(dir.resolve("migration.secret"), MigrateCommand.newSecret());
        CompletableFuture<Socket> accepted;
        try (ServerSocket silent = new ServerSocket()) {
            silent.setReceiveBufferSize(4096);
            silent.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return silent.accept();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            try {
                long start = System.nanoTime();
                Cli.Run sent = Cli.run("migrate", "send", "--to", "127.0.0.1:" + silent.getLocalPort(),
                        "--progress-timeout", "5s", "--guest", "synthetic:size=4m", "--warmup", "0s", "--quiet",
                        "--secret-file", secret.toString());
                long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertThat(sent.code()).as(sent.err()).isEqualTo(ExitCode.FAILED);
                assertThat(sent.err().lines()).singleElement().asString()
                        .contains("from the destination for 5 s", "the guest runs at the source");
                assertThat(tookMs).as("ms until send gave up").isLessThan(7_000);
            } finally {
                silent.close();
                accepted.handle((socket, failed) -> socket).thenAccept(MigrateCommandTest::closeQuietly);
            }
        }
        assertThat(Cli.run("migrate", "send", "--help").out()).contains("--progress-timeout")
                .contains("(default: " + io.cutover.migration.MigrationOptions.DEFAULT_PROGRESS_TIMEOUT_S + "s)");
    }

    @Test
    void postCopyOnTimeoutFinishesAGuestThatDoesNotConverge() throws Exception {
        Path secret = dir.resolve("migration.secret");
        StringWriter out = new StringWriter();
        CommandLine listen = CutoverCommand.commandLine();
        listen.setOut(new PrintWriter(out, true));
        CompletableFuture<Integer> listening = CompletableFuture.supplyAsync(() -> listen.execute("migrate", "listen",
                "--bind", "127.0.0.1", "--port", "0", "--secret-file", secret.toString()));
        int port = port(out, listening);
        Cli.Run sent = Cli.run("migrate", "send", "--to", "127.0.0.1:" + port, "--secret-file", secret.toString(),
                "--guest", "synthetic:size=32m,workload=diabolical,region=16m,rate=400000", "--warmup", "0s", "--quiet",
                "--max-bandwidth", "64m", "--max-rounds", "10000", "--downtime", "50ms",
                "--timeout", "1s", "--on-timeout", "postcopy", "--json", dir.resolve("report.json").toString());
        assertThat(sent.code()).as(sent.err()).isZero();
        assertThat(Files.readString(dir.resolve("report.json")))
                .contains("\"switchoverReason\":\"COMPLETION_TIMEOUT\"", "\"mode\":\"post-copy\"");
        assertThat(listening.get(30, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void migrationSettingsAreCheckedByNameAndExplainedInTheHelp() {
        Cli.Run bad = Cli.run("migrate", "send", "--to", "127.0.0.1:9", "--secret-file", "/nonexistent",
                "--on-timeout", "later");
        assertThat(bad.code()).isEqualTo(ExitCode.USAGE);
        assertThat(bad.err()).contains("--on-timeout: expected one of abort, pause, postcopy, not 'later'");
        Cli.Run multifdPostCopy = Cli.run("migrate", "send", "--to", "127.0.0.1:9", "--secret-file", "/nonexistent",
                "--on-timeout", "postcopy", "--channels", "2");
        assertThat(multifdPostCopy.code()).isEqualTo(ExitCode.USAGE);
        assertThat(multifdPostCopy.err()).contains("--channels: post-copy runs over one connection");
        String help = Cli.run("migrate", "send", "--help").out().replaceAll("\\s+", " ");
        assertThat(help).contains("--on-timeout", "postcopy", "--rate-min", "--rate-step", "PER GiB of guest memory");
    }

    private static void closeQuietly(Socket socket) {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    private static int port(StringWriter out, CompletableFuture<Integer> listening) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() - deadline < 0) {
            Matcher m = LISTENING.matcher(out.toString());
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            assertThat(listening).as("listen ended: %s", out).isNotDone();
            Thread.sleep(20);
        }
        throw new AssertionError("listen did not start: " + out);
    }
}
