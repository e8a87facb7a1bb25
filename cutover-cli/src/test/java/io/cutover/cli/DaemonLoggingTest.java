package io.cutover.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.cutover.support.LogLevel;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static io.cutover.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

class DaemonLoggingTest {

    @Test
    void aConfiguredLevelIsTheRootLoggersAndNoneLeavesIt() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Level before = root.getLevel();
        try {
            DaemonLogging.apply(null);
            assertThat(root.getLevel()).isEqualTo(before);
            DaemonLogging.apply(LogLevel.DEBUG);
            assertThat(root.getLevel()).isEqualTo(Level.DEBUG);
            assertThat(LoggerFactory.getLogger("io.cutover.agent.CutoverService").isDebugEnabled()).isTrue();
            assertThat(LoggerFactory.getLogger("io.netty.channel.Foo").isDebugEnabled()).as("Netty's stays at WARN")
                    .isFalse();
        } finally {
            root.setLevel(before);
        }
    }

    @Test
    void aBadLevelOnTheCommandLineIsAUsageErrorNamingTheOption() {
        Cli.Run run = run("sdn", "serve", "--rest", "off", "--log-level", "loud");
        assertThat(run.code()).isEqualTo(ExitCode.USAGE);
        assertThat(run.err()).isEqualTo("cutover: --log-level: 'loud' is not a log level (expected trace, debug, info, "
                + "warn, error)\n");
    }

    @Test
    void aBadLevelInTheAgentsConfigurationIsAUsageErrorNamingTheKey(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path config = java.nio.file.Files.writeString(dir.resolve("host.yaml"),
                "host: hostA\ntoken: 0123456789abcdef\nmemory-mib: 64\nlog-level: loud\n");
        Cli.Run run = run("agent", "--config", config.toString());
        assertThat(run.code()).isEqualTo(ExitCode.USAGE);
        assertThat(run.err()).startsWith("cutover: " + config + ": log-level: 'loud' is not a log level");
    }
}
