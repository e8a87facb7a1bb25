package io.cutover.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cutover}: the launcher. Each capability is a subcommand with its own {@code --help}. */
@Command(name = "cutover",
        mixinStandardHelpOptions = true,
        versionProvider = CutoverCommand.Version.class,
        description = "Keeps virtual machines reachable while they are live-migrated.",
        subcommands = {
                MigrateCommand.class,
                AnnounceCommand.class,
                TunnelCommand.class,
                DnsCommand.class,
                SdnCommand.class,
                AgentCommand.class,
                EvacuateCommand.class,
                LabCommand.class,
                DemoCommand.class,
                BenchCommand.class,
                CommandLine.HelpCommand.class,
        },
        footer = {"", "Exit codes: 0 done, 1 the operation failed, 2 bad input or usage, 3 the environment lacks something."})
public final class CutoverCommand implements Runnable {
    static volatile boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "Log more, and show stack traces of errors.")
    void setVerbose(boolean value) {
        verbose = value;
    }

    @Option(names = "--log-format", scope = CommandLine.ScopeType.INHERIT, paramLabel = "text|json",
            description = "Log dated lines (text, the default) or one JSON object a line (json, for log collectors); "
                    + "as CUTOVER_LOG_FORMAT, over it.")
    LogFormat logFormat;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing a command");
    }

    public static void main(String[] args) {
        LogFormat.applyBeforeLogging(args);
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code. */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    static CommandLine commandLine() {
        return new CommandLine(new CutoverCommand())
                .setExecutionExceptionHandler(new ErrorHandler())
                .setParameterExceptionHandler(new UsageErrorHandler())
                .setCaseInsensitiveEnumValuesAllowed(true);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = CutoverCommand.class.getPackage().getImplementationVersion();
            return new String[] {"cutover " + (version == null ? "development" : version)};
        }
    }
}
