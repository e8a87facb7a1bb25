package io.cutover.cli;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

/** The launcher's command line run in this process, what it printed kept apart from the test's own output. */
final class Cli {
    private Cli() {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = CutoverCommand.commandLine();
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        int code = command.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /** An exit code and what went to standard output and standard error. */
    record Run(int code, String out, String err) {
    }
}
