package io.cutover.agent.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

class CutoverCommandTest {

    @ParameterizedTest
    @ValueSource(strings = {"migrate", "announce", "tunnel", "dns", "sdn", "agent", "lab", "demo", "bench"})
    void everySubcommandHasHelp(String name) {
        Run run = run(name, "--help");
        assertThat(run.code).isZero();
        assertThat(run.out).startsWith("Usage: cutover " + name);
    }

    @Test
    void versionIsPrinted() {
        Run run = run("--version");
        assertThat(run.code).isZero();
        assertThat(run.out).startsWith("cutover ");
    }

    @Test
    void unknownCommandsAndOptionsAreUsageErrors() {
        assertThat(run("no-such-command").code).isEqualTo(ExitCode.USAGE);
        assertThat(run("lab", "up", "--no-such-option").code).isEqualTo(ExitCode.USAGE);
        assertThat(run().code).isEqualTo(ExitCode.USAGE);
        assertThat(run("lab").code).isEqualTo(ExitCode.USAGE);
    }

    @Test
    void badInputIsAUsageErrorWithAOneLineReason() {
        Run run = run("lab", "up", "--topology", "moon");
        assertThat(run.code).isEqualTo(ExitCode.USAGE);
        assertThat(run.err).isEqualTo("cutover: unknown topology 'moon' (expected lan or wan)\n");
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = CutoverCommand.commandLine();
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        int code = command.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private record Run(int code, String out, String err) {
    }
}
