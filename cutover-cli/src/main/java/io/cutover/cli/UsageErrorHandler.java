package io.cutover.cli;

import picocli.CommandLine;

import java.io.PrintWriter;

/**
 * A command line picocli cannot parse (an unknown option, a missing or malformed value): one line saying what is
 * wrong, picocli's suggestions for a mistyped name, and where the full usage is — not the usage itself, which would
 * bury the reason — then {@link ExitCode#USAGE}.
 */
final class UsageErrorHandler implements CommandLine.IParameterExceptionHandler {

    @Override
    public int handleParseException(CommandLine.ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        PrintWriter err = command.getErr();
        err.println("cutover: " + e.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.println("Try '" + command.getCommandSpec().qualifiedName() + " --help' for its usage.");
        err.flush();
        return ExitCode.USAGE;
    }
}
