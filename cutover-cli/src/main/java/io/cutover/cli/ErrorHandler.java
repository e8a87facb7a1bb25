package io.cutover.cli;

import io.cutover.lab.MissingPrerequisiteException;
import picocli.CommandLine;

/**
 * The one place where an exception becomes an exit code and a line on stderr. The stack trace is shown
 * only with {@code --verbose}.
 */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
        int code = exitCode(e);
        commandLine.getErr().println("cutover: " + message(e));
        if (CutoverCommand.verbose) {
            e.printStackTrace(commandLine.getErr());
        }
        return code;
    }

    static int exitCode(Throwable e) {
        if (e instanceof MissingPrerequisiteException) {
            return ExitCode.ENVIRONMENT;
        }
        if (e instanceof IllegalArgumentException || e instanceof CommandLine.ParameterException) {
            return ExitCode.USAGE;
        }
        return ExitCode.FAILED;
    }

    private static String message(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }
}
