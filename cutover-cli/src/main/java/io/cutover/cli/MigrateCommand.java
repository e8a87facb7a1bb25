package io.cutover.cli;

import io.cutover.support.HostPort;
import io.cutover.support.Metrics;
import io.cutover.support.MetricsServer;
import io.cutover.migration.Guest;
import io.cutover.migration.IncomingMigration;
import io.cutover.migration.LiveMigration;
import io.cutover.migration.MigrationException;
import io.cutover.migration.MigrationMetrics;
import io.cutover.migration.MigrationOptions;
import io.cutover.migration.MigrationProgress;
import io.cutover.migration.MigrationReport;
import io.cutover.migration.MigrationSettings;
import io.cutover.migration.MigrationTarget;
import io.cutover.migration.MigrationTls;
import io.cutover.migration.TargetOptions;
import io.cutover.migration.guest.GuestSpec;
import io.cutover.migration.guest.Guests;
import io.cutover.migration.guest.ShmGuest;
import io.cutover.migration.guest.ShmGuestProgram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** {@code cutover migrate listen|send}: live-migrate a guest's memory between two processes (migration-core). */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = {"Live-migrate a guest's memory (migration-core): a destination listens, a source sends.",
                "The destination serves only sources that present its secret: `listen --secret-file FILE` writes a new "
                        + "secret to FILE if it does not exist, and `send --secret-file FILE` presents it."},
        subcommands = {MigrateCommand.Listen.class, MigrateCommand.Send.class, MigrateCommand.GuestProgram.class})
final class MigrateCommand extends GroupCommand {

    /** Mutual TLS on the migration stream: all three files, or none. */
    static final class TlsOptions {
        @Option(names = "--tls-cert", description = "This end's certificate chain (PEM); enables mutual TLS.")
        Path certificate;

        @Option(names = "--tls-key", description = "This end's private key (unencrypted PKCS#8 PEM).")
        Path key;

        @Option(names = "--tls-trust", description = "Certificates (PEM) the peer's certificate must chain to.")
        Path trust;

        MigrationTls toTls() {
            if (certificate == null && key == null && trust == null) {
                return null;
            }
            if (certificate == null || key == null || trust == null) {
                throw new IllegalArgumentException("TLS needs --tls-cert, --tls-key and --tls-trust together");
            }
            return new MigrationTls(certificate, key, trust);
        }
    }

    /** Reads a secret file: its content, without the surrounding white space. */
    static String readSecret(Path file) {
        try {
            String secret = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (secret.length() < MigrationTarget.MIN_SECRET_LENGTH) {
                throw new IllegalArgumentException("--secret-file " + file + ": a secret needs at least "
                        + MigrationTarget.MIN_SECRET_LENGTH + " characters");
            }
            return secret;
        } catch (IOException e) {
            throw new IllegalArgumentException("--secret-file: cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** A new random secret: 32 bytes, in hex. */
    static String newSecret() {
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        return HexFormat.of().formatHex(raw);
    }

    /** A new random secret, written to {@code file} readable by its owner only. */
    static String newSecret(Path file) {
        String secret = newSecret();
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, secret + "\n", StandardCharsets.UTF_8);
            return secret;
        } catch (FileAlreadyExistsException e) {
            return readSecret(file);
        } catch (IOException | UnsupportedOperationException e) {
            throw new IllegalArgumentException("--secret-file: cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    @Command(name = "listen", mixinStandardHelpOptions = true,
            description = {"Destination: accept migrations on a migration address, verify them, run the guests.",
                    "Only a source presenting the secret is served; a connection that is not one (a port scan, a wrong "
                            + "secret, garbage) is refused, logged and counted, and listening goes on.",
                    "With --metrics, GET /metrics answers in Prometheus's text format (every sample tagged "
                            + "daemon=\"migration\"): migrations by outcome, bytes and pages received, refused "
                            + "connections by reason, migrations arriving, and the JVM's figures."})
    static final class Listen implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--bind", defaultValue = "0.0.0.0",
                description = "Migration address to listen on (default: ${DEFAULT-VALUE}).")
        String bind;

        @Option(names = "--port", required = true, description = "TCP port; 0 picks one (printed on stdout).")
        int port;

        @Option(names = "--count", defaultValue = "1",
                description = "Migrations to complete (guests activated here) before exiting; a discarded migration "
                        + "does not count; 0 for no end (default: ${DEFAULT-VALUE}).")
        int count;

        @Option(names = "--secret-file", paramLabel = "FILE",
                description = "The secret sources must present (`send --secret-file`), at least 16 characters. If FILE "
                        + "does not exist, a new random secret is written to it (mode 0600). Without this option a new "
                        + "secret is printed on stdout as `secret SECRET`.")
        Path secretFile;

        @Option(names = "--run-for", defaultValue = "0s", converter = DurationConverter.class,
                description = "Keep each activated guest running this long before freeing it (default: ${DEFAULT-VALUE}).")
        Duration runFor;

        @Option(names = "--max-guest", defaultValue = "64g", description = "Largest guest to reserve (default: ${DEFAULT-VALUE}).")
        String maxGuest;

        @Option(names = "--shm-guests",
                description = "Also reserve shared-memory guests (shm:), each a guest program started here in --guest-dir;"
                        + " without it only synthetic guests are reserved.")
        boolean shmGuests;

        @Option(names = "--guest-dir", defaultValue = "/dev/shm",
                description = "With --shm-guests: where shared-memory guests get their memory file and program"
                        + " (default: ${DEFAULT-VALUE}).")
        Path guestDir;

        @CommandLine.ArgGroup(exclusive = false)
        TlsOptions tls = new TlsOptions();

        @Option(names = "--metrics", paramLabel = "HOST:PORT",
                description = "Serve GET /metrics (Prometheus text) on HOST:PORT, port 0 picks one (printed on stdout "
                        + "as `metrics on http://HOST:PORT/metrics`); off by default. Loopback only unless "
                        + "--metrics-token-file is given.")
        String metricsAt;

        @Option(names = "--metrics-token-file", paramLabel = "FILE",
                description = "With --metrics: a file holding the bearer token every scrape must carry (at least 16 "
                        + "characters); required to serve metrics beyond loopback.")
        Path metricsTokenFile;

        @Override
        public Integer call() throws InterruptedException {
            if (port < 0 || port > 65535 || count < 0) {
                throw new IllegalArgumentException("--port must be 0-65535 and --count >= 0");
            }
            if (metricsTokenFile != null && metricsAt == null) {
                throw new IllegalArgumentException("--metrics-token-file goes with --metrics");
            }
            HostPort metricsPlace = metricsAt == null ? null : HostPort.parse("--metrics", metricsAt);
            String metricsToken = TokenFile.read(metricsTokenFile);
            long max = GuestSpec.bytes("--max-guest", maxGuest);
            String secret = secretFile == null ? null
                    : Files.exists(secretFile) ? readSecret(secretFile) : newSecret(secretFile);
            TargetOptions options = TargetOptions.builder().maxGuestBytes(max).tls(tls.toTls()).build();
            BlockingQueue<IncomingMigration> ended = new LinkedBlockingQueue<>();
            PrintWriter out = spec.commandLine().getOut();
            try (Metrics metrics = Metrics.of("migration");
                 MetricsServer metricsServer = metricsPlace == null ? null
                         : MetricsServer.start(metrics, metricsPlace, metricsToken)) {
                MigrationMetrics meters = new MigrationMetrics(metrics.registry());
                if (metricsServer != null) {
                    String host = metricsPlace.host().contains(":") ? "[" + metricsPlace.host() + "]"
                            : metricsPlace.host();
                    out.println("metrics on http://" + host + ":" + metricsServer.port() + Metrics.PATH);
                }
                return serve(max, secret, options, meters, ended, out);
            }
        }

        private int serve(long max, String secret, TargetOptions options, MigrationMetrics meters,
                          BlockingQueue<IncomingMigration> ended, PrintWriter out) throws InterruptedException {
            try (MigrationTarget target = MigrationTarget.listen(new InetSocketAddress(bind, port),
                    shmGuests ? Guests.allocator(guestDir) : Guests.syntheticAllocator(), options, List.of(),
                    arrived -> {
                        meters.arrived(arrived);
                        ended.add(arrived);
                    })) {
                meters.watch(target);
                if (secret == null) {
                    secret = newSecret();
                    out.println("secret " + secret);
                }
                target.admit(secret, max);
                InetSocketAddress at = target.localAddress();
                out.println("listening on " + at.getAddress().getHostAddress() + ":" + at.getPort());
                out.flush();
                for (int done = 0; count == 0 || done < count; ) {
                    IncomingMigration in = ended.take();
                    if (in.activated()) {
                        done++;
                        out.printf(Locale.ROOT, "activated %s: %d pages, %d bytes in %d ms over %d connection%s, digest %x, guest %s%s%n",
                                in.migrationId(), in.pagesReceived(), in.bytesReceived(), in.duration().toMillis(),
                                in.connections(), in.connections() == 1 ? "" : "s",
                                in.digest(), in.guest().isRunning() ? "running" : "stopped",
                                in.guest() instanceof ShmGuest ? " " + in.guest().descriptor() : "");
                        out.flush();
                        if (!runFor.isZero()) {
                            Thread.sleep(runFor.toMillis());
                        }
                        in.guest().close();
                    } else {
                        out.println("discarded " + in.migrationId() + ": " + in.failure() + " (still listening)");
                        out.flush();
                    }
                }
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "send", mixinStandardHelpOptions = true,
            description = "Source: run a guest, then live-migrate it to a listening destination.")
    static final class Send implements Callable<Integer> {
        @Option(names = "--to", required = true, description = "Destination HOST:PORT (its migration address).")
        String to;

        @Option(names = "--secret-file", paramLabel = "FILE", required = true,
                description = "The destination's secret (the file `listen --secret-file` wrote, or its copy).")
        Path secretFile;

        @Option(names = "--guest", defaultValue = "synthetic:size=64m,workload=hotset",
                description = "Guest to run and migrate, e.g. synthetic:size=1g,workload=hotset,hot=5%%,rate=50000 "
                        + "(workloads: idle, uniform, hotset, diabolical), or shm:file=PATH, the running guest program"
                        + " of `migrate guest` (default: ${DEFAULT-VALUE}).")
        String guest;

        @Option(names = "--warmup", defaultValue = "500ms", converter = DurationConverter.class,
                description = "Let the guest run this long before migrating (default: ${DEFAULT-VALUE}).")
        Duration warmup;

        // the migration's settings are read and checked by MigrationSettings, as the agent's are: text here
        @Option(names = "--downtime", defaultValue = MigrationOptions.DEFAULT_DOWNTIME_LIMIT_MS + "ms",
                description = "Downtime limit (default: ${DEFAULT-VALUE}).")
        String downtime;

        @Option(names = "--downtime-steps", defaultValue = "" + MigrationOptions.DEFAULT_DOWNTIME_STEPS,
                description = "Raise the limit in this many steps, Nova style: from limit/steps to the limit"
                        + " (default: ${DEFAULT-VALUE}).")
        String downtimeSteps;

        @Option(names = "--downtime-step-delay", defaultValue = MigrationOptions.DEFAULT_DOWNTIME_STEP_DELAY_MS + "ms",
                description = "Time between downtime steps PER GiB of guest memory, as Nova's"
                        + " live_migration_downtime_delay (a guest counts as at least "
                        + MigrationOptions.DOWNTIME_STEP_MIN_GIB + " GiB): 2s for an 8 GiB guest is 16 s between steps"
                        + " (default: ${DEFAULT-VALUE}).")
        String downtimeStepDelay;

        @Option(names = "--max-bandwidth", defaultValue = "0",
                description = "Cap in bytes/s with k/m/g suffixes; 0 for none (default: ${DEFAULT-VALUE}).")
        String maxBandwidth;

        @Option(names = "--dynamic-rate",
                description = "Clark's dynamic rate limiting: the first round at --rate-min, each next at the dirty rate"
                        + " plus --rate-step, up to --max-bandwidth; once a round at the cap sends more than the one"
                        + " before, the next is the last (Xen).")
        boolean dynamicRate;

        @Option(names = "--rate-min", defaultValue = "" + MigrationOptions.DEFAULT_MIN_BANDWIDTH,
                description = "With --dynamic-rate: the first and lowest rate, bytes/s with k/m/g suffixes"
                        + " (default: ${DEFAULT-VALUE}).")
        String rateMin;

        @Option(names = "--rate-step", defaultValue = "" + MigrationOptions.DEFAULT_RATE_STEP,
                description = "With --dynamic-rate: added to the dirty rate for the next round, bytes/s with k/m/g"
                        + " suffixes (default: ${DEFAULT-VALUE}).")
        String rateStep;

        @Option(names = "--auto-converge", description = "Throttle the guest when it dirties memory faster than it is sent.")
        boolean autoConverge;

        @Option(names = "--post-copy",
                description = "If pre-copy does not converge, resume at the destination at once and fetch missing pages"
                        + " on demand (a source failure then loses the guest).")
        boolean postCopy;

        @Option(names = "--xbzrle-cache", defaultValue = "0",
                description = "XBZRLE cache of last-sent pages (k/m/g); pages sent again go as deltas; 0 for none"
                        + " (default: ${DEFAULT-VALUE}).")
        String xbzrleCache;

        @Option(names = "--channels", defaultValue = "" + MigrationOptions.DEFAULT_CHANNELS,
                description = "Parallel connections (multifd), 1-16; pages are sharded over them (default: ${DEFAULT-VALUE}).")
        String channels;

        @Option(names = "--compress", defaultValue = "none", description = "none or lz4 (default: ${DEFAULT-VALUE}).")
        String compress;

        @Option(names = "--integrity", defaultValue = "sent_pages",
                description = "sent_pages or full_memory (default: ${DEFAULT-VALUE}).")
        String integrity;

        @Option(names = "--max-rounds", defaultValue = "" + MigrationOptions.DEFAULT_MAX_ROUNDS,
                description = "Pre-copy rounds before a forced switchover (default: ${DEFAULT-VALUE}).")
        String maxRounds;

        @Option(names = "--timeout", defaultValue = MigrationOptions.DEFAULT_COMPLETION_TIMEOUT_S + "s",
                description = "Completion timeout: pre-copy that has not converged by then ends as --on-timeout says,"
                        + " the round in progress too (default: ${DEFAULT-VALUE}).")
        String timeout;

        @Option(names = "--on-timeout", defaultValue = "abort",
                description = "At the completion timeout: abort (the guest runs on here, exit 1), pause (finish as"
                        + " stop-and-copy, whatever the downtime) or postcopy (resume at the destination at once and"
                        + " fetch the missing pages on demand; one connection) (default: ${DEFAULT-VALUE}).")
        String onTimeout;

        @Option(names = "--progress-timeout", defaultValue = MigrationOptions.DEFAULT_PROGRESS_TIMEOUT_S + "s",
                description = "Abort when the migration makes no progress this long: the destination takes no bytes or"
                        + " does not answer, or the memory left to send stops shrinking; the guest runs on here"
                        + " (default: ${DEFAULT-VALUE}).")
        String progressTimeout;

        /** The migration's settings by {@link MigrationSettings} name, as given. */
        Map<String, String> settings() {
            Map<String, String> settings = new LinkedHashMap<>();
            settings.put("downtime", downtime);
            settings.put("downtimeSteps", downtimeSteps);
            settings.put("downtimeStepDelay", downtimeStepDelay);
            settings.put("maxBandwidth", maxBandwidth);
            settings.put("dynamicRate", String.valueOf(dynamicRate));
            settings.put("rateMin", rateMin);
            settings.put("rateStep", rateStep);
            settings.put("autoConverge", String.valueOf(autoConverge));
            settings.put("postCopy", String.valueOf(postCopy));
            settings.put("xbzrleCache", xbzrleCache);
            settings.put("channels", channels);
            settings.put("compress", compress);
            settings.put("integrity", integrity);
            settings.put("maxRounds", maxRounds);
            settings.put("timeout", timeout);
            settings.put("onTimeout", onTimeout);
            settings.put("progressTimeout", progressTimeout);
            return settings;
        }

        @Option(names = "--json", description = "Write the JSON report to this file.")
        Path json;

        @CommandLine.ArgGroup(exclusive = false)
        TlsOptions tls = new TlsOptions();

        @Option(names = "--quiet", description = "No progress (a bar on a terminal, else a line every 5 s on standard error).")
        boolean quiet;

        @Override
        public Integer call() throws Exception {
            InetSocketAddress destination = HostPort.parseRemote("--to", to).socketAddress();
            MigrationOptions options = MigrationSettings.read(settings(), MigrationSettings::flag)
                    .tls(tls.toTls())
                    .secret(readSecret(secretFile))
                    .build();
            try (Guest g = Guests.open(guest)) {
                if (!g.isRunning()) {
                    g.resume();
                    Thread.sleep(warmup.toMillis());
                }
                LiveMigration m = LiveMigration.start(g, destination, options, List.of());
                CompletableFuture<MigrationReport> result = m.result().toCompletableFuture();
                ProgressLine progress = ProgressLine.onStandardError();
                MigrationReport report;
                try {
                    while (true) {
                        try {
                            report = result.get(200, TimeUnit.MILLISECONDS);
                            break;
                        } catch (TimeoutException e) {
                            if (!quiet) {
                                MigrationProgress p = m.progress();
                                progress.show(progressBar(p), progressText(p), System.nanoTime());
                            }
                        }
                    }
                } catch (ExecutionException e) {
                    progress.end();
                    if (e.getCause() instanceof MigrationException me) {
                        me.report().ifPresent(r -> writeJson(r));
                        throw me;
                    }
                    throw e;
                }
                progress.end();
                writeJson(report);
                MigrationProgress p = report.progress();
                System.out.printf(Locale.ROOT,
                        "migrated %s to %s: %.0f ms total, downtime %.1f ms (limit %d ms), %d rounds, %s%s,"
                                + " %d MiB sent at %.0f Mbit/s, %d zero pages, throttle %d %%, %d bytes saved by compression,"
                                + " %d bytes saved by %d XBZRLE deltas%n",
                        m.id(), to, p.totalTime().toNanos() / 1e6, p.downtime().toNanos() / 1e6,
                        options.downtimeLimit().toMillis(), p.round() + 1, describe(report),
                        report.postCopy() ? ", finished in post-copy (" + report.postCopyFaults() + " pages fetched on demand)"
                                : "", p.transferredBytes() >> 20, p.mbps(),
                        p.zeroPages(), p.throttlePercent(), p.compressionSavedBytes(), p.deltaSavedBytes(),
                        p.deltaPages());
                return ExitCode.OK;
            }
        }

        private static String describe(MigrationReport report) {
            return switch (report.reason()) {
                case CONVERGED -> "converged";
                case CONVERGED_BY_AUTO_CONVERGE -> "converged thanks to auto-converge";
                case MAX_ROUNDS -> "did not converge: forced after the maximum rounds";
                case MAX_BYTES -> "did not converge: forced after sending too much";
                case RATE_AT_MAX -> "did not converge: forced once the dynamic rate reached its cap";
                case COMPLETION_TIMEOUT -> report.postCopy() ? "did not converge: post-copy at the completion timeout"
                        : "did not converge: paused at the completion timeout (coma)";
            };
        }

        private void writeJson(MigrationReport report) {
            if (json == null) {
                return;
            }
            try {
                Path parent = json.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                Files.writeString(json, report.toJson() + "\n", StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + json + ": " + e.getMessage(), e);
            }
        }

        /** The progress bar a terminal shows, redrawn in place. */
        static String progressBar(MigrationProgress p) {
            long total = Math.max(1, p.totalBytes());
            double done = 1.0 - Math.min(1.0, (double) p.remainingBytes() / total);
            int width = 30;
            int filled = (int) Math.round(done * width);
            return String.format(Locale.ROOT, "[%s%s] %-17s round %-3d sent %6d MiB  left %6d MiB  %7.0f Mbit/s  dirty %7d p/s"
                            + "  throttle %2d%%  expect %5.0f ms ",
                    "#".repeat(filled), " ".repeat(width - filled), p.state(), p.round(), p.transferredBytes() >> 20,
                    p.remainingBytes() >> 20, p.mbps(), p.dirtyPagesPerSecond(), p.throttlePercent(),
                    p.expectedDowntime().toNanos() / 1e6);
        }

        /** The same as a plain line, for a log file. */
        static String progressText(MigrationProgress p) {
            return String.format(Locale.ROOT, "migrating: %s, round %d, sent %d MiB, left %d MiB, %.0f Mbit/s, "
                            + "dirty %d pages/s, throttle %d %%, expected downtime %.0f ms", p.state(), p.round(),
                    p.transferredBytes() >> 20, p.remainingBytes() >> 20, p.mbps(), p.dirtyPagesPerSecond(),
                    p.throttlePercent(), p.expectedDowntime().toNanos() / 1e6);
        }
    }

    @Command(name = "guest", mixinStandardHelpOptions = true,
            description = "Run a shared-memory guest: a program writing its memory in a file (e.g. in /dev/shm) that "
                    + "`migrate send --guest shm:file=PATH` migrates. Runs until the migrator stops it.")
    static final class GuestProgram implements Callable<Integer> {
        @Option(names = "--file", required = true, description = "The guest's memory file.")
        Path file;

        @Option(names = "--create",
                description = "Make the file for a new guest with this workload, as a synthetic guest's keys, e.g. "
                        + "size=256m,workload=hotset,hot=5%%,rate=20000; without it, run on an existing file.")
        String create;

        @Override
        public Integer call() {
            GuestSpec spec = create == null ? null : GuestSpec.parse(GuestSpec.PREFIX + create);
            return ShmGuestProgram.run(file, spec, false, System.err);
        }
    }
}
